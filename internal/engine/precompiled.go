package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/version"

	"github.com/natsaudit/natsaudit/rules"
)

// The built-in catalog, compiled at `go generate` time (rules/catalog.bin,
// written by tools/rulescompile): parsing the Rego sources and OPA's
// rewriting stages (local variables, comprehensions, equalities, reordering
// bodies for safety) were most of a small scan's CPU time, and their result
// is the same on every run. The file holds the compiled modules, the
// compiler's map of rewritten variables and the catalog read from the
// METADATA; New then runs only the compiler stages that build what
// evaluation looks up (module and rule trees, dependency graph, rule and
// comprehension indices). It is used only when its digest is that of the
// embedded sources and this OPA version: a rule edited without
// `go generate` is parsed and compiled as before (and
// TestPrecompiledUpToDate fails), so a stale file is slow, never wrong.

// usePrecompiled is false in tests that measure or compare the compile
// from sources.
var usePrecompiled = true

const precompiledMagic = "natsaudit compiled rules v2\n"

// indexStages are the stages run over precompiled modules: they fill the
// compiler's lookup structures evaluation reads and change no module. Left
// out: the local variable generator (only rewriting stages use it) and the
// dependency graph (only the recursion and type checks read it; neither
// topdown nor rego does).
var indexStages = map[ast.StageID]bool{
	ast.StageSetModuleTree:             true,
	ast.StageSetRuleTree:               true,
	ast.StageBuildRuleIndices:          true,
	ast.StageBuildComprehensionIndices: true,
}

// nonIndexStages is every other stage (what a precompiled catalog skips).
func nonIndexStages() []ast.StageID {
	var out []ast.StageID
	for _, s := range ast.AllStages() {
		if !indexStages[s] {
			out = append(out, s)
		}
	}
	return out
}

// builtinSources are the built-in rule files New compiles (no tests),
// keyed by module name ("rules/<file>").
func builtinSources() (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return nil
		}
		b, err := fs.ReadFile(rules.FS, p)
		if err != nil {
			return err
		}
		out["rules/"+p] = b
		return nil
	})
	return out, err
}

// sourceDigest identifies what a precompiled catalog was built from: the
// rule files, the OPA version and the file format.
func sourceDigest(sources map[string][]byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(precompiledMagic))
	h.Write([]byte(version.Version + "\n"))
	names := make([]string, 0, len(sources))
	for k := range sources {
		names = append(names, k)
	}
	sort.Strings(names)
	var n [8]byte
	for _, k := range names {
		binary.LittleEndian.PutUint64(n[:], uint64(len(k)))
		h.Write(n[:])
		h.Write([]byte(k))
		binary.LittleEndian.PutUint64(n[:], uint64(len(sources[k])))
		h.Write(n[:])
		h.Write(sources[k])
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// compileBuiltin parses and compiles the built-in catalog the way a scan
// does (check-only stages skipped: rules/lint_test.go runs them).
func compileBuiltin() (*ast.Compiler, map[string]*ast.Module, error) {
	mods := map[string]*ast.Module{}
	if err := loadFS(rules.FS, ".", "rules", mods, false, nil); err != nil {
		return nil, nil, err
	}
	c := ast.NewCompiler().
		WithCapabilities(Capabilities()).
		WithEnablePrintStatements(false).
		WithSkipStages(checkOnlyStages...)
	c.Compile(mods)
	if c.Failed() {
		return nil, nil, fmt.Errorf("compile rules: %w", c.Errors)
	}
	return c, mods, nil
}

// Precompile builds the contents of rules/catalog.bin from the embedded
// sources (tools/rulescompile, run by `go generate ./rules`).
func Precompile() ([]byte, error) {
	relaxGC()()
	sources, err := builtinSources()
	if err != nil {
		return nil, err
	}
	c, mods, err := compileBuiltin()
	if err != nil {
		return nil, err
	}
	as, errs := ast.BuildAnnotationSet(sortedModules(mods))
	if len(errs) > 0 {
		return nil, fmt.Errorf("compile rules: %w", errs)
	}
	cat, err := catalog(as, nil)
	if err != nil {
		return nil, err
	}
	catJSON, err := json.Marshal(cat)
	if err != nil {
		return nil, err
	}
	body, err := encodeModules(c.Modules, c.RewrittenVars, sources)
	if err != nil {
		return nil, err
	}
	d := sourceDigest(sources)
	out := []byte(precompiledMagic)
	out = append(out, d[:]...)
	out = binary.AppendUvarint(out, uint64(len(catJSON)))
	out = append(out, catJSON...)
	return append(out, body...), nil
}

// precompiled is the decoded catalog.bin.
type precompiled struct {
	modules   map[string]*ast.Module
	rewritten map[ast.Var]ast.Var
	catalog   []*Rule
}

// loadPrecompiled decodes rules.Precompiled when it was built from the
// embedded sources; ok is false when it was not (or is missing), and New
// then parses and compiles the sources.
func loadPrecompiled(withModules bool) (p *precompiled, ok bool, err error) {
	in := rules.Precompiled
	if !bytes.HasPrefix(in, []byte(precompiledMagic)) || len(in) < len(precompiledMagic)+32 {
		return nil, false, nil
	}
	in = in[len(precompiledMagic):]
	sources, err := builtinSources()
	if err != nil {
		return nil, false, err
	}
	if d := sourceDigest(sources); !bytes.Equal(d[:], in[:32]) {
		return nil, false, nil
	}
	in = in[32:]
	n, k := binary.Uvarint(in)
	if k <= 0 || n > uint64(len(in)-k) {
		return nil, false, errCorrupt
	}
	p = &precompiled{}
	if err := json.Unmarshal(in[k:k+int(n)], &p.catalog); err != nil {
		return nil, false, fmt.Errorf("precompiled rules: catalog: %w", err)
	}
	if !withModules {
		return p, true, nil
	}
	p.modules, p.rewritten, err = decodeModules(in[k+int(n):], sources)
	if err != nil {
		return nil, false, err
	}
	return p, true, nil
}

// compilePrecompiled builds the compiler's lookup structures over
// precompiled modules.
func compilePrecompiled(p *precompiled) (*ast.Compiler, error) {
	c := ast.NewCompiler().
		WithCapabilities(Capabilities()).
		WithEnablePrintStatements(false).
		WithSkipStages(skippedForPrecompiled()...)
	c.Compile(p.modules)
	if c.Failed() {
		return nil, fmt.Errorf("compile precompiled rules: %w", c.Errors)
	}
	c.RewrittenVars = p.rewritten
	return c, nil
}

var skippedForPrecompiled = sync.OnceValue(nonIndexStages)
