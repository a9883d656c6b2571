// Package engine loads the Rego rules (built-in and user directories),
// compiles them once, reads the catalog from their METADATA, and evaluates
// all of them over an Inventory with one prepared query.
package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/open-policy-agent/opa/v1/util"
	"io/fs"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/rules"
)

// Options configure New.
type Options struct {
	// RuleDirs are directories of user rules (*.rego), loaded with the
	// built-in ones.
	RuleDirs []string
	// Params override rules/data/params.json (deep-merged).
	Params map[string]any
	// IncludeTests also loads *_test.rego (for `rules test`).
	IncludeTests bool
	// CheckInputSchema type-checks the rules against the input's JSON
	// Schema (always done when RuleDirs adds custom rules).
	CheckInputSchema bool
	// EvalTimeout bounds one evaluation (0: DefaultEvalTimeout).
	EvalTimeout time.Duration
	// MaxHeap stops an evaluation when the process's heap grows over this
	// many bytes (0: automatic, see heapLimit).
	MaxHeap int64
	// Guard checks the rule directories, paths named on the command line
	// (nil: safefile.NewGuard(), the working directory only): one given
	// inside the working directory or a scanned directory must resolve
	// inside it.
	Guard *safefile.Guard
	// CatalogOnly reads the rules' metadata without compiling them (for
	// `rules list` and `rules show`): Rules and Rule work, Eval does not.
	// User rule directories are still compiled, so that their errors are
	// reported; the built-in rules are compiled by their own tests.
	CatalogOnly bool
	// Background compiles the built-in catalog in the background: New
	// returns once the catalog is read, and evaluation waits for the
	// compiled rules, so that a scan discovers and parses its files on the
	// other core meanwhile (compiling is most of a small scan's start-up).
	// Only the built-in catalog, which cannot fail to compile (its tests
	// compile it), is compiled so; with RuleDirs, IncludeTests or
	// CheckInputSchema, New compiles before it returns and reports errors.
	Background bool
}

// Engine evaluates the rule catalog.
type Engine struct {
	rules   []*Rule
	byID    map[string]*Rule
	queries []pkgQuery
	// catalogOnly engines have no prepared queries (Options.CatalogOnly).
	catalogOnly bool
	// Compiler is nil for a CatalogOnly engine without user rules.
	Compiler *ast.Compiler
	// Modules are the parsed modules, or the compiler's when the engine
	// started from the precompiled catalog (set once compiled).
	Modules map[string]*ast.Module
	Data    map[string]any
	timeout time.Duration
	// timeoutGiven: the caller chose the timeout (--timeout), so it is not
	// scaled with the input (see evalTimeout).
	timeoutGiven bool
	maxHeap      int64
	// ready is closed when a background compile (Options.Background) has
	// set Compiler and the queries, or failed with initErr; nil when New
	// compiled before returning.
	ready   chan struct{}
	initErr error
}

// pkgQuery is Query restricted to one rule package: the packages are
// evaluated concurrently (see Eval).
type pkgQuery struct {
	pkg   string
	rules int // deny rules in the package: the biggest are started first
	pq    rego.PreparedEvalQuery
}

// Query is the query that collects every finding of every rule package.
// Eval runs it as one prepared query per package, which is the same set of
// results.
const Query = "data.natsaudit.rules[pkg].deny[finding]"

