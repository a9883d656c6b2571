package report

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestCatalogFirstFixIsASentence: the first sentence of every built-in
// rule's remediation is what the remediation plan and "most urgent" show;
// it must stand on its own (issue 19: no "see the message", no sentence
// cut at "e.g." or at an ellipsis, no dangling colon).
func TestCatalogFirstFixIsASentence(t *testing.T) {
	e, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fwd := regexp.MustCompile(`(?i)see the message|the message names|see below|see above|as follows|the following|\.\.\.|:\.$|, e\.g\.$`)
	for _, r := range e.Rules() {
		s := firstSentence(r.Remediation)
		// An ellipsis inside a code span is a placeholder of the example.
		prose := regexp.MustCompile("`[^`]*`").ReplaceAllString(s, "`code`")
		switch {
		case len(s) < 12 || s[len(s)-1] != '.':
			t.Errorf("%s: not a full sentence: %q", r.ID, s)
		case fwd.MatchString(prose):
			t.Errorf("%s: points elsewhere or is cut (%q): %q", r.ID, fwd.FindString(prose), s)
		case regexp.MustCompile(`^(With|For|If|When|Once) [^,]*\.$`).MatchString(s):
			t.Errorf("%s: a subordinate clause without a main one: %q", r.ID, s)
		}
	}
}

func TestFirstSentenceSkipsAbbreviations(t *testing.T) {
	for in, want := range map[string]string{
		"Use `resolver_tls { ca_file: ... }`, or the full resolver. More.": "Use `resolver_tls { ca_file: ... }`, or the full resolver.",
		"Bound it, e.g. with max_bytes. Then alert.":                       "Bound it, e.g. with max_bytes.",
		"Fix it. Then check.": "Fix it.",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}

// A fix with a pipe stays in its cell of the remediation plan, whether it
// is the catalog's Markdown (a shell pipe in a code span) or a custom
// rule's escaped text.
func TestPlanRowKeepsPipesInTheCell(t *testing.T) {
	for _, custom := range []bool{false, true} {
		rule := &engine.Rule{ID: "X-1", Title: "T", Severity: "high", Category: "security", Custom: custom,
			Remediation: "Check it with `docker compose config | grep image` and fix it | now."}
		r := &Report{Scan: ScanInfo{Started: "2026-11-23T00:00:00Z"},
			Summary:  Summary{Total: 1, Severity: map[string]int{"high": 1}},
			Findings: []Finding{{RuleID: "X-1", Severity: "high", Category: "security", Title: "T", Message: "m", Target: "server a"}},
			Rules:    []RuleStatus{{ID: "X-1", Title: "T", Severity: "high", Category: "security", Evaluated: true, Findings: 1, Custom: custom}}}
		var b strings.Builder
		if err := WriteMarkdown(&b, r, RenderOptions{Rules: []*engine.Rule{rule}}); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(b.String(), "\n") {
			if !strings.HasPrefix(l, "| 1 |") {
				continue
			}
			cells := 0
			for i := 0; i < len(l); i++ {
				if l[i] == '\\' {
					i++
					continue
				}
				if l[i] == '|' {
					cells++
				}
			}
			if cells != 7 {
				t.Errorf("custom=%v: plan row has %d unescaped pipes, want 7: %s", custom, cells, l)
			}
		}
	}
}

// The remediation plan's prerequisites are the ones the findings computed
// from the deployment when they have one (each once, a closing sentence
// that announces a command dropped), the rule family's generic line
// otherwise, and never a custom rule's text.
func TestPlanPrerequisiteFromFinding(t *testing.T) {
	conflict := "Conflict: the store is full, so nats-server refuses it. First make room: lower A. Meanwhile bound it by age:\n\n    nats stream edit B --max-age 30d\n"
	for _, c := range []struct {
		id     string
		custom bool
		rems   []string
		want   string
	}{
		{"NATS-STR-004", false, []string{conflict, conflict, "Bound it."}, "Conflict: the store is full, so nats-server refuses it. First make room: lower A."},
		{"NATS-TLS-002", false, []string{"Prerequisite: give field-service a client certificate.\nThen remove it.", "Prerequisite: other."}, "Prerequisite: give field-service a client certificate. Then remove it. Prerequisite: other."},
		{"NATS-STR-004", false, []string{"Bound it within 5 GiB."}, "The bound must fit in what max_file_store leaves free after the other streams' reservations."},
		{"X-1", true, []string{"Prerequisite: from a custom rule."}, ""},
	} {
		r := &Report{Rules: []RuleStatus{{ID: c.id, Custom: c.custom}}}
		a := action{RuleID: c.id}
		for _, rem := range c.rems {
			a.Leads = append(a.Leads, Finding{RuleID: c.id, Remediation: rem})
		}
		if _, got, _ := planFacts(a, r); got != c.want {
			t.Errorf("%s %q: prerequisite %q, want %q", c.id, c.rems, got, c.want)
		}
	}
}
