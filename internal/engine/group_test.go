package engine

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// TestGroupAgreesWithMultiValueRule: natsaudit.group({[k, v] | ...}) is the
// object a multi-value rule `m[k] contains v` gives, on random inputs with
// repeated keys and values, composite keys and values, and no pairs at all.
func TestGroupAgreesWithMultiValueRule(t *testing.T) {
	const mod = `package t
multi[k] contains v if {
	some x in input.xs
	k := x.k
	v := x.v
}

grouped := natsaudit.group({[k, v] |
	some x in input.xs
	k := x.k
	v := x.v
})

same if multi == grouped
`
	pq, err := rego.New(rego.Module("t.rego", mod), rego.Query("data.t.same; count(data.t.grouped) == count(data.t.multi)"),
		rego.Capabilities(Capabilities())).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewSource(18))
	keys := []any{"a", "b", "c", 1, []any{"s", "x"}, []any{"s", "y"}, map[string]any{"o": 1}}
	for round := 0; round < 100; round++ {
		var xs []any
		for i := 0; i < rnd.Intn(40); i++ {
			xs = append(xs, map[string]any{"k": keys[rnd.Intn(len(keys))], "v": []any{fmt.Sprint(rnd.Intn(5)), rnd.Intn(3)}})
		}
		rs, err := pq.Eval(context.Background(), rego.EvalInput(map[string]any{"xs": xs}))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Fatalf("round %d: natsaudit.group differs from the multi-value rule on %v", round, xs)
		}
	}
}

func TestGroupRejectsWhatIsNotPairs(t *testing.T) {
	for _, v := range []ast.Value{
		ast.NewSet(ast.StringTerm("a")),
		ast.NewArray(ast.ArrayTerm(ast.StringTerm("k"))),
		ast.NewArray(ast.ArrayTerm(ast.StringTerm("k"), ast.StringTerm("v"), ast.StringTerm("w"))),
		ast.String("pairs"),
	} {
		if _, err := Group(v); err == nil {
			t.Errorf("natsaudit.group(%v): no error", v)
		}
	}
	got, err := Group(ast.NewArray(ast.ArrayTerm(ast.StringTerm("k"), ast.StringTerm("v")), ast.ArrayTerm(ast.StringTerm("k"), ast.StringTerm("w"))))
	if err != nil {
		t.Fatal(err)
	}
	want := ast.MustParseTerm(`{"k": {"v", "w"}}`)
	if !got.Equal(want) || got.Hash() != want.Hash() {
		t.Errorf("got %v (hash %d), want %v (hash %d)", got, got.Hash(), want, want.Hash())
	}
}