// New loads and compiles the rules.
func New(ctx context.Context, opt Options) (*Engine, error) {
	restoreGC := relaxGC()
	defer func() {
		if restoreGC != nil {
			restoreGC()
		}
	}()
	if usePrecompiled && len(opt.RuleDirs) == 0 && !opt.IncludeTests && !opt.CheckInputSchema {
		// A corrupt or stale precompiled catalog is not an error: the
		// sources it was built from are embedded too.
		// In the background mode the modules are decoded in the background
		// too, from before the catalog is read: decoding is on the path to
		// evaluation either way, and the catalog, data, discovery and
		// parsing need not wait for it.
		mode := modulesNow
		switch {
		case opt.CatalogOnly:
			mode = modulesNone
		case opt.Background:
			mode = modulesLater
		}
		if pre, ok, err := loadPrecompiledModules(mode); err == nil && ok {
			return newPrecompiled(ctx, opt, pre, &restoreGC)
		}
	}
	mods := map[string]*ast.Module{}
	custom := map[string]bool{}
	if err := loadFS(rules.FS, ".", "rules", mods, opt.IncludeTests, nil); err != nil {
		return nil, err
	}
	builtin := builtinPackages(mods)
	for _, dir := range opt.RuleDirs {
		if err := loadDir(dir, opt.Guard, mods, opt.IncludeTests, custom, builtin); err != nil {
			return nil, err
		}
	}
	data, err := loadData(opt.Params)
	if err != nil {
		return nil, err
	}
	background := opt.Background && !opt.CatalogOnly && len(opt.RuleDirs) == 0 && !opt.IncludeTests && !opt.CheckInputSchema
	var c *ast.Compiler
	if !background && (!opt.CatalogOnly || len(opt.RuleDirs) > 0) {
		c = ast.NewCompiler().
			WithCapabilities(Capabilities()).
			WithEnablePrintStatements(false)
		// Custom rules are type-checked against the input's schema when
		// they load, so a typo in an input path is an error at its line.
		// The built-in catalog is checked once, by its tests
		// (rules/lint_test.go): type checking against the schema costs a
		// scan compile time every run for no new answer.
		if len(opt.RuleDirs) > 0 || opt.CheckInputSchema {
			schemas, err := inputSchemas()
			if err != nil {
				return nil, err
			}
			c = c.WithSchemas(schemas)
		}
		// The built-in catalog alone skips the compiler's checks that only
		// find errors (types, conflicts, recursion, undefined functions...):
		// rules/lint_test.go compiles it with every stage, strict, against
		// the same capabilities, so they cannot find one here; they were
		// about 40% of a scan's start-up. Rewriting stages all run, and
		// TestSkippedStagesOnlyCheck shows the compiled rules are the same.
		// User rules (and tests) get every check.
		if len(opt.RuleDirs) == 0 && !opt.CheckInputSchema && !opt.IncludeTests {
			c = c.WithSkipStages(checkOnlyStages...)
		}
		c.Compile(mods)
		if c.Failed() {
			return nil, fmt.Errorf("compile rules: %w", c.Errors)
		}
	}
	// The catalog comes from the parsed modules' annotations (what the
	// compiler's annotation set holds too), so that it needs no compilation.
	as, errs := ast.BuildAnnotationSet(sortedModules(mods))
	if len(errs) > 0 {
		return nil, fmt.Errorf("compile rules: %w", errs)
	}
	cat, err := catalog(as, custom)
	if err != nil {
		return nil, err
	}
	e := &Engine{rules: cat, byID: map[string]*Rule{}, Compiler: c, Modules: mods, Data: data, timeout: opt.EvalTimeout, maxHeap: opt.MaxHeap}
	for _, r := range cat {
		e.byID[r.ID] = r
	}
	e.timeoutGiven = e.timeout > 0
	if e.timeout <= 0 {
		e.timeout = DefaultEvalTimeout
	}
	if opt.CatalogOnly {
		e.catalogOnly = true
		return e, nil
	}
	if background {
		e.ready = make(chan struct{})
		restore := restoreGC
		restoreGC = nil // the start-up's GC setting lasts until compiled
		go func() {
			defer close(e.ready)
			defer restore()
			c := ast.NewCompiler().
				WithCapabilities(Capabilities()).
				WithEnablePrintStatements(false).
				WithSkipStages(checkOnlyStages...)
			c.Compile(mods)
			if c.Failed() {
				e.initErr = fmt.Errorf("compile rules: %w", c.Errors)
				return
			}
			e.Compiler = c
			e.initErr = e.prepare(ctx)
		}()
		return e, nil
	}
	if err := e.prepare(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// newPrecompiled is New over the precompiled built-in catalog: no parsing,
// and only the compiler's index stages (compilePrecompiled), in the
// background when opt.Background.
func newPrecompiled(ctx context.Context, opt Options, pre *precompiled, restoreGC *func()) (*Engine, error) {
	data, err := loadData(opt.Params)
	if err != nil {
		return nil, err
	}
	e := &Engine{rules: pre.catalog, byID: map[string]*Rule{}, Data: data, timeout: opt.EvalTimeout, maxHeap: opt.MaxHeap}
	for _, r := range pre.catalog {
		e.byID[r.ID] = r
	}
	e.timeoutGiven = e.timeout > 0
	if e.timeout <= 0 {
		e.timeout = DefaultEvalTimeout
	}
	if opt.CatalogOnly {
		e.catalogOnly = true
		return e, nil
	}
	build := func() error {
		if err := pre.decode(); err != nil {
			// A damaged catalog.bin whose catalog read (only the background
			// mode gets here): the sources it was built from are embedded.
			c, _, err := compileBuiltin()
			if err != nil {
				return err
			}
			e.Compiler, e.Modules = c, c.Modules
			return e.prepare(ctx)
		}
		c, err := compilePrecompiled(pre)
		if err != nil {
			return err
		}
		// The modules are the compiler's now (compilePrecompiled).
		pre.modules = nil
		e.Compiler, e.Modules = c, c.Modules
		return e.prepare(ctx)
	}
	if !opt.Background {
		if err := build(); err != nil {
			return nil, err
		}
		return e, nil
	}
	e.ready = make(chan struct{})
	restore := *restoreGC
	*restoreGC = nil // the start-up's GC setting lasts until compiled
	go func() {
		defer close(e.ready)
		defer restore()
		e.initErr = build()
	}()
	return e, nil
}

// checkOnlyStages are the compiler stages that only report errors: they
// change neither the modules nor what evaluation uses (the type
// environment is rebuilt from the built-ins for a query when the compiler
// has none).
var checkOnlyStages = []ast.StageID{
	ast.StageCheckUnusedImports,
	ast.StageCheckKeywordOverrides,
	ast.StageCheckDuplicateImports,
	ast.StageCheckVoidCalls,
	ast.StageCheckRuleConflicts,
	ast.StageCheckUndefinedFuncs,
	ast.StageCheckSafetyRuleHeads,
	ast.StageCheckRecursion,
	ast.StageCheckTypes,
	ast.StageCheckUnsafeBuiltins,
	ast.StageCheckDeprecatedBuiltins,
	ast.StageBuildRequiredCapabilities,
}

// WithParams returns an engine with other parameter overrides (from
// .natsaudit.yaml) and the same compiled rules: parameters live in the
// store, not in the rules, so nothing is parsed or compiled again.
func (e *Engine) WithParams(ctx context.Context, params map[string]any) (*Engine, error) {
	if e.catalogOnly {
		return nil, fmt.Errorf("engine: parameters of a catalog-only engine")
	}
	data, err := loadData(params)
	if err != nil {
		return nil, err
	}
	n := &Engine{rules: e.rules, byID: e.byID, Data: data, timeout: e.timeout, timeoutGiven: e.timeoutGiven, maxHeap: e.maxHeap}
	if e.ready != nil {
		// Still compiling: prepare with these parameters when it is done.
		n.ready = make(chan struct{})
		go func() {
			defer close(n.ready)
			<-e.ready
			if e.initErr != nil {
				n.initErr = e.initErr
				return
			}
			n.Compiler, n.Modules = e.Compiler, e.Modules
			n.initErr = n.prepare(ctx)
		}()
		return n, nil
	}
	n.Compiler, n.Modules = e.Compiler, e.Modules
	if err := n.prepare(ctx); err != nil {
		return nil, err
	}
	return n, nil
}

func sortedModules(mods map[string]*ast.Module) []*ast.Module {
	names := make([]string, 0, len(mods))
	for k := range mods {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]*ast.Module, len(names))
	for i, k := range names {
		out[i] = mods[k]
	}
	return out
}

// prepare builds one prepared query per rule package (every package
// directly under data.natsaudit.rules), all over one store.
func (e *Engine) prepare(ctx context.Context) error {
	root := ast.MustParseRef("data.natsaudit.rules")
	count := map[string]int{}
	for _, m := range e.Compiler.Modules {
		p := m.Package.Path
		if len(p) < 4 || !p[:3].Equal(root) {
			continue
		}
		name, ok := p[3].Value.(ast.String)
		if !ok {
			continue
		}
		n := 0
		if len(p) == 4 {
			for _, r := range m.Rules {
				if r.Head.Name.String() == "deny" || r.Head.Ref().GroundPrefix().String() == "deny" {
					n++
				}
			}
		}
		count[string(name)] += n
	}
	store := inmem.NewFromObject(map[string]any{"natsaudit": e.Data})
	e.queries = e.queries[:0]
	for pkg, n := range count {
		ref := root.Append(ast.StringTerm(pkg)).Append(ast.StringTerm("deny")).Append(ast.VarTerm("finding"))
		pq, err := rego.New(
			rego.Compiler(e.Compiler),
			rego.Store(store),
			rego.ParsedQuery(ast.NewBody(ast.NewExpr(ast.NewTerm(ref)))),
			rego.StrictBuiltinErrors(false),
		).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("prepare rules: %w", err)
		}
		e.queries = append(e.queries, pkgQuery{pkg: pkg, rules: n, pq: pq})
	}
	sort.Slice(e.queries, func(i, j int) bool {
		a, b := e.queries[i], e.queries[j]
		if a.rules != b.rules {
			return a.rules > b.rules
		}
		return a.pkg < b.pkg
	})
	return nil
}

