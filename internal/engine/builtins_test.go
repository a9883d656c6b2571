package engine

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.0.1.1", true}, // Debian's hostname address
		{"127.255.255.254", true},
		{"::1", true},
		{"[::1]", true},
		{"localhost", true},
		{"LOCALHOST", true},
		{"127.0.0.1:4222", true},
		{"[::1]:4222", true},
		{"nats-leaf://127.0.0.1:7422", true},
		{"nats-leaf://user:pw@127.0.1.1:7422", true},
		{"nats-route://localhost:6222", true},
		{"ws://[::1]:443/path", true},
		{"0.0.0.0", false},
		{"", false},
		{"128.0.0.1", false},
		{"10.0.0.1", false},
		{"hub.example.com", false},
		{"nats-leaf://hub.example.com:7422", false},
		{"nats://127.0.0.1.evil.example:4222", false},
		{"nats://evil@127.0.0.1@x.example:4222", false},
	} {
		if got := IsLoopback(tc.in); got != tc.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// The Rego functions natsaudit.subjects_overlap and natsaudit.subject_covers
// replace, verbatim (rules/lib/subjects.rego, rules/access.rego before the
// builtins). The builtins must agree with them on every pair, malformed
// subjects included, so that no finding changes.
const regoSubjects = `package t

overlap(a, b) if {
	ta := split(a, ".")
	tb := split(b, ".")
	count(ta) == count(tb)
	every i, x in ta {
		_rel_token_match(x, tb[i])
	}
}

overlap(a, b) if {
	ta := split(a, ".")
	tb := split(b, ".")
	some k in _rel_tail_wildcards(ta, tb)
	every i, x in ta {
		_rel_token_before(i, k, x, tb)
	}
}

_rel_tail_wildcards(ta, tb) := {k | some k, x in ta; x == ">"; count(tb) > k} | {k | some k, x in tb; x == ">"; count(ta) > k}

_rel_token_before(i, k, _, _) if i >= k

_rel_token_before(i, k, x, tb) if {
	i < k
	_rel_token_match(x, tb[i])
}

_rel_token_match(x, x)

_rel_token_match("*", _)

_rel_token_match(_, "*")

covers(f, s) if {
	tf := split(f, ".")
	ts := split(s, ".")
	count(tf) == count(ts)
	every i, x in tf {
		_tok(x, ts[i])
	}
}

covers(f, s) if {
	tf := split(f, ".")
	ts := split(s, ".")
	n := count(tf)
	tf[n - 1] == ">"
	count(ts) >= n
	every i, x in array.slice(tf, 0, n - 1) {
		_tok(x, ts[i])
	}
}

_tok("*", y) if y != ">"

_tok(x, x) if x != "*"

overlaps contains [a, b] if {
	some a in input
	some b in input
	overlap(a, b)
}

covered contains [a, b] if {
	some a in input
	some b in input
	covers(a, b)
}
`

func TestSubjectBuiltinsAgreeWithRego(t *testing.T) {
	// Every subject of up to 3 tokens from a small alphabet, with the
	// malformed ones (empty tokens, ">" not last, "" itself).
	toks := []string{"a", "b", "*", ">", ""}
	subjs := []string{""}
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		if n == 0 {
			return
		}
		for _, x := range toks {
			s := prefix + "." + x
			if prefix == "" {
				s = x
			}
			subjs = append(subjs, s)
			grow(s, n-1)
		}
	}
	grow("", 3)
	subjs = append(subjs, ".a", "a.b.c.d", "a.*.>", "$SYS.REQ.x", "$SYS.>", "_INBOX.x.y", "_INBOX.>")
	sort.Strings(subjs)
	subjs = slices.Compact(subjs)

	pq, err := rego.New(rego.Module("t.rego", regoSubjects), rego.Query("data.t.overlaps; data.t.covered")).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := pq.Eval(context.Background(), rego.EvalInput(subjs))
	if err != nil || len(rs) != 1 {
		t.Fatalf("eval: %v %v", rs, err)
	}
	want := func(i int) map[[2]string]bool {
		m := map[[2]string]bool{}
		for _, p := range rs[0].Expressions[i].Value.([]any) {
			q := p.([]any)
			m[[2]string{q[0].(string), q[1].(string)}] = true
		}
		return m
	}
	overlaps, covered := want(0), want(1)
	if len(overlaps) < 100 || len(covered) < 50 {
		t.Fatalf("too few pairs to compare: %d overlaps, %d covered", len(overlaps), len(covered))
	}
	for _, a := range subjs {
		for _, b := range subjs {
			k := [2]string{a, b}
			if got := RegoOverlap(a, b); got != overlaps[k] {
				t.Errorf("RegoOverlap(%q, %q) = %v, Rego says %v", a, b, got, overlaps[k])
			}
			if got := RegoCovers(a, b); got != covered[k] {
				t.Errorf("RegoCovers(%q, %q) = %v, Rego says %v", a, b, got, covered[k])
			}
		}
	}
}

func TestSubjectBuiltinsInRego(t *testing.T) {
	for q, want := range map[string]bool{
		`natsaudit.subjects_overlap("orders.*", "orders.eu.x")`: false,
		`natsaudit.subjects_overlap("orders.*", "orders.eu")`:   true,
		`natsaudit.subjects_overlap("orders.>", "*.eu.x")`:      true,
		`natsaudit.subjects_overlap(1, "a")`:                    false,
		`natsaudit.subject_covers("$SYS.>", "$SYS.REQ.x")`:      true,
		`natsaudit.subject_covers("$SYS.*", "$SYS.REQ.x")`:      false,
		`natsaudit.subject_covers("a.*", "a.>")`:                false,
		`natsaudit.subject_covers(["a"], "a")`:                  false,
	} {
		rs, err := rego.New(rego.Query("x := "+q), rego.Capabilities(Capabilities())).Eval(context.Background())
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: %v %v", q, rs, err)
		}
		if got := rs[0].Bindings["x"]; got != want {
			t.Errorf("%s = %v, want %v", q, got, want)
		}
	}
}
