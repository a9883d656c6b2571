// Package engine loads the Rego rules (built-in and user directories),
// compiles them once, reads the catalog from their METADATA, and evaluates
// all of them over an Inventory with one prepared query.
package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

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
	// EvalTimeout bounds one evaluation.
	EvalTimeout time.Duration
}

// Engine evaluates the rule catalog.
type Engine struct {
	rules    []*Rule
	byID     map[string]*Rule
	pq       rego.PreparedEvalQuery
	Compiler *ast.Compiler
	Modules  map[string]*ast.Module
	Data     map[string]any
	timeout  time.Duration
}

// Query is the single query that collects every finding of every rule package.
const Query = "data.natsaudit.rules[pkg].deny[finding]"

// New loads and compiles the rules.
func New(ctx context.Context, opt Options) (*Engine, error) {
	mods := map[string]*ast.Module{}
	custom := map[string]bool{}
	if err := loadFS(rules.FS, ".", "rules", mods, opt.IncludeTests, nil); err != nil {
		return nil, err
	}
	for _, dir := range opt.RuleDirs {
		if err := loadDir(dir, mods, opt.IncludeTests, custom); err != nil {
			return nil, err
		}
	}
	data, err := loadData(opt.Params)
	if err != nil {
		return nil, err
	}
	c := ast.NewCompiler().
		WithCapabilities(Capabilities()).
		WithEnablePrintStatements(false)
	c.Compile(mods)
	if c.Failed() {
		return nil, fmt.Errorf("compile rules: %w", c.Errors)
	}
	cat, err := catalog(c, custom)
	if err != nil {
		return nil, err
	}
	e := &Engine{rules: cat, byID: map[string]*Rule{}, Compiler: c, Modules: mods, Data: data, timeout: opt.EvalTimeout}
	for _, r := range cat {
		e.byID[r.ID] = r
	}
	if e.timeout <= 0 {
		e.timeout = 60 * time.Second
	}
	pq, err := rego.New(
		rego.Compiler(c),
		rego.Store(inmem.NewFromObject(map[string]any{"natsaudit": data})),
		rego.Query(Query),
		rego.StrictBuiltinErrors(false),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare rules: %w", err)
	}
	e.pq = pq
	return e, nil
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

func loadFS(fsys fs.FS, root, prefix string, mods map[string]*ast.Module, tests bool, custom map[string]bool) error {
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
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
		name := prefix + "/" + p
		m, err := parse(name, string(src))
		if err != nil {
			return fmt.Errorf("parse rule %s: %w", name, err)
		}
		mods[name] = m
		if custom != nil {
			custom[name] = true
		}
		return nil
	})
}

func loadDir(dir string, mods map[string]*ast.Module, tests bool, custom map[string]bool) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("load rules from %s: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("load rules from %s: not a directory", dir)
	}
	n := len(mods)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || (!tests && strings.HasSuffix(p, "_test.rego")) {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read rule %s: %w", p, err)
		}
		name := ModuleName(p)
		if _, dup := mods[name]; dup {
			return fmt.Errorf("load rules from %s: %s is loaded twice", dir, name)
		}
		m, err := parse(name, string(src))
		if err != nil {
			return fmt.Errorf("parse rule %s: %w", name, err)
		}
		if !strings.HasSuffix(p, "_test.rego") && !strings.HasPrefix(m.Package.Path.String(), "data.natsaudit.rules.") {
			return fmt.Errorf("rule %s: package %s must be under natsaudit.rules (e.g. package natsaudit.rules.myteam)", name, strings.TrimPrefix(m.Package.Path.String(), "data."))
		}
		// The query reads data.natsaudit.rules[pkg].deny: a deeper package's
		// deny would be in the catalog yet never evaluated.
		if !strings.HasSuffix(p, "_test.rego") && len(m.Package.Path) != 4 && definesDeny(m) {
			return fmt.Errorf("rule %s: package %s must be exactly one level under natsaudit.rules (e.g. package natsaudit.rules.myteam_streams)", name, strings.TrimPrefix(m.Package.Path.String(), "data."))
		}
		mods[name] = m
		custom[name] = true
		return nil
	})
	if err != nil {
		return err
	}
	if len(mods) == n {
		return fmt.Errorf("load rules from %s: no .rego files found", dir)
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
}

// Eval runs every rule once over input (an already converted ast.Value).
func (e *Engine) Eval(ctx context.Context, input ast.Value) ([]Raw, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	rs, err := e.pq.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("evaluate rules: %w", err)
	}
	out := make([]Raw, 0, len(rs))
	for _, r := range rs {
		f, ok := r.Bindings["finding"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("evaluate rules: a rule in package %v returned %T, not an object from lib.finding", r.Bindings["pkg"], r.Bindings["finding"])
		}
		raw := Raw{}
		raw.RuleID, _ = f["rule_id"].(string)
		raw.Ref, _ = f["ref"].(string)
		raw.Path, _ = f["path"].(string)
		raw.Msg, _ = f["msg"].(string)
		raw.Severity, _ = f["severity"].(string)
		if _, known := e.byID[raw.RuleID]; !known {
			return nil, fmt.Errorf("evaluate rules: package %v returned a finding for rule %q, which has no METADATA", r.Bindings["pkg"], raw.RuleID)
		}
		out = append(out, raw)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Ref != b.Ref {
			return a.Ref < b.Ref
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
	return out, nil
}
