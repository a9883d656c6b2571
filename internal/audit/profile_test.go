package audit_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/profiler"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestProfileRules prints where rule evaluation spends its time on the
// repository named by NATSAUDIT_PROFILE (a directory; skipped without it):
// each rule package evaluated alone (process CPU time, best of three), then
// the rules and expressions with the most time under OPA's profiler
// (exclusive time: from one expression's evaluation to the next).
// docs/performance.md publishes its top 10.
//
//	NATSAUDIT_PROFILE=bin/bench/repos/files-1000 go test -run TestProfileRules -v ./internal/audit
func TestProfileRules(t *testing.T) {
	dir := os.Getenv("NATSAUDIT_PROFILE")
	if dir == "" {
		t.Skip("set NATSAUDIT_PROFILE to a directory to profile the rules on it")
	}
	eng, err := engine.New(context.Background(), engine.Options{EvalTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	in, err := audit.Input(res.Inventory)
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]bool{}
	for _, r := range eng.Rules() {
		if p, _, ok := strings.Cut(strings.TrimPrefix(r.Package, "natsaudit.rules."), "."); ok || p != "" {
			pkgs[p] = true
		}
	}
	store := inmem.NewFromObject(map[string]any{"natsaudit": eng.Data})
	type pkgCost struct {
		name string
		cpu  time.Duration
		n    int
	}
	var costs []pkgCost
	var total time.Duration
	for p := range pkgs {
		q := fmt.Sprintf("data.natsaudit.rules.%s.deny[finding]", p)
		pq, err := rego.New(rego.Compiler(eng.Compiler), rego.Store(store), rego.Query(q)).PrepareForEval(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		best := time.Duration(1 << 62)
		n := 0
		for range 3 {
			c0 := cpuTime()
			rs, err := pq.Eval(context.Background(), rego.EvalParsedInput(in))
			if err != nil {
				t.Fatal(err)
			}
			best = min(best, cpuTime()-c0)
			n = len(rs)
		}
		costs = append(costs, pkgCost{p, best, n})
		total += best
	}
	sort.Slice(costs, func(i, j int) bool { return costs[i].cpu > costs[j].cpu })
	t.Logf("per package, alone, process CPU (best of 3), total %v:", total.Round(time.Millisecond))
	for _, c := range costs {
		t.Logf("| %s | %d ms | %d |", c.name, c.cpu.Milliseconds(), c.n)
	}

	{
		pq, err := rego.New(rego.Compiler(eng.Compiler), rego.Store(store), rego.Query(engine.Query)).PrepareForEval(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		best := time.Duration(1 << 62)
		for range 3 {
			c0 := cpuTime()
			if _, err := pq.Eval(context.Background(), rego.EvalParsedInput(in)); err != nil {
				t.Fatal(err)
			}
			best = min(best, cpuTime()-c0)
		}
		t.Logf("all packages in one query (shared caches), process CPU (best of 3): %v", best.Round(time.Millisecond))
	}
	if os.Getenv("NATSAUDIT_PROFILE_RULES") == "" {
		return
	}
	p := profiler.New()
	r := rego.New(rego.Compiler(eng.Compiler), rego.Store(store), rego.Query(engine.Query), rego.QueryTracer(p), rego.ParsedInput(in))
	if _, err := r.Eval(context.Background()); err != nil {
		t.Fatal(err)
	}
	stats := p.ReportTopNResults(-1, []string{"total_time_ns"})
	names := ruleSpans(eng)
	type ruleCost struct {
		name  string
		ns    int64
		evals int
	}
	byRule := map[string]*ruleCost{}
	var all int64
	evals := 0
	for _, s := range stats {
		if s.Location == nil {
			continue
		}
		k := names.at(exprLoc{s.Location.File, s.Location.Row})
		c := byRule[k]
		if c == nil {
			c = &ruleCost{name: k}
			byRule[k] = c
		}
		c.ns += s.ExprTimeNs
		c.evals += s.NumEval
		evals += s.NumEval
		all += s.ExprTimeNs
	}
	rules := make([]*ruleCost, 0, len(byRule))
	for _, c := range byRule {
		rules = append(rules, c)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ns > rules[j].ns })
	t.Logf("expression evaluations: %d (%d servers, %.0f per server)", evals, len(res.Inventory.Servers), float64(evals)/float64(max(1, len(res.Inventory.Servers))))
	t.Logf("per rule, profiled (exclusive expression time; profiling slows evaluation), total %d ms:", all/1e6)
	for i, c := range rules {
		if i == 25 {
			break
		}
		t.Logf("| %s | %d ms | %.1f%% | %d |", c.name, c.ns/1e6, 100*float64(c.ns)/float64(all), c.evals)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].evals > rules[j].evals })
	t.Logf("per rule, by expression evaluations (the load-independent measure):")
	for i, c := range rules {
		if i == 40 {
			break
		}
		t.Logf("| %s | %d | %d ms |", c.name, c.evals, c.ns/1e6)
	}
	if out := os.Getenv("NATSAUDIT_PROFILE_OUT"); out != "" {
		// Every rule's count, for diffing two profiles (TSV: rule,
		// evaluations, exclusive ms).
		var b strings.Builder
		for _, c := range rules {
			fmt.Fprintf(&b, "%s\t%d\t%d\n", c.name, c.evals, c.ns/1e6)
		}
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("per expression:")
	for i, s := range stats {
		if i == 25 {
			break
		}
		t.Logf("| %s:%d | %d ms | %d |", s.Location.File, s.Location.Row, s.ExprTimeNs/1e6, s.NumEval)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
