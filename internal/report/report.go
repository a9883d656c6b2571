// Package report holds the report (the JSON machine contract) and renders it
// in each output format. Every format renders the same findings and rule
// metadata; none has logic of its own about what is wrong.
package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/natsaudit/natsaudit/internal/compliance"
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/model"
)

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
	// Compliance is there with --compliance: per framework asked for, each
	// mapped control's verdict (see docs/compliance.md).
	Compliance []compliance.Result `json:"compliance,omitempty"`
	// ReportSHA256 is the SHA-256 of the JSON report as written with this
	// field empty (WriteJSON sets it; digest.go says how to check it). It
	// must stay the last field: the check finds it on the last line.
	ReportSHA256 string `json:"report_sha256"`
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
	// FileDigests is the provenance of each file in Files, in that order:
	// its SHA-256, or why there is none (a file that holds a secret: its
	// digest would confirm a guess of the secret). FilesSHA256 is the
	// digest of the hashed list (FilesDigest).
	FileDigests []FileDigest `json:"file_digests,omitempty"`
	FilesSHA256 string       `json:"files_sha256,omitempty"`
	Servers     []string     `json:"servers"`
	Streams     int          `json:"streams"`
	Consumers   int          `json:"consumers"`
	// Status is empty when the scan audited what it found with every rule;
	// otherwise one of the Status* values (see docs/reports.md).
	Status string `json:"status,omitempty"`
}

// FileDigest is one file read and its SHA-256 (hex), or the reason it
// has none in Withheld.
type FileDigest struct {
	Path     string `json:"path"`
	SHA256   string `json:"sha256,omitempty"`
	Withheld string `json:"withheld,omitempty"`
}

// Why a file has no digest.
const (
	// WithheldSecret: the inventory knows the file holds a secret.
	WithheldSecret = "holds a secret"
	// WithheldUnparsed: the file did not parse, so what it holds is not
	// known.
	WithheldUnparsed = "not parsed, so it may hold a secret"
	// WithheldUnread: the file could not be read again to hash it.
	WithheldUnread = "could not be read again"
)

// FilesDigest is the SHA-256 of the lines "<sha256>  <path>\n" of the
// files that have a digest, in their order (the report's, sorted): what
// `sha256sum FILE... | sha256sum` prints, run from the project root with
// those files in that order. "" when none has one.
func FilesDigest(files []FileDigest) string {
	h := sha256.New()
	n := 0
	for _, f := range files {
		if f.SHA256 != "" {
			fmt.Fprintf(h, "%s  %s\n", f.SHA256, f.Path)
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
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
	// GradeWithheld says why there is no grade although some category has a
	// score: the categories scored with enough coverage carry less than
	// half of the weight (docs/scoring.md, "Coverage").
	GradeWithheld string `json:"grade_withheld,omitempty"`
}

// CategoryScore is one category's score.
type CategoryScore struct {
	Score          *float64 `json:"score"` // null when no rule of the category could be evaluated
	RulesEvaluated int      `json:"rules_evaluated"`
	RulesFailed    int      `json:"rules_failed"`
	Findings       int      `json:"findings"`
	// RulesTotal is the number of rules of the category in the catalog, and
	// Coverage the share of their weight that was evaluated (0–1); both are
	// absent when the catalog was not known.
	RulesTotal int      `json:"rules_total,omitempty"`
	Coverage   *float64 `json:"coverage,omitempty"`
	// LowConfidence: coverage is below CoverageThreshold; the score is
	// shown but left out of the overall score and the grade.
	LowConfidence bool `json:"low_confidence,omitempty"`
}

// CoverageThreshold is the coverage below which a category's score is low
// confidence (docs/scoring.md, "Coverage").
const CoverageThreshold = 0.5

// Location, Finding and Suppression are the shared vocabulary's (package
// finding); these aliases keep report.Finding readable where a renderer
// names it.
type (
	Location    = finding.Location
	Finding     = finding.Finding
	Suppression = finding.Suppression
)

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
