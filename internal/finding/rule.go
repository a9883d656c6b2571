package finding

import "strings"

// Rule is one catalog entry, read from a rule's METADATA annotations.
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    Severity `json:"severity"`
	Category    Category `json:"category"`
	Description string   `json:"description"`
	Remediation string   `json:"remediation"`
	References  []string `json:"references"`
	// Facets are the parts of the model that can reveal the problem
	// (Facets lists them: config, deployment, env, streams, …), never file
	// formats: a rule about deployments judges a compose service, a
	// Kubernetes workload and a Helm release alike. The rule counts as
	// evaluated when the scan's model has one of them.
	Facets  []string `json:"facets"`
	Package string   `json:"package"`
	File    string   `json:"file"`
	Line    int      `json:"line"`
	Custom  bool     `json:"custom,omitempty"`
	// SeverityVaries says how a finding's severity can differ from
	// Severity, the rule's default: METADATA custom.severity_varies, or a
	// generic sentence for a rule that sets a severity per finding
	// (lib.finding_sev). Empty when every finding has the default.
	SeverityVaries string `json:"severity_varies,omitempty"`
	// RemediationBySource words the fix for the input format the finding
	// is in (METADATA custom.remediation_by_source; keys RemediationSources),
	// where Remediation's wording does not fit it: a password in a .env
	// file is not fixed with a quoted bcrypt hash.
	RemediationBySource map[string]string `json:"remediation_by_source,omitempty"`
	// FixKind names the change the rule's fix makes to the value a finding
	// points at (METADATA custom.fix_kind: "nats_version", "secret_value",
	// "certificate"): findings of rules with the same fix kind at the same
	// value are one root cause, fixed by one change (report.RootCause).
	// Empty: the rule's fix is its own, and its findings share a root
	// cause with no other rule's.
	FixKind string `json:"fix_kind,omitempty"`
}

// ValidFixKind reports whether s can name a fix kind: a lower-case
// identifier (letters, digits, underscores).
func ValidFixKind(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// RemediationSources are the input formats a rule may word its fix for.
var RemediationSources = []string{"config", "compose", "env", "kubernetes", "helm"}

// RemediationFor is the rule's fix for a finding in an input of format
// source (RemediationSources), or its general one.
func (r *Rule) RemediationFor(source string) string {
	if v := r.RemediationBySource[source]; v != "" {
		return v
	}
	return r.Remediation
}

// SeverityText is the severity as the catalog shows it: "high", or
// "high (critical when an applicable advisory is critical)".
func (r *Rule) SeverityText() string {
	if r.SeverityVaries == "" {
		return string(r.Severity)
	}
	return string(r.Severity) + " (" + r.SeverityVaries + ")"
}

// HelpURI is the rule's documentation page.
func (r *Rule) HelpURI() string {
	return DocsBase + "#" + strings.ToLower(r.ID)
}

// DocsBase is where docs/rules.md is published.
const DocsBase = "https://github.com/natsaudit/natsaudit/blob/main/docs/rules.md"
