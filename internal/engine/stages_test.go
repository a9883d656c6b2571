package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/rules"
)

// TestSkippedStagesOnlyCheck: the compiler stages New skips for the
// built-in catalog only report errors. Compiled with and without them, every
// module comes out the same (the rewritten rules evaluation runs), and the
// full compile finds nothing (as rules/lint_test.go's strict compile does).
func TestSkippedStagesOnlyCheck(t *testing.T) {
	compile := func(skip bool) map[string]*ast.Module {
		mods := map[string]*ast.Module{}
		if err := loadFS(rules.FS, ".", "rules", mods, false, nil); err != nil {
			t.Fatal(err)
		}
		c := ast.NewCompiler().WithCapabilities(Capabilities()).WithEnablePrintStatements(false)
		if skip {
			c = c.WithSkipStages(checkOnlyStages...)
		}
		c.Compile(mods)
		if c.Failed() {
			t.Fatalf("skip=%v: %v", skip, c.Errors)
		}
		return c.Modules
	}
	full, fast := compile(false), compile(true)
	if len(full) != len(fast) || len(full) == 0 {
		t.Fatalf("%d modules with every stage, %d without the checks", len(full), len(fast))
	}
	for name, m := range full {
		f, ok := fast[name]
		if !ok {
			t.Fatalf("%s: missing without the checks", name)
		}
		if a, b := m.String(), f.String(); a != b {
			t.Errorf("%s compiles differently without the check stages:\n%s\n----\n%s", name, a, b)
		}
	}
	for _, s := range checkOnlyStages {
		if !slices.Contains(ast.AllStages(), s) {
			t.Errorf("stage %s is not one of the compiler's", s)
		}
	}
}

// TestNewChecksUserRules: user rules still get every check (here a type
// error the skipped CheckTypes stage finds).
func TestNewChecksUserRules(t *testing.T) {
	dir := t.TempDir()
	src := "package natsaudit.rules.usertype\n\nimport rego.v1\n\nx := count(1)\n"
	if err := os.WriteFile(filepath.Join(dir, "x.rego"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(context.Background(), Options{RuleDirs: []string{dir}, Guard: safefile.NewGuard(dir)})
	if err == nil || !strings.Contains(err.Error(), "count") {
		t.Fatalf("a user rule with a type error compiled: %v", err)
	}
}
