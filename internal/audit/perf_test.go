package audit_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

var update = flag.Bool("update", false, "rewrite testdata/bench-100.findings and testdata/eval-cpu-budget.txt")

// findingLines is one line per finding, in report order: everything a
// performance change must leave as it was.
func findingLines(fs []report.Finding) []byte {
	var b bytes.Buffer
	for _, f := range fs {
		loc := f.Target
		if f.Location != nil {
			loc = fmt.Sprintf("%s:%d:%d", f.Location.File, f.Location.Line, f.Location.Column)
		}
		fmt.Fprintf(&b, "%s %s %s %s %s\t%s\n", f.Fingerprint, f.Severity, f.RuleID, loc, f.Path, strconv.Quote(f.Message))
	}
	return b.Bytes()
}

// TestBenchRepoFindingsUnchanged: the generated 100-config-file benchmark
// repository (testgen seed 1, 50 services) gives exactly the committed
// findings — fingerprints, severities, rules, locations, paths, messages and
// order. Performance work (indexes, slicing, concurrency) must not change a
// byte of them; a rule change that does regenerates the file with -update
// and shows the difference in review.
func TestBenchRepoFindingsUnchanged(t *testing.T) {
	checkLineGolden(t, "bench-100.findings", "findings", findingLines(benchRepoFindings(t)))
}

// benchRepo holds the audit of the generated 100-file repository, shared by
// the tests that pin its findings (one audit instead of one per test).
var benchRepo struct {
	once     sync.Once
	findings []report.Finding
	err      error
}

// benchRepoFindings audits the generated 100-config-file benchmark
// repository (testgen seed 1, 50 services) once per test binary.
func benchRepoFindings(t *testing.T) []report.Finding {
	t.Helper()
	benchRepo.once.Do(func() {
		eng, err := engine.New(context.Background(), engine.Options{})
		if err != nil {
			benchRepo.err = err
			return
		}
		dir, _ := testgen.ForBench(t, 100)
		res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
		if err != nil {
			benchRepo.err = err
			return
		}
		if len(res.Report.Errors) > 0 {
			benchRepo.err = fmt.Errorf("the benchmark repo has errors: %+v", res.Report.Errors)
			return
		}
		benchRepo.findings = res.Report.Findings
	})
	if benchRepo.err != nil {
		t.Fatal(benchRepo.err)
	}
	return benchRepo.findings
}

// checkLineGolden compares got with testdata/name line by line (writing it
// first with -update) and names the first line that differs.
func checkLineGolden(t *testing.T, name, what string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("%s differ from %s (%d lines, want %d); first difference at line %d:\n got: %s\nwant: %s", what, golden, len(g), len(w), i+1, gl, wl)
		}
	}
}

// TestEvalCPUBudget guards against a rule that makes evaluation quadratic or
// just much slower: the CPU time (user + system, every thread: GC and both
// evaluation goroutines count, waiting for a core does not) of evaluating
// the rules over the 100-config-file benchmark repository must stay within
// twice the committed budget. CPU time, unlike wall time, barely moves when
// other processes share the machine; a run over the limit is measured again
// (up to five times, the best counts) before the test fails.
func TestEvalCPUBudget(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector multiplies CPU time")
	}
	if testing.Short() {
		t.Skip("evaluates the rules up to six times")
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := testgen.ForBench(t, 100)
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	in, err := audit.Input(res.Inventory)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "eval-cpu-budget.txt")
	budget := readBudget(t, path)
	const slack = 2
	best := time.Duration(1 << 62)
	for run := 0; run < 5; run++ {
		c0 := cpuTime()
		if _, err := eng.Eval(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		best = min(best, cpuTime()-c0)
		if !*update && best <= slack*budget {
			break
		}
	}
	t.Logf("evaluation CPU time, 100 config files: %v (budget %v, limit %v)", best.Round(time.Millisecond), budget, slack*budget)
	if *update {
		text := fmt.Sprintf("# TestEvalCPUBudget (internal/audit): CPU time of one evaluation of every rule over the\n# 100-config-file benchmark repository, best of 5 (go test -run TestEvalCPUBudget -update).\n# The test fails over twice this.\n%d ms\n", best.Milliseconds())
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if best > slack*budget {
		t.Errorf("evaluating the rules over 100 config files took %v of CPU, over %d× the budget of %v in %s: a rule got much slower (profile it: NATSAUDIT_PROFILE=dir go test -run TestProfileRules -v ./internal/audit); if the cost is intended, raise the budget with -update", best.Round(time.Millisecond), slack, budget, path)
	}
}

func readBudget(t *testing.T, path string) time.Duration {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		if *update {
			return 0
		}
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		ms, err := strconv.Atoi(strings.TrimSuffix(l, " ms"))
		if err != nil || ms <= 0 {
			t.Fatalf("%s: want \"N ms\", got %q", path, l)
		}
		return time.Duration(ms) * time.Millisecond
	}
	t.Fatalf("%s: no budget", path)
	return 0
}
