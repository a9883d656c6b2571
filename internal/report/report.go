// Package report holds the report (the JSON machine contract) and renders it
// in each output format. Every format renders the same findings and rule
// metadata; none has logic of its own about what is wrong.
package report

import "github.com/natsaudit/natsaudit/internal/model"

// Schema identifies the JSON report format.
const Schema = "https://natsaudit.dev/schemas/report-v1.json"

// Report is the result of one run.
type Report struct {
	Schema     string             `json:"$schema"`
	Tool       Tool               `json:"tool"`
	Scan       ScanInfo           `json:"scan"`
	Summary    Summary            `json:"summary"`
	Scores     Scores             `json:"scores"`
	Findings   []Finding          `json:"findings"`
	Suppressed []Finding          `json:"suppressed"`
	Rules      []RuleStatus       `json:"rules"`
	Errors     []model.ParseError `json:"errors"`
	Notes      []string           `json:"notes"`
}

// Tool describes natsaudit.
type Tool struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	InformationURI string `json:"information_uri"`
	AdvisoriesDate string `json:"advisories_date,omitempty"`
}

// ScanInfo says what was scanned and when.
type ScanInfo struct {
	Started    string   `json:"started"`
	DurationMS int64    `json:"duration_ms"`
	Roots      []string `json:"roots"`
	Targets    []string `json:"targets"` // live endpoints (without credentials)
	Sources    []string `json:"sources"`
	Files      []string `json:"files"`
	Servers    []string `json:"servers"`
	Streams    int      `json:"streams"`
	Consumers  int      `json:"consumers"`
	// Status is empty when the scan audited what it found with every rule;
	// otherwise one of the Status* values (see docs/reports.md).
	Status string `json:"status,omitempty"`
}

// Scan statuses: why a report is not a complete audit.
const (
	// StatusIncomplete: at least one rule package failed at evaluation
	// (errors of kind "rule"); the other rules' findings are reported.
	StatusIncomplete = "incomplete"
	// StatusNoNATSInput: the paths hold no NATS configuration at all.
	StatusNoNATSInput = "no_nats_input"
	// StatusNotParsed: NATS configuration was found, but none of it could
	// be parsed, so nothing was audited.
	StatusNotParsed = "not_parsed"
)

// ErrorKindRule is the kind of an error about a rule package that failed at
// evaluation time.
const ErrorKindRule = "rule"

// Summary counts findings by severity (suppressed ones excluded).
type Summary struct {
	Total    int            `json:"total"`
	Severity map[string]int `json:"by_severity"`
}

// Scores are 0–10 per category; see docs/scoring.md.
type Scores struct {
	Overall    *float64                 `json:"overall"`
	Grade      string                   `json:"grade"`
	Categories map[string]CategoryScore `json:"categories"`
}

// CategoryScore is one category's score.
type CategoryScore struct {
	Score          *float64 `json:"score"` // null when no rule of the category could be evaluated
	RulesEvaluated int      `json:"rules_evaluated"`
	RulesFailed    int      `json:"rules_failed"`
	Findings       int      `json:"findings"`
}

// Location is where a finding is, in a scanned file.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
}

// Finding is one problem.
type Finding struct {
	RuleID      string    `json:"rule_id"`
	Severity    string    `json:"severity"`
	Category    string    `json:"category"`
	Title       string    `json:"title"`
	Message     string    `json:"message"`
	Remediation string    `json:"remediation"`
	Location    *Location `json:"location"`
	Snippet     string    `json:"snippet,omitempty"` // the offending line, secrets masked
	Target      string    `json:"target"`            // "server nats-1", "stream ORDERS", ...
	TargetKind  string    `json:"target_kind"`
	TargetName  string    `json:"target_name"`
	Path        string    `json:"path"`               // logical path of the value
	Endpoint    string    `json:"endpoint,omitempty"` // live findings: the monitoring URL
	Fingerprint string    `json:"fingerprint"`
	// Servers lists every server the finding affects when several share
	// the place it is at (an included file, a compose base): one finding
	// per rule and place, not one per server. Empty for one server.
	Servers     []string     `json:"servers,omitempty"`
	Suppression *Suppression `json:"suppression,omitempty"`
	// ScoreCount is how many times the finding counts in the scores: the
	// number of servers it affects when its severity depends on the server
	// (they differed before merging), else 1 (0 means 1).
	ScoreCount int `json:"-"`
}

// Suppression records why a finding is not reported.
type Suppression struct {
	Kind    string `json:"kind"` // inline, exception, baseline
	Reason  string `json:"reason"`
	Until   string `json:"until,omitempty"`
	Source  string `json:"source"` // file:line of the comment or exception
	Expired bool   `json:"expired,omitempty"`
}

// RuleStatus says whether a rule ran and what it found.
type RuleStatus struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Severity  string `json:"severity"`
	Category  string `json:"category"`
	Evaluated bool   `json:"evaluated"`
	Findings  int    `json:"findings"`
	Custom    bool   `json:"custom,omitempty"`
	Disabled  bool   `json:"disabled,omitempty"` // turned off in .natsaudit.yaml: not evaluated
	Failed    bool   `json:"failed,omitempty"`   // its package failed at evaluation (see errors): not evaluated
}
