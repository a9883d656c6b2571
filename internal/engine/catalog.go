package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// Rule is the catalog entry of the shared vocabulary.
type Rule = finding.Rule

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
		r.ID, r.Severity, r.Category, r.Remediation = get("id"), finding.Severity(get("severity")), finding.Category(get("category")), get("remediation")
		r.SeverityVaries = get("severity_varies")
		if rule := ar.GetRule(); r.SeverityVaries == "" && rule != nil && setsSeverity(rule) {
			r.SeverityVaries = "varies with the case: each finding carries its own"
		}
		if m, ok := a.Custom["remediation_by_source"]; ok {
			by, ok := m.(map[string]any)
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: %s: custom.remediation_by_source: want a mapping of %s to text", loc, r.ID, strings.Join(finding.RemediationSources, ", ")))
			}
			for k, v := range by {
				text, isText := v.(string)
				switch {
				case !slices.Contains(finding.RemediationSources, k):
					errs = append(errs, fmt.Sprintf("%s: %s: custom.remediation_by_source: unknown source %q (want %s)", loc, r.ID, k, strings.Join(finding.RemediationSources, ", ")))
				case !isText || strings.TrimSpace(text) == "":
					errs = append(errs, fmt.Sprintf("%s: %s: custom.remediation_by_source.%s: want text", loc, r.ID, k))
				default:
					if r.RemediationBySource == nil {
						r.RemediationBySource = map[string]string{}
					}
					// One paragraph on one line: reports show it as the
					// finding's own fix, line by line.
					r.RemediationBySource[k] = strings.Join(strings.Fields(text), " ")
				}
			}
		}
		if r.FixKind = get("fix_kind"); r.FixKind != "" && !finding.ValidFixKind(r.FixKind) {
			errs = append(errs, fmt.Sprintf("%s: %s: custom.fix_kind %q: want a lower-case identifier naming the change (nats_version, secret_value)", loc, r.ID, r.FixKind))
		}
		var badFacets []string
		r.Facets, badFacets = facets(a.Custom)
		if len(badFacets) > 0 {
			errs = append(errs, fmt.Sprintf("%s: %s: unknown facet %s (want %s)", loc, r.ID, strings.Join(badFacets, ", "), strings.Join(finding.Facets, ", ")))
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
		case !r.Severity.Valid():
			errs = append(errs, fmt.Sprintf("%s: %s: severity %q is not one of %s", loc, r.ID, r.Severity, strings.Join(finding.SeverityNames(), ", ")))
		case !r.Category.Valid():
			errs = append(errs, fmt.Sprintf("%s: %s: category %q is not one of %s", loc, r.ID, r.Category, strings.Join(finding.CategoryNames(), ", ")))
		case r.Title == "" || r.Description == "" || r.Remediation == "":
			errs = append(errs, fmt.Sprintf("%s: %s: METADATA needs title, description and custom.remediation", loc, r.ID))
		case len(r.Facets) == 0:
			errs = append(errs, fmt.Sprintf("%s: %s: METADATA needs custom.facets (%s)", loc, r.ID, strings.Join(finding.Facets, ", ")))
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

// facets reads METADATA custom.facets, or, for rules written before facets,
// custom.sources translated from input kinds (finding.LegacySourceFacets).
// It returns the facets, sorted and once each, and the names it does not
// know.
func facets(custom map[string]any) (out, unknown []string) {
	seen := map[string]bool{}
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	list := func(key string) []string {
		var names []string
		if xs, ok := custom[key].([]any); ok {
			for _, x := range xs {
				if s, ok := x.(string); ok {
					names = append(names, s)
				}
			}
		}
		return names
	}
	if fs := list("facets"); len(fs) > 0 {
		for _, f := range fs {
			if finding.ValidFacet(f) {
				add(f)
			} else {
				unknown = append(unknown, f)
			}
		}
	} else {
		for _, s := range list("sources") {
			if m, ok := finding.LegacySourceFacets[s]; ok {
				for _, f := range m {
					add(f)
				}
			} else {
				unknown = append(unknown, s)
			}
		}
	}
	sort.Strings(out)
	return out, unknown
}
