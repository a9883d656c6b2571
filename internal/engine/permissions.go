package engine

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

// Effective permissions of a user, judged in Go: NATS-AUTH-005 (open
// permissions) and the NATS-ACC rules ask, for every application user of
// every server, whether a direction is open and whether its allow and deny
// lists grant a subject. In Rego each question walked the allow and deny
// lists and both subjects' tokens again (tens of thousands of expressions
// on a large repository); here it is one memoized call per distinct
// permissions object, which users sharing default permissions share.
//
// Both builtins judge only the shape the nats.conf source produces
// (publish and subscribe as objects with allow and deny arrays) and return
// null for anything else: the Rego definitions they stand for stay in the
// rules and judge the rest, so hand-written inputs of any shape keep their
// findings.
func init() {
	// natsaudit.perms_open(perms): {"publish": bool, "subscribe": bool},
	// rules/auth.rego _open for both directions; perms null means no
	// permissions (both open).
	rego.RegisterBuiltin1(&rego.Function{
		Name:    "natsaudit.perms_open",
		Decl:    types.NewFunction(types.Args(types.A), types.A),
		Memoize: true,
	}, func(_ rego.BuiltinContext, p *ast.Term) (*ast.Term, error) {
		pub, sub, ok := PermsOpen(p.Value)
		if !ok {
			return ast.NullTerm(), nil
		}
		return ast.ObjectTerm(
			ast.Item(ast.StringTerm("publish"), ast.BooleanTerm(pub)),
			ast.Item(ast.StringTerm("subscribe"), ast.BooleanTerm(sub)),
		), nil
	})
	// natsaudit.perm_facts(perms, dir, subj): what rules/access.rego asks of
	// a user's permissions in one direction about one subject:
	//   grant: [the least allow entry other than ">" covering subj] when no
	//          deny entry covers subj, else [] (_grants)
	//   some:  an allow entry other than ">" overlaps subj and no deny entry
	//          covers subj or that entry (_grants_some)
	//   may:   the user may use subj: no allow list or an allow entry
	//          covering it, and no deny entry covering it
	//          (_may_subscribe, _may_publish)
	rego.RegisterBuiltin3(&rego.Function{
		Name:    "natsaudit.perm_facts",
		Decl:    types.NewFunction(types.Args(types.A, types.A, types.A), types.A),
		Memoize: true,
	}, func(_ rego.BuiltinContext, p, d, s *ast.Term) (*ast.Term, error) {
		dir, ok1 := d.Value.(ast.String)
		subj, ok2 := s.Value.(ast.String)
		f, ok3 := PermFactsOf(p.Value, string(dir), string(subj))
		if !ok1 || !ok2 || !ok3 {
			return ast.NullTerm(), nil
		}
		grant := ast.NewArray()
		if f.Grant != nil {
			grant = ast.NewArray(ast.StringTerm(*f.Grant))
		}
		return ast.ObjectTerm(
			ast.Item(ast.StringTerm("grant"), ast.NewTerm(grant)),
			ast.Item(ast.StringTerm("some"), ast.BooleanTerm(f.Some)),
			ast.Item(ast.StringTerm("may"), ast.BooleanTerm(f.May)),
		), nil
	})
}

// dirLists is one direction of a permissions object: its allow and deny
// entries (any value; only strings take part in matching).
type dirLists struct {
	present     bool
	allow, deny []ast.Value
}

// direction reads perms[dir] when it has the shape the source produces: absent,
// or an object whose allow and deny are absent or arrays.
func direction(perms ast.Object, dir string) (dirLists, bool) {
	t := perms.Get(ast.StringTerm(dir))
	if t == nil {
		return dirLists{}, true
	}
	o, ok := t.Value.(ast.Object)
	if !ok {
		return dirLists{}, false
	}
	l := dirLists{present: true}
	for _, k := range []string{"allow", "deny"} {
		v := o.Get(ast.StringTerm(k))
		if v == nil {
			continue
		}
		a, ok := v.Value.(*ast.Array)
		if !ok {
			return dirLists{}, false
		}
		vals := make([]ast.Value, 0, a.Len())
		a.Foreach(func(t *ast.Term) { vals = append(vals, t.Value) })
		if k == "allow" {
			l.allow = vals
		} else {
			l.deny = vals
		}
	}
	return l, true
}

// PermsOpen is natsaudit.perms_open; ok is false for a shape it does not
// judge.
func PermsOpen(v ast.Value) (pub, sub, ok bool) {
	if _, null := v.(ast.Null); null {
		return true, true, true
	}
	perms, isObj := v.(ast.Object)
	if !isObj {
		return false, false, false
	}
	p, ok1 := direction(perms, "publish")
	s, ok2 := direction(perms, "subscribe")
	if !ok1 || !ok2 {
		return false, false, false
	}
	open := func(l dirLists) bool {
		if !l.present {
			return true
		}
		if len(l.deny) > 0 {
			return false
		}
		if len(l.allow) == 0 {
			return true
		}
		for _, a := range l.allow {
			if a.Compare(ast.String(">")) == 0 {
				return true
			}
		}
		return false
	}
	// allow_responses without a publish allow list leaves only replies.
	responsesOnly := false
	if r := perms.Get(ast.StringTerm("allow_responses")); r != nil && len(p.allow) == 0 {
		_, isObj := r.Value.(ast.Object)
		responsesOnly = isObj || r.Value.Compare(ast.Boolean(true)) == 0
	}
	return open(p) && !responsesOnly, open(s), true
}

// PermFacts is what natsaudit.perm_facts returns.
type PermFacts struct {
	Grant     *string
	Some, May bool
}

// PermFactsOf is natsaudit.perm_facts; ok is false for a shape it does not
// judge.
func PermFactsOf(v ast.Value, dir, subj string) (PermFacts, bool) {
	perms, isObj := v.(ast.Object)
	if !isObj {
		return PermFacts{}, false
	}
	l, ok := direction(perms, dir)
	if !ok {
		return PermFacts{}, false
	}
	denied := func(s string) bool {
		for _, d := range l.deny {
			if ds, ok := d.(ast.String); ok && RegoCovers(string(ds), s) {
				return true
			}
		}
		return false
	}
	var f PermFacts
	subjDenied := denied(subj)
	f.May = len(l.allow) == 0 && !subjDenied
	for _, a := range l.allow {
		as, ok := a.(ast.String)
		if !ok {
			continue
		}
		s := string(as)
		if RegoCovers(s, subj) && !subjDenied {
			f.May = true
		}
		if s == ">" {
			continue
		}
		if RegoCovers(s, subj) && !subjDenied && (f.Grant == nil || s < *f.Grant) {
			f.Grant = &s
		}
		if !f.Some && RegoOverlap(s, subj) && !subjDenied && !denied(s) {
			f.Some = true
		}
	}
	return f, true
}
