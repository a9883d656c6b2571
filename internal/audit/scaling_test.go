package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/profiler"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

// knownSuperlinear are rules known to join servers with servers (or
// streams) that their authors have been told about; the test logs them
// instead of failing. Keys are "file rule".
var knownSuperlinear = map[string]string{}

// TestRulesScaleLinearly counts how often each Rego expression is evaluated
// (OPA's profiler) over generated repos of 5 and 20 services. Counts are
// deterministic, unlike timings: a rule whose expression counts grow with
// the square of the servers or streams (a join of every server with every
// other, or with every stream) is what made a 500-service monorepo take
// seconds, and it shows here on small inputs already.
func TestRulesScaleLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates the rules with the profiler twice")
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	offenders := superlinear(t, eng)
	keys := make([]string, 0, len(offenders))
	for k := range offenders {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if why, known := knownSuperlinear[k]; known {
			t.Logf("known superlinear rule %s (%s):%s", k, why, offenders[k])
			continue
		}
		t.Errorf("rule %s grows faster than the inventory (x%d services):%s; index the joined collection once (a complete rule, or object.get on a whole partial object) instead of scanning it per server", k, scaleFactor, offenders[k])
	}
}

// TestScalingCheckCatchesAJoin: a user rule that compares every server with
// every other is reported by the check above.
func TestScalingCheckCatchesAJoin(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates the rules with the profiler twice")
	}
	dir := t.TempDir()
	src := `package natsaudit.rules.zz_join

# Two servers with the same max_payload: a servers x servers join.
same_payload contains [a.ref, b.ref] if {
	some a in input.servers
	some b in input.servers
	a.ref != b.ref
	a.config.max_payload == b.config.max_payload
}
`
	if err := os.WriteFile(filepath.Join(dir, "join.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Options{RuleDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	name := engine.ModuleName(filepath.Join(dir, "join.rego")) + " same_payload"
	if _, ok := superlinear(t, eng, "data.natsaudit.rules.zz_join.same_payload")[name]; !ok {
		t.Fatalf("the servers x servers join %s was not reported", name)
	}
}

const scaleFactor = 4

// superlinear evaluates the rules (or the given queries) over generated
// repos of 5 and 20 services and returns the rules whose expressions are
// evaluated more than twice as often as linear growth would give.
func superlinear(t *testing.T, eng *engine.Engine, extra ...string) map[string]string {
	t.Helper()
	const small = 5
	a := evalCounts(t, eng, small, extra)
	b := evalCounts(t, eng, small*scaleFactor, extra)
	if len(a) == 0 || len(b) == 0 {
		t.Fatal("the profiler counted nothing")
	}
	names := ruleSpans(eng)
	offenders := map[string]string{}
	for loc, nb := range b {
		na := max(a[loc], 1)
		// Linear growth is about scaleFactor (4); a join grows by its
		// square (16). Small counts are fixed costs whatever their ratio.
		if nb >= 200 && float64(nb)/float64(na) > 2*scaleFactor {
			key := names.at(loc)
			offenders[key] += fmt.Sprintf(" %s:%d (%d→%d evaluations)", loc.file, loc.row, na, nb)
		}
	}
	return offenders
}

type exprLoc struct {
	file string
	row  int
}

func evalCounts(t *testing.T, eng *engine.Engine, services int, extra []string) map[exprLoc]int {
	t.Helper()
	dir := t.TempDir()
	if _, err := testgen.Generate(dir, testgen.Options{Services: services, Seed: 1}); err != nil {
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
	out := map[exprLoc]int{}
	for _, q := range append([]string{engine.Query}, extra...) {
		p := profiler.New()
		r := rego.New(rego.Compiler(eng.Compiler), rego.Store(inmem.NewFromObject(map[string]any{"natsaudit": eng.Data})),
			rego.Query(q), rego.QueryTracer(p), rego.ParsedInput(in))
		if _, err := r.Eval(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, s := range p.ReportTopNResults(-1, []string{"num_eval"}) {
			if s.Location != nil {
				out[exprLoc{s.Location.File, s.Location.Row}] += s.NumEval
			}
		}
	}
	return out
}

// spans maps a file's rows to the rule written there.
type spans map[string][]span

type span struct {
	row  int
	name string
}

func ruleSpans(eng *engine.Engine) spans {
	out := spans{}
	for file, m := range eng.Modules {
		for _, r := range m.Rules {
			out[file] = append(out[file], span{r.Location.Row, ruleName(r)})
		}
		sort.Slice(out[file], func(i, j int) bool { return out[file][i].row < out[file][j].row })
	}
	return out
}

func ruleName(r *ast.Rule) string {
	return r.Head.Ref().GroundPrefix().String()
}

// at names the rule that holds an expression: the last rule starting at or
// before its row.
func (s spans) at(l exprLoc) string {
	name := "?"
	for _, sp := range s[l.file] {
		if sp.row > l.row {
			break
		}
		name = sp.name
	}
	return l.file + " " + name
}
