package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// The Rego definitions natsaudit.perms_open and natsaudit.perm_facts stand
// for (rules/auth.rego _open, rules/access.rego _grants, _grants_some,
// _may_subscribe, _may_publish), verbatim but for their names.
const regoPerms = `package t

_open(null, _) := true

_open(perms, dir) if {
	is_object(perms)
	not perms[dir]
	not _responses_only(perms, dir)
}

_open(perms, dir) if {
	d := perms[dir]
	count(object.get(d, "deny", [])) == 0
	_allows_all(object.get(d, "allow", []))
	not _responses_only(perms, dir)
}

_responses_only(perms, "publish") if {
	_allow_responses(perms.allow_responses)
	count(object.get(object.get(perms, "publish", {}), "allow", [])) == 0
}

_allow_responses(true)

_allow_responses(x) if is_object(x)

_allows_all(allow) if count(allow) == 0

_allows_all(allow) if ">" in allow

_allow(perms, dir) := object.get(object.get(perms, dir, {}), "allow", [])

_denied(perms, dir, subj) if {
	some d in object.get(object.get(perms, dir, {}), "deny", [])
	is_string(d)
	natsaudit.subject_covers(d, subj)
}

_grants(perms, dir, subj) := min(gs) if {
	gs := {a |
		some a in _allow(perms, dir)
		is_string(a)
		a != ">"
		natsaudit.subject_covers(a, subj)
	}
	count(gs) > 0
	not _denied(perms, dir, subj)
}

_grants_some(perms, dir, f) if {
	some a in _allow(perms, dir)
	is_string(a)
	a != ">"
	natsaudit.subjects_overlap(a, f)
	not _denied(perms, dir, f)
	not _denied(perms, dir, a)
}

_may(perms, dir, subj) if {
	count(_allow(perms, dir)) == 0
	not _denied(perms, dir, subj)
}

_may(perms, dir, subj) if {
	some a in _allow(perms, dir)
	is_string(a)
	natsaudit.subject_covers(a, subj)
	not _denied(perms, dir, subj)
}

_open_b(p, dir) if _open(p, dir)

else := false

_some_b(p, dir, s) if _grants_some(p, dir, s)

else := false

_may_b(p, dir, s) if _may(p, dir, s)

else := false

open[i] := [_open_b(p, "publish"), _open_b(p, "subscribe")] if some i, p in input.perms

facts contains [i, dir, s, object.get({"g": _grants(p, dir, s)}, "g", null), _some_b(p, dir, s), _may_b(p, dir, s)] if {
	some i, p in input.perms
	p != null
	some dir in ["publish", "subscribe"]
	some s in input.subjects
}

facts contains [i, dir, s, null, _some_b(p, dir, s), _may_b(p, dir, s)] if {
	some i, p in input.perms
	p != null
	some dir in ["publish", "subscribe"]
	some s in input.subjects
	not _grants(p, dir, s)
}
`

// TestPermBuiltinsAgreeWithRego: on random permissions of the shape the
// builtins judge, they say what the Rego definitions say; on other shapes
// they return null (the rules then use the Rego definitions).
func TestPermBuiltinsAgreeWithRego(t *testing.T) {
	subjects := []string{">", "orders.>", "orders.*", "orders.new", "orders.secret", "_INBOX.>", "_INBOX.x.y", "_R_.>", "_R_.aBcDeFgH.x", "$SYS.>", "$SYS.ACCOUNT.x.CONNECT", "$JS.API.>", "$JS.API.STREAM.DELETE.*", "$JS.API.STREAM.PURGE.ORDERS", "*.>", "a..b"}
	rnd := rand.New(rand.NewSource(18))
	list := func() []any {
		out := []any{} // never nil: JSON null is another shape
		for range rnd.Intn(4) {
			if rnd.Intn(12) == 0 {
				out = append(out, 7) // not a subject
				continue
			}
			out = append(out, subjects[rnd.Intn(len(subjects))])
		}
		return out
	}
	dir := func() (any, bool) {
		switch rnd.Intn(6) {
		case 0:
			return nil, false
		case 1:
			return map[string]any{"allow": list()}, true
		default:
			return map[string]any{"allow": list(), "deny": list()}, true
		}
	}
	var perms []any
	for range 400 {
		p := map[string]any{}
		for _, d := range []string{"publish", "subscribe"} {
			if v, ok := dir(); ok {
				p[d] = v
			}
		}
		switch rnd.Intn(5) {
		case 0:
			p["allow_responses"] = true
		case 1:
			p["allow_responses"] = map[string]any{"max": 1}
		case 2:
			p["allow_responses"] = false
		}
		perms = append(perms, p)
	}
	perms = append(perms, nil, map[string]any{})
	pq, err := rego.New(rego.Module("t.rego", regoPerms), rego.Query("data.t.open; data.t.facts"), rego.Capabilities(Capabilities())).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := pq.Eval(context.Background(), rego.EvalInput(map[string]any{"perms": perms, "subjects": subjects}))
	if err != nil || len(rs) != 1 {
		t.Fatalf("eval: %v %v", rs, err)
	}
	open := rs[0].Expressions[0].Value.(map[string]any)
	facts := map[string][]any{}
	for _, f := range rs[0].Expressions[1].Value.([]any) {
		f := f.([]any)
		facts[fmt.Sprint(f[:3]...)] = f[3:]
	}
	granted, opened := 0, 0
	for i, p := range perms {
		v, err := ast.InterfaceToValue(p)
		if err != nil {
			t.Fatal(err)
		}
		pub, sub, ok := PermsOpen(v)
		want, _ := open[fmt.Sprint(i)].([]any)
		if !ok || len(want) != 2 || pub != want[0] || sub != want[1] {
			t.Errorf("PermsOpen(%v) = %v, %v, %v; Rego says %v", p, pub, sub, ok, want)
		}
		if pub || sub {
			opened++
		}
		if p == nil {
			continue
		}
		for _, d := range []string{"publish", "subscribe"} {
			for _, s := range subjects {
				f, ok := PermFactsOf(v, d, s)
				w := facts[fmt.Sprint(json.Number(fmt.Sprint(i)), d, s)]
				if len(w) != 3 {
					t.Fatalf("Rego facts for %d %s %s: %v", i, d, s, w)
				}
				var g any
				if f.Grant != nil {
					g = *f.Grant
					granted++
				}
				if !ok || g != w[0] || f.Some != w[1] || f.May != w[2] {
					t.Errorf("PermFactsOf(%v, %s, %s) = %+v (grant %v), %v; Rego says %v", p, d, s, f, g, ok, w)
				}
			}
		}
	}
	if granted < 500 || opened < 50 {
		t.Fatalf("only %d grants and %d open permissions: the comparison proves little", granted, opened)
	}

	// Shapes left to Rego.
	for _, p := range []any{"x", []any{"a"}, map[string]any{"publish": "a.b"}, map[string]any{"subscribe": []any{"a"}}, map[string]any{"publish": map[string]any{"allow": "a"}}, map[string]any{"publish": false}, map[string]any{"publish": map[string]any{"allow": nil}}} {
		v, _ := ast.InterfaceToValue(p)
		if _, _, ok := PermsOpen(v); ok {
			t.Errorf("PermsOpen judged %v", p)
		}
		if _, ok := PermFactsOf(v, "publish", "a.b"); ok && p != nil {
			if m, isMap := p.(map[string]any); !isMap || m["publish"] != nil {
				t.Errorf("PermFactsOf judged %v", p)
			}
		}
	}
}
