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
