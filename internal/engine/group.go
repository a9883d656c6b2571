package engine

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

// natsaudit.group(pairs): the set or array of [key, value] pairs as an
// object from each key to the set of its values; what a multi-value rule
// `index[key] contains value if { ... }` gives, in time linear in the pairs.
// OPA (v1.22) checks every result of a multi-value or partial object rule
// against every earlier result for conflicting refs (topdown hasCollisions),
// so an index with n entries costs n^2/2 comparisons each time a rule
// package evaluates it in full: at 5,000 config files a quarter of the
// evaluation. Written as natsaudit.group({[key, value] | ...}), the pairs
// are a set (hashed, no such check) and the grouping is one pass here.
func init() {
	rego.RegisterBuiltin1(&rego.Function{
		Name: "natsaudit.group",
		Decl: types.NewFunction(types.Args(types.NewAny(types.NewSet(types.A), types.NewArray(nil, types.A))),
			types.NewObject(nil, types.NewDynamicProperty(types.A, types.NewSet(types.A)))),
	}, func(_ rego.BuiltinContext, pairs *ast.Term) (*ast.Term, error) {
		return Group(pairs.Value)
	})
}

// Group is natsaudit.group.
func Group(pairs ast.Value) (*ast.Term, error) {
	// The sets are complete before they go into the object: an object
	// caches its hash, so a value must not change once inserted.
	idx := ast.NewObject() // key -> position in sets
	var keys []*ast.Term
	var sets []ast.Set
	var err error
	add := func(p *ast.Term) {
		a, ok := p.Value.(*ast.Array)
		if !ok || a.Len() != 2 {
			if err == nil {
				err = fmt.Errorf("natsaudit.group: %v is not a [key, value] pair", p)
			}
			return
		}
		k, v := a.Elem(0), a.Elem(1)
		if i := idx.Get(k); i != nil {
			n, _ := i.Value.(ast.Number).Int()
			sets[n].Add(v)
			return
		}
		idx.Insert(k, ast.InternedTerm(len(sets)))
		keys = append(keys, k)
		sets = append(sets, ast.NewSet(v))
	}
	switch x := pairs.(type) {
	case ast.Set:
		x.Foreach(add)
	case *ast.Array:
		x.Foreach(add)
	default:
		return nil, fmt.Errorf("natsaudit.group: want a set or an array of pairs, got %s", ast.ValueName(pairs))
	}
	if err != nil {
		return nil, err
	}
	out := ast.NewObject()
	for i, k := range keys {
		out.Insert(k, ast.NewTerm(sets[i]))
	}
	return ast.NewTerm(out), nil
}
