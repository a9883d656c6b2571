package report

import (
	"context"
	"regexp"
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
