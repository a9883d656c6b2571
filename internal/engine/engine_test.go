package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

var now = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func newEngine(t testing.TB, opt engine.Options) *engine.Engine {
	t.Helper()
	eng, err := engine.New(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// input scans dir and returns the Rego input.
func input(t testing.TB, eng *engine.Engine, dir string) ast.Value {
	t.Helper()
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	in, err := audit.Input(res.Inventory)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// singleQuery evaluates engine.Query as one prepared query, the way the
// engine did before it split the evaluation per package.
func singleQuery(t *testing.T, eng *engine.Engine, in ast.Value) []engine.Raw {
	t.Helper()
	ctx := context.Background()
	pq, err := rego.New(rego.Compiler(eng.Compiler), rego.Store(inmem.NewFromObject(map[string]any{"natsaudit": eng.Data})),
		rego.Query(engine.Query), rego.StrictBuiltinErrors(false)).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		t.Fatal(err)
	}
	out := []engine.Raw{}
	for _, r := range rs {
		f := r.Bindings["finding"].(map[string]any)
		raw, err := engine.RawOf(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, raw)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return strings.Join([]string{a.RuleID, a.Ref, a.Path, a.Msg}, "\x00") < strings.Join([]string{b.RuleID, b.Ref, b.Path, b.Msg}, "\x00")
	})
	return out
}

// TestPackageQueriesMatchOneQuery: evaluating the packages concurrently,
// one query each, gives exactly the results of the single query over all
// of them, on the example repo and on a generated monorepo.
func TestPackageQueriesMatchOneQuery(t *testing.T) {
	eng := newEngine(t, engine.Options{RuleDirs: []string{"../../examples/custom-rules"}})
	gen := t.TempDir()
	if _, err := testgen.Generate(gen, testgen.Options{Services: 15, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"../../testdata/repos/sahool", "../../testdata/repos/hardened", gen} {
		in := input(t, eng, dir)
		got, err := eng.Eval(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		want := singleQuery(t, eng, in)
		if dir != "../../testdata/repos/hardened" && len(want) == 0 {
			t.Fatalf("%s: no findings at all: the comparison would prove nothing", dir)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: per-package evaluation gave %d results, the single query %d", dir, len(got), len(want))
		}
	}
}

// TestCatalogFromParsedModules: the catalog read from the parsed modules'
// annotations is the one the compiler's annotation set gives.
func TestCatalogFromParsedModules(t *testing.T) {
	full := newEngine(t, engine.Options{RuleDirs: []string{"../../examples/custom-rules"}})
	only := newEngine(t, engine.Options{CatalogOnly: true})
	var compiled []string
	for _, ar := range full.Compiler.GetAnnotationSet().Flatten() {
		a := ar.Annotations
		if a.Scope == "rule" && strings.HasPrefix(ar.Path.String(), "data.natsaudit.rules.") && strings.HasSuffix(ar.Path.String(), ".deny") {
			compiled = append(compiled, a.Custom["id"].(string)+" "+ar.Path.String()+" "+a.Title)
		}
	}
	sort.Strings(compiled)
	var parsed []string
	for _, r := range full.Rules() {
		parsed = append(parsed, r.ID+" data."+r.Package+".deny "+r.Title)
	}
	sort.Strings(parsed)
	if !reflect.DeepEqual(parsed, compiled) {
		t.Fatalf("catalog differs from the compiler's annotations:\n%v\n%v", parsed, compiled)
	}
	var builtin []*engine.Rule
	for _, r := range full.Rules() {
		if !r.Custom {
			builtin = append(builtin, r)
		}
	}
	if !reflect.DeepEqual(only.Rules(), builtin) {
		t.Error("a catalog-only engine lists other rules than a compiled one")
	}
	if only.Compiler != nil {
		t.Error("a catalog-only engine compiled the built-in rules")
	}
	if _, err := only.Eval(context.Background(), ast.NewObject()); err == nil {
		t.Error("a catalog-only engine evaluated rules")
	}
	// With user rules it compiles them (for their errors), still no Eval.
	withUser := newEngine(t, engine.Options{CatalogOnly: true, RuleDirs: []string{"../../examples/custom-rules"}})
	if _, err := withUser.Eval(context.Background(), ast.NewObject()); err == nil {
		t.Error("a catalog-only engine with user rules evaluated (no rules at all)")
	}
}

// TestCatalogOnlyStillChecksUserRules: `rules list --rules DIR` reports a
// user rule that does not compile, as before.
func TestCatalogOnlyStillChecksUserRules(t *testing.T) {
	dir := t.TempDir()
	src := "package natsaudit.rules.broken\n\ndeny contains f if {\n\tf := undefined_function(input)\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "broken.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := engine.New(context.Background(), engine.Options{RuleDirs: []string{dir}, CatalogOnly: true})
	if err == nil || !strings.Contains(err.Error(), "compile rules") || !strings.Contains(err.Error(), "broken.rego:4") {
		t.Fatalf("err = %v, want a compile error at broken.rego:4", err)
	}
}

// TestWithParams: re-preparing with parameters gives what a fresh engine
// with them gives, and leaves the original engine alone.
func TestWithParams(t *testing.T) {
	ctx := context.Background()
	params := map[string]any{"jetstream": map[string]any{"temp_store_prefixes": []any{"/data"}}}
	base := newEngine(t, engine.Options{})
	fresh := newEngine(t, engine.Options{Params: params})
	derived, err := base.WithParams(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	// bare-configs/kine stores JetStream in /data with no container
	// around it (sahool mounts a volume there, which is not temporary).
	in := input(t, base, "../../testdata/repos/bare-configs")
	eval := func(e *engine.Engine) []engine.Raw {
		rs, err := e.Eval(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	before, f, d := eval(base), eval(fresh), eval(derived)
	if !reflect.DeepEqual(f, d) {
		t.Errorf("WithParams: %d results, a fresh engine with the same parameters %d", len(d), len(f))
	}
	count := func(rs []engine.Raw, id string) (n int) {
		for _, r := range rs {
			if r.RuleID == id {
				n++
			}
		}
		return n
	}
	// Taking /data for a temporary directory must add a NATS-JS-001
	// finding, or this test checks nothing.
	if count(d, "NATS-JS-001") != count(before, "NATS-JS-001")+1 {
		t.Fatalf("NATS-JS-001: %d findings without the parameter, %d with it", count(before, "NATS-JS-001"), count(d, "NATS-JS-001"))
	}
	if again := eval(base); !reflect.DeepEqual(before, again) {
		t.Error("WithParams changed the original engine")
	}
	if _, err := base.WithParams(ctx, map[string]any{"nope": 1}); err == nil || !strings.Contains(err.Error(), "unknown parameter params.nope") {
		t.Errorf("unknown parameter: err = %v", err)
	}
}

// TestEvalErrorsNameThePackage: a malformed user rule stops the evaluation
// with an error naming its package, however the packages are scheduled.
func TestEvalErrorsNameThePackage(t *testing.T) {
	for name, body := range map[string]string{
		"a string, not an object from lib.finding":                  `deny contains "just a string" if true`,
		`rule_id that has no METADATA (custom.id): rule "NOPE-001"`: `deny contains {"rule_id": "NOPE-001", "ref": "servers/0", "path": "config", "msg": "x"} if true`,
	} {
		dir := t.TempDir()
		src := "package natsaudit.rules.zz_user\n\n" + body + "\n"
		if err := os.WriteFile(filepath.Join(dir, "user.rego"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		eng := newEngine(t, engine.Options{RuleDirs: []string{dir}})
		for i := 0; i < 5; i++ {
			_, err := eng.Eval(context.Background(), ast.MustParseTerm(`{"servers": [], "streams": []}`).Value)
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "package zz_user") {
				t.Fatalf("err = %v, want %q about package zz_user", err, name)
			}
		}
	}
}

// TestEvalIsolatesFailingPackage: a rule package that fails at evaluation
// time is reported with its rule IDs and a message that quotes no input,
// and every other package's findings are exactly those of an engine
// without it.
func TestEvalIsolatesFailingPackage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	conf := "server_name: marker-alpha-7\nport: 4222\nauthorization { user: app, password: \"marker-beta-9\" }\n"
	if err := os.WriteFile(filepath.Join(dir, "nats.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	base := newEngine(t, engine.Options{})
	withBad := newEngine(t, engine.Options{RuleDirs: []string{"testdata/conflict-rule"}})
	in := input(t, base, dir)
	want, err := base.Eval(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("the built-in rules found nothing: the comparison would prove nothing")
	}
	for i := 0; i < 3; i++ {
		res, err := withBad.EvalIsolated(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Findings, want) {
			t.Fatalf("with a failing package: %d findings, without it %d", len(res.Findings), len(want))
		}
		if len(res.Failed) != 1 {
			t.Fatalf("failed packages = %+v, want zz_conflict", res.Failed)
		}
		f := res.Failed[0]
		if f.Package != "natsaudit.rules.zz_conflict" || !reflect.DeepEqual(f.Rules, []string{"ZZ-CONFLICT-001"}) {
			t.Errorf("failed package = %s %v", f.Package, f.Rules)
		}
		wantMsg := "eval_conflict_error at ./testdata/conflict-rule/conflict.rego:23: function data.natsaudit.rules.zz_conflict._value produced conflicting values for the same inputs"
		if f.Message != wantMsg {
			t.Errorf("message = %q, want %q", f.Message, wantMsg)
		}
		// OPA's own error lists the values; the report's message must not.
		if !strings.Contains(f.Error(), "marker-") {
			t.Errorf("OPA's error no longer quotes the values (%q): this test checks nothing", f.Error())
		}
	}
	if _, err := withBad.Eval(ctx, in); err == nil || !strings.Contains(err.Error(), "package zz_conflict") {
		t.Errorf("strict Eval: err = %v, want the package's error", err)
	}
}

// TestEvalTimeoutIsARuleError: packages that run out of time are failed
// packages (the scan is incomplete); an interrupted run is an error.
func TestEvalTimeoutIsARuleError(t *testing.T) {
	in := ast.MustParseTerm(`{"servers": [], "streams": []}`).Value
	// A rule that runs for seconds with little memory (a 1ns timeout
	// raced with packages that finish before OPA looks at the clock).
	dir := t.TempDir()
	slowRule := `package natsaudit.rules.slow_loop

import data.natsaudit.lib

# METADATA
# title: Loops for a long time
# description: A rule that does not finish in time.
# custom:
#   id: SLOW-001
#   severity: low
#   category: operations
#   sources: [config]
#   remediation: none
deny contains f if {
	n := count([i | some i in numbers.range(1, 100000000); i % 7 == 123456789])
	n > 0
	f := lib.finding(rego.metadata.rule(), {}, "", "never")
}
`
	if err := os.WriteFile(filepath.Join(dir, "slow.rego"), []byte(slowRule), 0o600); err != nil {
		t.Fatal(err)
	}
	slow := newEngine(t, engine.Options{EvalTimeout: 300 * time.Millisecond, RuleDirs: []string{dir}, MaxHeap: 8 << 30})
	res, err := slow.EvalIsolated(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range res.Failed {
		failed = append(failed, f.Package)
		if f.Package == "natsaudit.rules.slow_loop" && f.Message != "evaluation did not finish within 300ms" {
			t.Errorf("%s: message %q", f.Package, f.Message)
		}
	}
	if !slices.Contains(failed, "natsaudit.rules.slow_loop") {
		t.Fatalf("failed packages %v, want the slow rule's", failed)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newEngine(t, engine.Options{}).EvalIsolated(ctx, in); err == nil {
		t.Error("an interrupted evaluation returned no error")
	}
}

// TestBackgroundCompile: an engine compiled in the background (the scan's)
// gives the results of one compiled before New returns, with and without
// parameters derived before the compile is done, and user rules are still
// compiled (and their errors reported) by New itself.
func TestBackgroundCompile(t *testing.T) {
	ctx := context.Background()
	params := map[string]any{"jetstream": map[string]any{"temp_store_prefixes": []any{"/data"}}}
	sync := newEngine(t, engine.Options{})
	syncP, err := sync.WithParams(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	bg := newEngine(t, engine.Options{Background: true})
	bgP, err := bg.WithParams(ctx, params) // typically before bg is compiled
	if err != nil {
		t.Fatal(err)
	}
	if len(bg.Rules()) != len(sync.Rules()) || len(bg.Rules()) == 0 {
		t.Fatalf("catalog: %d rules in the background, %d otherwise", len(bg.Rules()), len(sync.Rules()))
	}
	for _, dir := range []string{"../../testdata/repos/sahool", "../../testdata/repos/bare-configs"} {
		in := input(t, sync, dir)
		for _, pair := range [][2]*engine.Engine{{sync, bg}, {syncP, bgP}} {
			want, err := pair[0].Eval(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pair[1].Eval(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %d results compiled in the background, %d otherwise", dir, len(got), len(want))
			}
		}
	}
	// In the background mode the precompiled modules are decoded after
	// New returns (the catalog read): a damaged catalog.bin is compiled
	// from the sources there, with the same results.
	restore := engine.DamagePrecompiled()
	damaged := newEngine(t, engine.Options{Background: true})
	restore()
	in := input(t, sync, "../../testdata/repos/sahool")
	want, err := sync.Eval(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := damaged.Eval(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(damaged.Rules(), sync.Rules()) {
		t.Errorf("damaged catalog.bin, background: %d results, want %d", len(got), len(want))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.rego"), []byte("package natsaudit.rules.bad\n\nx := count(1)\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.New(ctx, engine.Options{Background: true, RuleDirs: []string{dir}, Guard: safefile.NewGuard(dir)}); err == nil {
		t.Error("a user rule that does not compile: no error from New in the background mode")
	}
}

// TestPrecompiledSameResults: the engine started from the precompiled
// catalog (rules/catalog.bin) and one that parses and compiles the sources
// give the same results, on the example repos and a generated monorepo,
// with parameters too.
func TestPrecompiledSameResults(t *testing.T) {
	ctx := context.Background()
	fast := newEngine(t, engine.Options{})
	engine.SetUsePrecompiled(false)
	slow := newEngine(t, engine.Options{})
	engine.SetUsePrecompiled(true)
	if slow.Compiler == nil || fast.Compiler == nil {
		t.Fatal("not compiled")
	}
	gen := t.TempDir()
	if _, err := testgen.Generate(gen, testgen.Options{Services: 15, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	params := map[string]any{"jetstream": map[string]any{"temp_store_prefixes": []any{"/data"}}}
	fastP, err := fast.WithParams(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	slowP, err := slow.WithParams(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"../../testdata/repos/sahool", "../../testdata/repos/bare-configs", "../../testdata/repos/hardened", gen} {
		in := input(t, slow, dir)
		for _, pair := range [][2]*engine.Engine{{slow, fast}, {slowP, fastP}} {
			want, err := pair[0].Eval(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pair[1].Eval(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %d results precompiled, %d compiled from the sources", dir, len(got), len(want))
			}
			if dir == gen && len(want) == 0 {
				t.Error("no findings on the generated repo: the comparison proves nothing")
			}
		}
	}
}
