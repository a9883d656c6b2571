package rules_test

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/rules"
)

// TestRego runs every *_test.rego of the built-in catalog, with the
// catalog's data, as `opa test` would.
func TestRego(t *testing.T) {
	ctx := context.Background()
	eng, err := engine.New(ctx, engine.Options{IncludeTests: true})
	if err != nil {
		t.Fatal(err)
	}
	store := inmem.NewFromObject(map[string]any{"natsaudit": eng.Data})
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(engine.Capabilities())).
		SetStore(store).
		SetModules(modulesOf(eng)).
		EnableTracing(false).
		RunTests(ctx, txn)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
		name := r.Package + "." + r.Name
		switch {
		case r.Error != nil:
			t.Errorf("%s: error: %v", name, r.Error)
		case r.Fail:
			t.Errorf("%s: FAIL (%s)", name, r.Location)
		case r.Skip:
			// A skipped Rego test (todo_test_…) pins nothing: the rule it
			// was written for can regress unnoticed, so it fails the suite.
			t.Errorf("%s: skipped (rename todo_test_ to test_ or delete it)", name)
		}
	}
	if n == 0 {
		t.Fatal("no Rego tests ran")
	}
	t.Logf("%d Rego tests", n)
}

func modulesOf(eng *engine.Engine) map[string]*ast.Module {
	out := make(map[string]*ast.Module, len(eng.Modules))
	for k, v := range eng.Modules {
		out[k] = v
	}
	return out
}

// TestEveryRuleIsTested checks that each rule ID appears in a *_test.rego
// with at least one test that fires and one that must stay quiet.
func TestEveryRuleIsTested(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var tests strings.Builder
	_ = fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, "_test.rego") {
			b, _ := fs.ReadFile(rules.FS, p)
			tests.Write(b)
		}
		return nil
	})
	text := tests.String()
	for _, r := range eng.Rules() {
		if !strings.Contains(text, r.ID) {
			t.Errorf("%s (%s:%d) has no test: name it in a *_test.rego", r.ID, r.File, r.Line)
			continue
		}
		num := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(r.ID, "NATS-"), "-", "_"))
		fires := regexp.MustCompile(`test_` + num + `_fires\w*`)
		quiet := regexp.MustCompile(`test_` + num + `_quiet\w*`)
		if !fires.MatchString(text) || !quiet.MatchString(text) {
			t.Errorf("%s needs tests named test_%s_fires_* and test_%s_quiet_* (a close look-alike that must not fire)", r.ID, num, num)
		}
	}
}

// codeLine matches remediation lines that are configuration or commands
// rather than prose: a config key with its value, a brace or bracket, a JSON
// key, a YAML list item or a comment. Wrapped prose can start with a word
// and a colon too; prose() tells those apart.
var codeLine = regexp.MustCompile(`^([a-z_][a-z0-9_]*\s*(:\s|=|\{)|[{}\[\]]|"[a-z_]+"\s*:|- |#)`)

// prose: inline code spans and clauses belong to sentences, not snippets.
func prose(l string) bool { return strings.Contains(l, "`") || strings.Contains(l, "; ") }

// TestRemediationSnippetsAreIndented: remediation text is Markdown (docs,
// SARIF help, the Markdown report) and plain text (terminal). Snippets are
// indented 4 spaces and set off by blank lines, so that they render as code
// in Markdown and read as code in a terminal; no fences, no bare config
// lines in the prose.
func TestRemediationSnippetsAreIndented(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eng.Rules() {
		lines := strings.Split(r.Remediation, "\n")
		for i, l := range lines {
			code := strings.HasPrefix(l, "    ")
			prev, next := "", ""
			if i > 0 {
				prev = lines[i-1]
			}
			if i+1 < len(lines) {
				next = lines[i+1]
			}
			switch {
			case strings.Contains(l, "```"):
				t.Errorf("%s remediation line %d: fenced code; indent snippets 4 spaces instead", r.ID, i+1)
			case !code && codeLine.MatchString(strings.TrimSpace(l)) && !prose(l):
				t.Errorf("%s remediation line %d looks like code but is not indented 4 spaces: %q", r.ID, i+1, l)
			case code && prev != "" && !strings.HasPrefix(prev, "    "):
				t.Errorf("%s remediation line %d: a snippet needs a blank line before it (else Markdown reads it as prose): %q", r.ID, i+1, l)
			case code && next != "" && !strings.HasPrefix(next, "    "):
				t.Errorf("%s remediation line %d: a snippet needs a blank line after it: %q", r.ID, i+1, l)
			}
		}
	}
}