// inputSchemas holds the input's JSON Schema as OPA's root schema, so the
// type checker knows input's shape: a typo in an input path of a built-in
// or custom rule is a compile error naming the fields there are.
func inputSchemas() (*ast.SchemaSet, error) {
	var s any
	if err := util.UnmarshalJSON(model.InputSchema(), &s); err != nil {
		return nil, fmt.Errorf("input schema: %w", err)
	}
	ss := ast.NewSchemaSet()
	ss.Put(ast.SchemaRootRef, s)
	return ss, nil
}

// Capabilities are OPA's built-ins without network access or other side
// effects, so that user rules cannot reach out of the process.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	banned := map[string]bool{"http.send": true, "net.lookup_ip_addr": true, "opa.runtime": true, "trace": true}
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if !banned[b.Name] {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

func parse(name, src string) (*ast.Module, error) {
	return ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
}

// loadFS parses the .rego files of fsys. Parsing is a third of start-up, so
// the files are parsed concurrently, one worker per CPU.
func loadFS(fsys fs.FS, root, prefix string, mods map[string]*ast.Module, tests bool, custom map[string]bool) error {
	type file struct {
		name string
		src  []byte
		mod  *ast.Module
		err  error
	}
	var files []*file
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || (!tests && strings.HasSuffix(p, "_test.rego")) {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read rule %s: %w", p, err)
		}
		files = append(files, &file{name: prefix + "/" + p, src: src})
		return nil
	})
	if err != nil {
		return err
	}
	next := make(chan *file)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(files)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				f.mod, f.err = parse(f.name, string(f.src))
			}
		}()
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	// Errors and modules in walk order, as a sequential parse would give.
	for _, f := range files {
		if f.err != nil {
			return fmt.Errorf("parse rule %s: %w", f.name, f.err)
		}
		mods[f.name] = f.mod
		if custom != nil {
			custom[f.name] = true
		}
	}
	return nil
}

