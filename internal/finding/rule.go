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
