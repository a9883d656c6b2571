package rules_test

import (
	"bytes"
	"context"
	"io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/rules"
)

// regoFiles reads every .rego file of the built-in catalog, tests included.
func regoFiles(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		b, err := fs.ReadFile(rules.FS, p)
		out[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no .rego files")
	}
	return out
}

// TestRegoFormatted is `opa fmt --list rules/` with the OPA module natsaudit
// is built with: every file as opa fmt would write it.
func TestRegoFormatted(t *testing.T) {
	files := regoFiles(t)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		got, err := format.SourceWithOpts(n, files[n], format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if !bytes.Equal(got, files[n]) {
			t.Errorf("rules/%s is not formatted as opa fmt writes it (go run ./tools/regofmt)", n)
		}
	}
}

// TestRegoCheckStrict is `opa check --strict rules/`: unused arguments and
// imports, shadowed and deprecated built-ins, duplicate imports, unused local
// assignments are errors.
func TestRegoCheckStrict(t *testing.T) {
	files := regoFiles(t)
	mods := map[string]*ast.Module{}
	for n, b := range files {
		m, err := ast.ParseModuleWithOpts(n, string(b), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		mods[n] = m
	}
	c := ast.NewCompiler().WithStrict(true).WithCapabilities(engine.Capabilities()).WithEnablePrintStatements(false)
	c.Compile(mods)
	for _, e := range c.Errors {
		t.Errorf("%v", e)
	}
}

// TestRegoStyle checks the few style rules that matter for this catalog
// (after Regal's style guide; Regal itself is not served by the Go module
// proxy): `with` and `print` only in tests — a rule that replaces input or
// data with `with` at run time hides what it judges, and print output goes
// to nowhere in a scan; each rule file's package is natsaudit.rules.<file>,
// so a finding's package names the file its rule lives in; and helper rules
// in a rule package are private (_name), so the only public rule of a rule
// package is deny and no rule package depends on another's helpers.
func TestRegoStyle(t *testing.T) {
	for n, b := range regoFiles(t) {
		m, err := ast.ParseModuleWithOpts(n, string(b), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if strings.HasSuffix(n, "_test.rego") {
			continue
		}
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			if len(e.With) > 0 {
				t.Errorf("%s:%d: `with` outside a test", n, e.Location.Row)
			}
			if e.IsCall() && e.Operator().String() == "print" {
				t.Errorf("%s:%d: print outside a test", n, e.Location.Row)
			}
			return false
		})
		if strings.HasPrefix(n, "lib/") {
			// One library package per file (natsaudit.rego is the core,
			// data.natsaudit.lib), so a helper's package says where it is.
			want := "data.natsaudit.lib." + strings.TrimSuffix(strings.TrimPrefix(n, "lib/"), ".rego")
			if n == "lib/natsaudit.rego" {
				want = "data.natsaudit.lib"
			}
			if m.Package.Path.String() != want {
				t.Errorf("%s: package %s, want %s", n, m.Package.Path, want)
			}
			continue
		}
		stem := strings.TrimSuffix(n, ".rego")
		if want := "data.natsaudit.rules." + stem; m.Package.Path.String() != want {
			t.Errorf("%s: package %s, want %s", n, m.Package.Path, want)
		}
		for _, r := range m.Rules {
			name := r.Head.Name.String()
			if len(r.Head.Reference) > 0 {
				name = r.Head.Reference[0].String()
			}
			if name != "deny" && !strings.HasPrefix(name, "_") {
				t.Errorf("%s:%d: helper rule %s of a rule package should be private (_%s) or live in lib/", n, r.Location.Row, name, name)
			}
		}
	}
}

// TestRulesNameFacets: built-in rules say which facets of the model they
// judge (custom.facets), never which file formats (the 0.1 custom.sources,
// still read for custom rules).
func TestRulesNameFacets(t *testing.T) {
	for n, b := range regoFiles(t) {
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(line, "#")), "sources:") {
				t.Errorf("%s:%d: METADATA custom.sources: name facets instead (custom.facets)", n, i+1)
			}
		}
	}
}

// TestRulesFixKinds: a built-in fix kind (METADATA custom.fix_kind) names
// a change that several rules ask for (report.RootCause groups their
// findings at one value): a kind only one rule declares groups nothing, and
// is most likely a typo of another rule's.
func TestRulesFixKinds(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{CatalogOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]string{}
	for _, r := range eng.Rules() {
		if r.FixKind != "" {
			byKind[r.FixKind] = append(byKind[r.FixKind], r.ID)
		}
	}
	if len(byKind) == 0 {
		t.Fatal("no rule declares a fix kind")
	}
	for k, ids := range byKind {
		if len(ids) < 2 {
			t.Errorf("fix kind %q is declared by %v only: a kind names a change several rules share", k, ids)
		}
	}
}

// TestRegoInputSchema: the built-in catalog, tests included, compiles
// against the input's JSON Schema (docs/schema/input-v1.json): no rule
// reads a field the input does not have. Scans skip this check for the
// built-in rules; this test is where it is made.
func TestRegoInputSchema(t *testing.T) {
	if _, err := engine.New(context.Background(), engine.Options{CheckInputSchema: true, IncludeTests: true}); err != nil {
		t.Fatal(err)
	}
}