// definesDeny reports whether a module has deny rules.
func definesDeny(m *ast.Module) bool {
	for _, r := range m.Rules {
		if r.Head.Ref().GroundPrefix().String() == "deny" || r.Head.Name.String() == "deny" {
			return true
		}
	}
	return false
}

// ModuleName is the key (and reported file name) of a user rule file.
// Built-in modules are keyed "rules/<file>": a user directory named rules/
// must not replace them, so relative user paths start with "./".
func ModuleName(p string) string {
	name := filepath.ToSlash(p)
	if !filepath.IsAbs(p) && !strings.HasPrefix(name, "./") && !strings.HasPrefix(name, "../") {
		name = "./" + name
	}
	return name
}

// loadData reads rules/data/*.json: params.<section>.json becomes
// params.<section>, any other file its own key ("advisories"). Then it merges
// the parameter overrides.
func loadData(overrides map[string]any) (map[string]any, error) {
	data := map[string]any{"params": map[string]any{}}
	entries, err := fs.ReadDir(rules.FS, "data")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := fs.ReadFile(rules.FS, "data/"+e.Name())
		if err != nil {
			return nil, err
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("rules/data/%s: %w", e.Name(), err)
		}
		name := strings.TrimSuffix(e.Name(), ".json")
		if section, ok := strings.CutPrefix(name, "params."); ok {
			data["params"].(map[string]any)[section] = v
			continue
		}
		data[name] = v
	}
	if len(overrides) > 0 {
		p, _ := data["params"].(map[string]any)
		if p == nil {
			p = map[string]any{}
		}
		merged, err := mergeParams(p, overrides, "params")
		if err != nil {
			return nil, err
		}
		data["params"] = merged
	}
	return data, nil
}

