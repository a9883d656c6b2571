package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/assemble"
	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

// The benchmarks below time each stage of a scan over generated repositories
// of 10 to 5,000 config files (see internal/testgen and docs/performance.md).
// The engine is built once, outside the timed loops: its cost is
// BenchmarkNew in internal/engine.

func benchEngine(b *testing.B) *engine.Engine {
	b.Helper()
	// The largest repos take longer than the CLI's default evaluation bound
	// on a loaded machine: the curve should show the cost, not a timeout.
	eng, err := engine.New(context.Background(), engine.Options{EvalTimeout: 30 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	return eng
}

// BenchmarkRun is a whole scan less engine start-up: discovery, parsing,
// assembly, input conversion, rule evaluation, locations, suppressions and
// scores.
func BenchmarkRun(b *testing.B) {
	eng := benchEngine(b)
	for _, n := range testgen.BenchSizes() {
		dir, st := testgen.ForBench(b, n)
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var findings int
			for b.Loop() {
				res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
				if err != nil {
					b.Fatal(err)
				}
				findings = len(res.Report.Findings)
			}
			b.ReportMetric(float64(st.Servers), "servers")
			b.ReportMetric(float64(findings), "findings")
		})
	}
}

// BenchmarkInput converts the inventory into the Rego input value.
func BenchmarkInput(b *testing.B) {
	eng := benchEngine(b)
	for _, n := range testgen.BenchSizes() {
		dir, _ := testgen.ForBench(b, n)
		inv := inventory(b, eng, dir)
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := audit.Input(inv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEval evaluates every rule once over the whole inventory.
func BenchmarkEval(b *testing.B) {
	eng := benchEngine(b)
	for _, n := range testgen.BenchSizes() {
		dir, _ := testgen.ForBench(b, n)
		in, err := audit.Input(inventory(b, eng, dir))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var raws int
			for b.Loop() {
				rs, err := eng.Eval(context.Background(), in)
				if err != nil {
					b.Fatal(err)
				}
				raws = len(rs)
			}
			b.ReportMetric(float64(raws), "results")
		})
	}
}

func inventory(b *testing.B, eng *engine.Engine, dir string) *model.Inventory {
	b.Helper()
	a, err := audit.NewAnalyzer(eng)
	if err != nil {
		b.Fatal(err)
	}
	d, err := discover.Walk(context.Background(), dir, []string{dir}, discover.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return assemble.Build(d, dir, assemble.Options{Secrets: a, Now: now})
}
