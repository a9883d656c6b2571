// Package subject answers questions about NATS subjects and subject filters
// ("orders.*", "fulcrum.>") that Rego is slow or awkward at, and derives the
// inventory facts built on them (overlapping streams, overlapping consumer
// filters, streams that capture an advisory).
//
// Semantics follow nats-server's sublist: tokens are separated by ".", "*"
// matches exactly one token, ">" matches one or more tokens and is only a
// wildcard as the last token. Empty tokens make a subject invalid.
package subject

import "strings"

// Valid reports whether s is a well-formed subject or filter: no empty
// tokens, no whitespace, and ">" only as the last token.
func Valid(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	toks := strings.Split(s, ".")
	for i, t := range toks {
		if t == "" {
			return false
		}
		if t == ">" && i != len(toks)-1 {
			return false
		}
	}
	return true
}

// Overlap reports whether some literal subject matches both filters a and b.
// Invalid filters overlap nothing (the server rejects them anyway).
func Overlap(a, b string) bool {
	if !Valid(a) || !Valid(b) {
		return false
	}
	ta, tb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; ; i++ {
		switch {
		case i == len(ta) && i == len(tb):
			return true
		case i == len(ta) || i == len(tb):
			// One filter ran out while the other still has tokens: only a
			// ">" in the remaining one could have consumed them, and that
			// case returned below.
			return false
		}
		x, y := ta[i], tb[i]
		if x == ">" || y == ">" {
			// ">" matches one or more tokens: the other side has at least
			// the token at i, whatever comes after it.
			return true
		}
		if x != "*" && y != "*" && x != y {
			return false
		}
	}
}

// Matches reports whether the literal subject s is matched by filter f
// (s itself may contain wildcards only if f covers them as a filter would:
// "a.*" is matched by "a.>" and "a.*" but not by "a.b").
func Matches(f, s string) bool {
	if !Valid(f) || !Valid(s) {
		return false
	}
	tf, ts := strings.Split(f, "."), strings.Split(s, ".")
	for i, x := range tf {
		if x == ">" {
			return len(ts) > i
		}
		if i >= len(ts) {
			return false
		}
		y := ts[i]
		switch {
		case y == ">":
			return false
		case x == "*":
			continue
		case y == "*" || x != y:
			return false
		}
	}
	return len(tf) == len(ts)
}

// Subset reports whether every subject matched by filter a is also matched
// by filter b.
func Subset(a, b string) bool { return Matches(b, a) }
