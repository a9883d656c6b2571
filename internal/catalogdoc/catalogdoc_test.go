package catalogdoc_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/catalogdoc"
	"github.com/natsaudit/natsaudit/internal/engine"
)

func builtin(t *testing.T) []*engine.Rule {
	t.Helper()
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return eng.Rules()
}

// TestDocsUpToDate fails when docs/rules.md no longer matches the rules'
// METADATA, so that CI catches a forgotten `go generate ./rules`.
func TestDocsUpToDate(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := catalogdoc.DocsFile(eng.Rules(), eng.Params())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Fatalf("%v: run `go generate ./rules`", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/rules.md is out of date: run `go generate ./rules` and commit it (first difference at line %d)", firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// Every rule is in the table and has the anchor its SARIF helpUri and
// report links point at.
func TestEveryRuleHasItsAnchor(t *testing.T) {
	rules := builtin(t)
	var b bytes.Buffer
	if err := catalogdoc.Markdown(&b, rules, catalogdoc.Options{DocsDir: "docs"}); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	for _, r := range rules {
		frag := r.HelpURI()[strings.Index(r.HelpURI(), "#")+1:]
		if !strings.Contains(doc, `<a id="`+frag+`"></a>`) {
			t.Errorf("%s: no anchor %q for %s", r.ID, frag, r.HelpURI())
		}
		if !strings.Contains(doc, "| ["+r.ID+"](#"+frag+") | "+string(r.Severity)+" | "+string(r.Category)+" |") {
			t.Errorf("%s: missing from the summary table", r.ID)
		}
		if !strings.Contains(doc, "**Rule:** ["+r.File+"](../"+r.File+")") {
			t.Errorf("%s: no link to %s", r.ID, r.File)
		}
	}
	if n := len(regexp.MustCompile(`(?m)^### NATS-`).FindAllString(doc, -1)); n != len(rules) {
		t.Errorf("%d rule sections for %d rules", n, len(rules))
	}
}

func TestMarkdownIsDeterministic(t *testing.T) {
	rules := builtin(t)
	var a, b bytes.Buffer
	if err := catalogdoc.Markdown(&a, rules, catalogdoc.Options{}); err != nil {
		t.Fatal(err)
	}
	// Same catalog in another order: same document.
	rev := make([]*engine.Rule, len(rules))
	for i, r := range rules {
		rev[len(rules)-1-i] = r
	}
	if err := catalogdoc.Markdown(&b, rev, catalogdoc.Options{}); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("output depends on the order of the rules")
	}
}

func TestCustomRulesGetTheirOwnSection(t *testing.T) {
	rules := []*engine.Rule{
		{ID: "NATS-TLS-001", Title: "T", Severity: "high", Category: "security", Description: "d", Remediation: "r", Facets: []string{"config"}, File: "rules/tls.rego"},
		{ID: "ACME-NAMING-001", Title: "Stream | names", Severity: "low", Category: "operations", Description: "d", Remediation: "r", Facets: []string{"streams"}, File: "policies/naming.rego", Custom: true},
	}
	var b bytes.Buffer
	if err := catalogdoc.Markdown(&b, rules, catalogdoc.Options{DocsDir: "docs"}); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	for _, want := range []string{
		"2 rules (1 security, 1 operations).",
		"| [ACME-NAMING-001](#acme-naming-001) | low | operations | Stream \\| names |",
		"\n## NAMING\n",
		"**Rule:** `policies/naming.rego`",
		"**Rule:** [rules/tls.rego](../rules/tls.rego)",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("missing %q in:\n%s", want, doc)
		}
	}
	if strings.Index(doc, "## TLS") > strings.Index(doc, "## NAMING") {
		t.Error("built-in families come first")
	}
}
