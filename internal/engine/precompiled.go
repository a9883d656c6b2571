package engine

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc64"
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

const precompiledMagic = "natsaudit compiled rules v5\n"

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

// digestSize is the size of sourceDigest.
const digestSize = 8

// sourceDigest identifies what a precompiled catalog was built from: the
// rule files, the OPA version and the file format. It is a CRC-64 (ECMA),
// not a cryptographic hash: it tells a catalog.bin left behind by an edit
// from the current one (a change of any rule file's name, length or bytes
// changes it but for a 2^-64 chance), and whoever could forge a collision
// could as well change the binary. SHA-256 over the 420 kB of rule sources
// was 3% of a small scan's instructions, on every run.
func sourceDigest(sources map[string][]byte) [digestSize]byte {
	h := crc64.New(crcTable)
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
	var d [digestSize]byte
	binary.BigEndian.PutUint64(d[:], h.Sum64())
	return d
}

var crcTable = crc64.MakeTable(crc64.ECMA)

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
	// body and sources are what decodeModules reads, until it has (when
	// the modules are decoded later, see decode).
	body    []byte
	sources map[string][]byte
	// decoding is closed when the goroutine that modulesLater started has
	// decoded the modules, or failed with decodeErr.
	decoding  chan struct{}
	decodeErr error
}

// How loadPrecompiled decodes the modules.
const (
	modulesNone  = iota // not at all: the catalog only (or decode, later)
	modulesNow          // before it returns
	modulesLater        // in a goroutine started before the catalog is read
)

// decode decodes the modules when loadPrecompiled left them for later,
// or waits for the goroutine decoding them.
func (p *precompiled) decode() error {
	if p.decoding != nil {
		<-p.decoding
		return p.decodeErr
	}
	return p.decodeNow()
}

func (p *precompiled) decodeNow() error {
	if p.modules != nil {
		return nil
	}
	mods, rewritten, err := decodeModules(p.body, p.sources)
	if err != nil {
		return err
	}
	p.modules, p.rewritten, p.body, p.sources = mods, rewritten, nil, nil
	return nil
}

// loadPrecompiled decodes rules.Precompiled when it was built from the
// embedded sources; ok is false when it was not (or is missing), and New
// then parses and compiles the sources. Without withModules only the
// catalog is read; the modules are decoded by decode.
func loadPrecompiled(withModules bool) (p *precompiled, ok bool, err error) {
	if withModules {
		return loadPrecompiledModules(modulesNow)
	}
	return loadPrecompiledModules(modulesNone)
}

// loadPrecompiledModules is loadPrecompiled, decoding the modules as mode
// says. modulesLater is for a background start-up: the catalog and the
// data are read while the modules are decoded, on another core.
func loadPrecompiledModules(mode int) (p *precompiled, ok bool, err error) {
	in := rules.Precompiled
	if !bytes.HasPrefix(in, []byte(precompiledMagic)) || len(in) < len(precompiledMagic)+digestSize {
		return nil, false, nil
	}
	in = in[len(precompiledMagic):]
	sources, err := builtinSources()
	if err != nil {
		return nil, false, err
	}
	if d := sourceDigest(sources); !bytes.Equal(d[:], in[:digestSize]) {
		return nil, false, nil
	}
	in = in[digestSize:]
	n, k := binary.Uvarint(in)
	if k <= 0 || n > uint64(len(in)-k) {
		return nil, false, errCorrupt
	}
	p = &precompiled{body: in[k+int(n):], sources: sources}
	if mode == modulesLater {
		p.decoding = make(chan struct{})
		go func() {
			defer close(p.decoding)
			p.decodeErr = p.decodeNow()
		}()
	}
	if err := json.Unmarshal(in[k:k+int(n)], &p.catalog); err != nil {
		return nil, false, fmt.Errorf("precompiled rules: catalog: %w", err)
	}
	if mode != modulesNow {
		return p, true, nil
	}
	if err := p.decode(); err != nil {
		return nil, false, err
	}
	return p, true, nil
}

// compilePrecompiled builds the compiler's lookup structures over
// precompiled modules. The compiler takes the decoded modules themselves:
// Compile deep-copies every module it is given (a tenth of a small scan's
// instructions, for a copy nobody else holds), so it is given stubs that
// name each module's package, and a stage of ours run right after imports
// are removed (the first stage run; nothing has read the stubs yet) puts the
// decoded modules in their place. p.modules belong to the compiler then.
func compilePrecompiled(p *precompiled) (*ast.Compiler, error) {
	stubs := make(map[string]*ast.Module, len(p.modules))
	for name, m := range p.modules {
		stubs[name] = &ast.Module{Package: m.Package}
	}
	decoded := p.modules
	c := ast.NewCompiler().
		WithCapabilities(Capabilities()).
		WithEnablePrintStatements(false).
		WithSkipStages(skippedForPrecompiled()...).
		WithStageAfterID(ast.StageRemoveImports, ast.CompilerStageDefinition{
			Name:       "natsaudit_precompiled_modules",
			MetricName: "natsaudit_precompiled_modules",
			Stage: func(c *ast.Compiler) *ast.Error {
				for name, m := range decoded {
					c.Modules[name] = m
				}
				return nil
			},
		})
	c.Compile(stubs)
	if c.Failed() {
		return nil, fmt.Errorf("compile precompiled rules: %w", c.Errors)
	}
	for name, m := range decoded {
		if c.Modules[name] != m {
			// An OPA whose stages no longer run so: the stubs were compiled.
			return nil, fmt.Errorf("compile precompiled rules: module %s was not taken over", name)
		}
	}
	c.RewrittenVars = p.rewritten
	return c, nil
}

// skippedForPrecompiled is every stage but the index stages and removing
// imports (which the precompiled modules no longer have; it is the stage
// compilePrecompiled hands its modules over after).
var skippedForPrecompiled = sync.OnceValue(func() []ast.StageID {
	var out []ast.StageID
	for _, s := range nonIndexStages() {
		if s != ast.StageRemoveImports {
			out = append(out, s)
		}
	}
	return out
})
