package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// SeverityRank orders severities: critical 4 ... info 0; unknown -1.
func SeverityRank(s string) int {
	for i, x := range Severities {
		if x == s {
			return len(Severities) - 1 - i
		}
	}
	return -1
}

// Categories of rules.
var Categories = []string{"security", "reliability", "performance", "operations"}

// Rule is one catalog entry, read from a rule's METADATA annotations.
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Remediation string   `json:"remediation"`
	References  []string `json:"references"`
	// Sources are the kinds of input that can reveal the problem (config,
	// compose, env, streams, certs, files, live); the rule counts as evaluated
	// when the scan has one of them.
	Sources []string `json:"sources"`
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
		return r.Severity
	}
	return r.Severity + " (" + r.SeverityVaries + ")"
}

// setsSeverity reports whether a rule's body calls finding_sev, the
// helper that gives a finding a severity other than the rule's default.
func setsSeverity(rule *ast.Rule) bool {
	found := false
	ast.WalkRefs(rule, func(ref ast.Ref) bool {
		if s, ok := ref[len(ref)-1].Value.(ast.String); ok && string(s) == "finding_sev" {
			found = true
		}
		return found
	})
	return found
}

// HelpURI is the rule's documentation page.
func (r *Rule) HelpURI() string {
	return DocsBase + "#" + strings.ToLower(r.ID)
}

// DocsBase is where docs/rules.md is published.
const DocsBase = "https://github.com/natsaudit/natsaudit/blob/main/docs/rules.md"

// catalog reads rule metadata from the modules' annotations. Every deny rule
// must have an id, a known severity and category, a title, a description and
// a remediation.
func catalog(as *ast.AnnotationSet, custom map[string]bool) ([]*Rule, error) {
	var out []*Rule
	var errs []string
	seen := map[string]string{}
	for _, ar := range as.Flatten() {
		a := ar.Annotations
		if a == nil || a.Scope != "rule" {
			continue
		}
		path := ar.Path.String()
		if !strings.HasPrefix(path, "data.natsaudit.rules.") || !strings.HasSuffix(path, ".deny") {
			continue
		}
		loc := ""
		r := &Rule{Title: a.Title, Description: strings.TrimSpace(a.Description), Package: strings.TrimSuffix(strings.TrimPrefix(path, "data."), ".deny")}
		if a.Location != nil {
			r.File, r.Line = a.Location.File, a.Location.Row
			loc = fmt.Sprintf("%s:%d", r.File, r.Line)
		}
		r.Custom = custom[r.File]
		get := func(k string) string {
			if v, ok := a.Custom[k].(string); ok {
				return strings.TrimSpace(v)
			}
			return ""
		}
		r.ID, r.Severity, r.Category, r.Remediation = get("id"), get("severity"), get("category"), get("remediation")
		r.SeverityVaries = get("severity_varies")
		if rule := ar.GetRule(); r.SeverityVaries == "" && rule != nil && setsSeverity(rule) {
			r.SeverityVaries = "varies with the case: each finding carries its own"
		}
		if srcs, ok := a.Custom["sources"].([]any); ok {
			for _, s := range srcs {
				if str, ok := s.(string); ok {
					r.Sources = append(r.Sources, str)
				}
			}
		}
		for _, rr := range a.RelatedResources {
			if rr.Ref.String() != "" {
				r.References = append(r.References, rr.Ref.String())
			}
		}
		if r.References == nil {
			r.References = []string{}
		}
		switch {
		case r.ID == "":
			errs = append(errs, loc+": METADATA custom.id is missing")
			continue
		case SeverityRank(r.Severity) < 0:
			errs = append(errs, fmt.Sprintf("%s: %s: severity %q is not one of %s", loc, r.ID, r.Severity, strings.Join(Severities, ", ")))
		case !validCategory(r.Category):
			errs = append(errs, fmt.Sprintf("%s: %s: category %q is not one of %s", loc, r.ID, r.Category, strings.Join(Categories, ", ")))
		case r.Title == "" || r.Description == "" || r.Remediation == "":
			errs = append(errs, fmt.Sprintf("%s: %s: METADATA needs title, description and custom.remediation", loc, r.ID))
		case len(r.Sources) == 0:
			errs = append(errs, fmt.Sprintf("%s: %s: METADATA needs custom.sources", loc, r.ID))
		}
		if prev, dup := seen[r.ID]; dup {
			errs = append(errs, fmt.Sprintf("%s: rule id %s is already used at %s", loc, r.ID, prev))
			continue
		}
		seen[r.ID] = loc
		out = append(out, r)
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("invalid rule metadata:\n  %s", strings.Join(errs, "\n  "))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func validCategory(c string) bool {
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}
