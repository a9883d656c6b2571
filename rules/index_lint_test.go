package rules_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestIndexRulesAreGrouped: no rule of the catalog builds an index of the
// input's collections as a multi-value or partial object rule
// (`by_key[k] contains v if { some x in input.streams ... }`). OPA checks
// every result of such a rule against every earlier one (topdown
// hasCollisions), so an index of n entries costs n^2/2 comparisons each
// time a rule package evaluates it in full: a quarter of the evaluation of
// the 5,000-file repo. natsaudit.group({[k, v] | ...}) gives the same
// object of sets in linear time. Expression counts (TestRulesScaleLinearly)
// do not see this cost: it is inside OPA, one result at a time.
func TestIndexRulesAreGrouped(t *testing.T) {
	var bad []string
	for name, src := range regoFiles(t) {
		if strings.HasSuffix(name, "_test.rego") {
			continue
		}
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range m.Rules {
			ref := r.Head.Ref()
			if len(ref) < 2 || ref[len(ref)-1].IsGround() && r.Head.RuleKind() != ast.MultiValue {
				continue // a complete rule or a function
			}
			if r.Head.RuleKind() == ast.MultiValue && len(ref) == 1 {
				continue // a partial set (`deny contains f`): hashed, no such check
			}
			iterates := false
			ast.WalkExprs(r.Body, func(e *ast.Expr) bool {
				if e.IsEvery() {
					return false
				}
				// `some x in xs`, `some k, v in xs` and `x := xs[_]`-style
				// iteration all enumerate a collection.
				if d, ok := e.Terms.(*ast.SomeDecl); ok && len(d.Symbols) == 1 {
					if c, ok := d.Symbols[0].Value.(ast.Call); ok {
						op := c[0].Value.(ast.Ref)
						iterates = iterates || op.Equal(ast.Member.Ref()) || op.Equal(ast.MemberWithKey.Ref())
					}
				}
				return false
			})
			if iterates {
				bad = append(bad, name+": "+ref.String())
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		if allowedPartialIndex[b] {
			continue
		}
		t.Errorf("%s iterates a collection in a multi-value or partial object rule: write it as natsaudit.group({[key, value] | ...})", b)
	}
}

// allowedPartialIndex: partial object rules over small live documents
// whose values are not sets, kept as they are; each is named here so that a
// new one is a decision.
var allowedPartialIndex = map[string]bool{
	// One entry per account or JWT subject seen by a live server: a handful
	// per scan, each a sorted array rather than a set.
	"live_health.rego: _account_details[id]": true,
	"live_health.rego: _user_jwts[sub]":      true,
}
