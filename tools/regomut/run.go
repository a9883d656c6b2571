package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/natsaudit/natsaudit/internal/engine"
)

// Catalog is the parsed rule tree: every module's source and AST, keyed by
// its name (rules/ops.rego, rules/lib/natsaudit.rego, rules/ops_test.rego).
type Catalog struct {
	Src  map[string]string
	Mods map[string]*ast.Module
}

func parse(name, src string) (*ast.Module, error) {
	// As the engine parses them (internal/engine: parse).
	return ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
}

// LoadCatalog parses every .rego of fsys (the embedded rules.FS, or a
// directory for the tool's own tests), naming modules prefix/path.
func LoadCatalog(fsys fs.FS, prefix string) (*Catalog, error) {
	c := &Catalog{Src: map[string]string{}, Mods: map[string]*ast.Module{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := path.Join(prefix, p)
		m, err := parse(name, string(b))
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		c.Src[name], c.Mods[name] = string(b), m
		return nil
	})
	return c, err
}

func isTest(name string) bool { return strings.HasSuffix(name, "_test.rego") }
func isLib(name string) bool  { return strings.Contains(name, "/lib/") }

// RuleFiles are the rule modules (not tests, and lib only when asked).
func (c *Catalog) RuleFiles(lib bool) []string {
	var out []string
	for n := range c.Mods {
		if !isTest(n) && (lib || !isLib(n)) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// imports reports whether m imports the package path pkg (data.x.y).
func imports(m *ast.Module, pkg string) bool {
	for _, imp := range m.Imports {
		if imp.Path.String() == pkg {
			return true
		}
	}
	return false
}

// Set is the modules a mutant of file is compiled with and the tests that
// judge it: the library, shared fixtures, the file and the test modules that
// import its package (all tests for a library file). Compiling one package
// instead of the catalog is what makes a mutant cost milliseconds.
func (c *Catalog) Set(file string) map[string]*ast.Module {
	out := map[string]*ast.Module{}
	pkg := c.Mods[file].Package.Path.String()
	for n, m := range c.Mods {
		testsRule := false
		for _, imp := range m.Imports {
			if strings.HasPrefix(imp.Path.String(), "data.natsaudit.rules.") {
				testsRule = true
			}
		}
		switch {
		case isLib(file) && (!isTest(n) || testsRule): // a library change is judged by every test
			out[n] = m
		case n == file, isLib(n):
			out[n] = m
		case isTest(n) && (!testsRule || imports(m, pkg)): // fixtures, and this package's tests
			out[n] = m
		}
	}
	return out
}

// Outcome of one mutant.
type Outcome int

const (
	Killed   Outcome = iota // a test failed or errored
	Survived                // every test passed
	Invalid                 // the mutant doesn't parse or compile
	TimedOut                // the tests ran out of time: counted as killed
)

func (o Outcome) String() string {
	return [...]string{"killed", "survived", "invalid", "timeout"}[o]
}

// Runner runs the tests of a module set.
type Runner struct {
	Store   storage.Store
	Timeout time.Duration
}

// Run compiles set with file replaced by src and runs its tests; it stops
// at the first failing test. killer names it.
func (r *Runner) Run(ctx context.Context, set map[string]*ast.Module, file, src string) (o Outcome, killer string, err error) {
	mods := make(map[string]*ast.Module, len(set))
	for k, v := range set {
		mods[k] = v
	}
	m, perr := parse(file, src)
	if perr != nil {
		return Invalid, "", nil
	}
	mods[file] = m
	// The tester compiles (with its own stages added); a compile error is
	// an invalid mutant, not a kill.
	comp := ast.NewCompiler().WithCapabilities(engine.Capabilities()).WithEnablePrintStatements(false)
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	txn, err := r.Store.NewTransaction(ctx)
	if err != nil {
		return 0, "", err
	}
	defer r.Store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetCompiler(comp).
		SetStore(r.Store).
		SetModules(mods).
		EnableTracing(false).
		SetTimeout(r.Timeout).
		RunTests(ctx, txn)
	if err != nil {
		return Invalid, "", nil
	}
	o, n := Survived, 0
	for res := range ch {
		n++
		if o != Survived {
			continue // drain: the runner stops soon after the cancel
		}
		switch {
		case res.Error != nil:
			var tErr interface{ Timeout() bool }
			if errors.Is(res.Error, context.DeadlineExceeded) || (errors.As(res.Error, &tErr) && tErr.Timeout()) || strings.Contains(res.Error.Error(), "timed out") {
				o = TimedOut
			} else {
				o = Killed
			}
			killer = res.Package + "." + res.Name
			cancel()
		case res.Fail || res.Skip:
			o, killer = Killed, res.Package+"."+res.Name
			cancel()
		}
	}
	if n == 0 {
		return 0, "", fmt.Errorf("%s: no tests ran", file)
	}
	return o, killer, nil
}
