package finding

// Location is where a finding is, in a scanned file.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
}

// Finding is one problem.
type Finding struct {
	RuleID      string    `json:"rule_id"`
	Severity    Severity  `json:"severity"`
	Category    Category  `json:"category"`
	Title       string    `json:"title"`
	Message     string    `json:"message"`
	Remediation string    `json:"remediation"`
	Location    *Location `json:"location"`
	Snippet     string    `json:"snippet,omitempty"` // the offending line, secrets masked
	// FixDiff is the fix as a unified diff against the scanned file, when
	// the fix is a mechanical edit of the finding's line (see
	// docs/reports.md): built from masked lines, never holding a secret.
	FixDiff string `json:"fix_diff,omitempty"`
	// DefinedAt is where the value the finding asks to change is defined,
	// when that is another line than Location: the .env line of a
	// ${VAR} the finding's line uses. Findings with the same DefinedAt and
	// Path share one root cause (report.RootCause).
	DefinedAt *Location `json:"defined_at,omitempty"`
	// FixKind is the rule's fix kind (Rule.FixKind): findings of one value
	// with the same fix kind are one root cause.
	FixKind    string `json:"fix_kind,omitempty"`
	Target     string `json:"target"` // "server nats-1", "stream ORDERS", ...
	TargetKind string `json:"target_kind"`
	TargetName string `json:"target_name"`
	Path       string `json:"path"` // logical path of the value
	// Deadline is set by the rules whose finding has a date by which
	// something breaks or is already broken (a certificate or JWT expiry,
	// an end-of-life series, an advisory with a fixed release).
	Deadline    *Deadline `json:"deadline,omitempty"`
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

// Deadline kinds.
const (
	DeadlineCertExpiry  = "certificate_expiry"
	DeadlineJWTExpiry   = "jwt_expiry"
	DeadlineEndOfLife   = "end_of_life"
	DeadlineAdvisoryFix = "advisory_fix"
)

// DeadlineKinds are the kinds a rule may give, in the order of the words
// reports use for them.
var DeadlineKinds = map[string]string{
	DeadlineCertExpiry:  "certificate expiry",
	DeadlineJWTExpiry:   "JWT expiry",
	DeadlineEndOfLife:   "end of life",
	DeadlineAdvisoryFix: "advisory fix",
}

// Deadline is a finding's date, as its rule gives it (lib.with_deadline).
type Deadline struct {
	// Date is YYYY-MM-DD (UTC); empty when the deadline has passed with no
	// date to give: a published advisory, an end-of-life series.
	Date string `json:"date,omitempty"`
	Kind string `json:"kind"` // one of the Deadline* kinds
	What string `json:"what"` // plain text: what expires or must be upgraded
	// Version is the release that fixes it (advisory_fix), or the last
	// release of the series (end_of_life).
	Version string `json:"version,omitempty"`
}

// Suppression records why a finding is not reported.
type Suppression struct {
	Kind    string `json:"kind"` // inline, exception, baseline
	Reason  string `json:"reason"`
	Until   string `json:"until,omitempty"`
	Source  string `json:"source"` // file:line of the comment or exception
	Expired bool   `json:"expired,omitempty"`
}