// mergeParams deep-merges src onto dst; unknown keys are errors so that a
// typo in .natsaudit.yaml does not silently do nothing.
func mergeParams(dst, src map[string]any, at string) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range dst {
		out[k] = v
	}
	keys := make([]string, 0, len(src))
	for k := range src {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := src[k]
		cur, ok := dst[k]
		if !ok {
			return nil, fmt.Errorf("unknown parameter %s.%s", at, k)
		}
		if cm, ok := cur.(map[string]any); ok {
			vm, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("parameter %s.%s must be a mapping", at, k)
			}
			m, err := mergeParams(cm, vm, at+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = m
			continue
		}
		out[k] = v
	}
	return out, nil
}

// wait waits for a background compile (Options.Background), or ctx.
func (e *Engine) wait(ctx context.Context) error {
	if e.ready == nil {
		return nil
	}
	select {
	case <-e.ready:
		return e.initErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Rules returns the catalog, sorted by ID.
func (e *Engine) Rules() []*Rule { return e.rules }

// Rule returns a rule by ID.
func (e *Engine) Rule(id string) (*Rule, bool) {
	r, ok := e.byID[id]
	return r, ok
}

// Params returns the effective parameters.
func (e *Engine) Params() map[string]any {
	p, _ := e.Data["params"].(map[string]any)
	return p
}

// Raw is one result of a rule, before locations are resolved.
type Raw struct {
	RuleID   string `json:"rule_id"`
	Ref      string `json:"ref"`
	Path     string `json:"path"`
	Msg      string `json:"msg"`
	Severity string `json:"severity,omitempty"`
	// Remediation, when a rule sets one, replaces the rule's for this
	// finding (NATS-VER-001: the workarounds of the advisories that apply).
	Remediation string `json:"remediation,omitempty"`
	// Deadline is the finding's date (lib.with_deadline), nil for most.
	Deadline *finding.Deadline `json:"deadline,omitempty"`
}

// Eval runs every rule once over input (an already converted ast.Value)
// and fails when any rule package fails (see EvalIsolated, which the scan
// uses to report the other packages' findings anyway).
func (e *Engine) Eval(ctx context.Context, input ast.Value) ([]Raw, error) {
	res, err := e.EvalIsolated(ctx, input)
	if err != nil {
		return nil, err
	}
	if len(res.Failed) > 0 {
		return nil, res.Failed[0].err
	}
	return res.Findings, nil
}

// stopped is the error of a run the heap budget stopped: it names the
// packages that were being evaluated when it was hit (the rule that did
// not finish is among them). Memory is the whole process's, so this ends
// the run instead of becoming one package's rule error.
func (e *Engine) stopped(heap *HeapError, running []bool) error {
	var pkgs []string
	for i, r := range running {
		if r {
			pkgs = append(pkgs, e.describePackage(e.queries[i].pkg))
		}
	}
	sort.Strings(pkgs)
	if len(pkgs) == 0 {
		return heap
	}
	return fmt.Errorf("%w; still evaluating %s", heap, strings.Join(pkgs, ", "))
}

// describePackage is "package natsaudit.rules.x (file, ...)".
func (e *Engine) describePackage(pkg string) string {
	path := rulesRoot.Append(ast.StringTerm(pkg))
	var files []string
	for name, m := range e.Modules {
		if m.Package.Path.Equal(path) && !strings.HasSuffix(name, "_test.rego") {
			files = append(files, name)
		}
	}
	sort.Strings(files)
	return fmt.Sprintf("package natsaudit.rules.%s (%s)", pkg, strings.Join(files, ", "))
}

func (e *Engine) evalPackage(ctx context.Context, q pkgQuery, input ast.Value) ([]Raw, error) {
	rs, err := q.pq.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("evaluate rules: package %s: %w", q.pkg, err)
	}
	out := make([]Raw, 0, len(rs))
	for _, r := range rs {
		f, ok := r.Bindings["finding"].(map[string]any)
		if !ok {
			return nil, &findingError{pkg: q.pkg, msg: fmt.Sprintf("a rule returned %s, not an object from lib.finding", typeName(r.Bindings["finding"]))}
		}
		raw, err := RawOf(f)
		if err != nil {
			return nil, &findingError{pkg: q.pkg, msg: "returned a malformed deadline", detail: fmt.Sprintf("rule %q: %v", raw.RuleID, err)}
		}
		if _, known := e.byID[raw.RuleID]; !known {
			return nil, &findingError{pkg: q.pkg, msg: "returned a finding for a rule_id that has no METADATA (custom.id)", detail: fmt.Sprintf("rule %q", raw.RuleID)}
		}
		out = append(out, raw)
	}
	return out, nil
}

// RawOf reads one result of a rule (an object from lib.finding).
func RawOf(f map[string]any) (Raw, error) {
	raw := Raw{}
	raw.RuleID, _ = f["rule_id"].(string)
	raw.Ref, _ = f["ref"].(string)
	raw.Path, _ = f["path"].(string)
	raw.Msg, _ = f["msg"].(string)
	raw.Severity, _ = f["severity"].(string)
	raw.Remediation, _ = f["remediation"].(string)
	if d, ok := f["deadline"].(map[string]any); ok {
		dl, err := deadlineOf(d)
		if err != nil {
			return raw, err
		}
		raw.Deadline = dl
	}
	return raw, nil
}

// deadlineOf reads a finding's deadline object: a known kind, a
// YYYY-MM-DD date or none, and what it is about.
func deadlineOf(d map[string]any) (*finding.Deadline, error) {
	dl := &finding.Deadline{}
	dl.Date, _ = d["date"].(string)
	dl.Kind, _ = d["kind"].(string)
	dl.What, _ = d["what"].(string)
	dl.Version, _ = d["version"].(string)
	if _, ok := finding.DeadlineKinds[dl.Kind]; !ok {
		return nil, fmt.Errorf("kind %q (want certificate_expiry, jwt_expiry, end_of_life or advisory_fix)", dl.Kind)
	}
	if dl.Date != "" {
		if _, err := time.Parse("2006-01-02", dl.Date); err != nil {
			return nil, fmt.Errorf("date %q is not YYYY-MM-DD", dl.Date)
		}
	}
	if strings.TrimSpace(dl.What) == "" {
		return nil, fmt.Errorf("no what")
	}
	return dl, nil
}
