package engine

import (
	"net"
	"net/url"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

// natsaudit.loopback(host_or_url) tells whether a listener host, a
// host:port or a URL of any scheme (nats-leaf://, nats-route://, ...) names
// a loopback address: 127.0.0.0/8, ::1 (net.IP.IsLoopback) or localhost.
// Rules must not guess this with regexes (127.0.1.1, the Debian hostname
// address, is loopback too; nats-leaf:// has a dash in its scheme).
func init() {
	rego.RegisterBuiltin1(&rego.Function{
		Name:             "natsaudit.loopback",
		Decl:             types.NewFunction(types.Args(types.A), types.B),
		Memoize:          true,
		Nondeterministic: false,
	}, func(_ rego.BuiltinContext, a *ast.Term) (*ast.Term, error) {
		s, ok := a.Value.(ast.String)
		return ast.BooleanTerm(ok && IsLoopback(string(s))), nil
	})
}

// IsLoopback is natsaudit.loopback.
func IsLoopback(s string) bool {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return false
		}
		s = u.Hostname()
	} else if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if strings.EqualFold(s, "localhost") {
		return true
	}
	ip := net.ParseIP(s)
	return ip != nil && ip.IsLoopback()
}

// natsaudit.subjects_overlap(a, b) and natsaudit.subject_covers(f, s) are
// the subject relations the rules ask tens of thousands of times per scan
// (permissions, imports and exports, advisory subjects). In Rego each call
// splits both subjects and walks their tokens in several expressions; here
// it is one builtin call. The semantics are those of the Rego functions
// they replace (rules/lib/subjects.rego subjects_overlap, rules/access.rego
// _covers), which do not reject malformed subjects: that differs from
// internal/subject on invalid input, and findings must not change.
func init() {
	for name, fn := range map[string]func(a, b string) bool{
		"natsaudit.subjects_overlap": RegoOverlap,
		"natsaudit.subject_covers":   RegoCovers,
	} {
		rego.RegisterBuiltin2(&rego.Function{
			Name:    name,
			Decl:    types.NewFunction(types.Args(types.A, types.A), types.B),
			Memoize: true,
		}, func(_ rego.BuiltinContext, a, b *ast.Term) (*ast.Term, error) {
			x, ok1 := a.Value.(ast.String)
			y, ok2 := b.Value.(ast.String)
			return ast.BooleanTerm(ok1 && ok2 && fn(string(x), string(y))), nil
		})
	}
}

// RegoOverlap is natsaudit.subjects_overlap: some subject matches both
// filters. Tokens are compared one to one ("*" matches any token); a ">"
// at index k of either filter, with the other one longer than k, ends the
// comparison there (as the Rego version, wherever the ">" is).
func RegoOverlap(a, b string) bool {
	ta, tb := strings.Split(a, "."), strings.Split(b, ".")
	prefix := func(k int) bool {
		for i := 0; i < k; i++ {
			if !overlapToken(ta[i], tb[i]) {
				return false
			}
		}
		return true
	}
	if len(ta) == len(tb) && prefix(len(ta)) {
		return true
	}
	for k, x := range ta {
		if x == ">" && len(tb) > k && prefix(k) {
			return true
		}
	}
	for k, x := range tb {
		if x == ">" && len(ta) > k && prefix(k) {
			return true
		}
	}
	return false
}

func overlapToken(x, y string) bool { return x == y || x == "*" || y == "*" }

// RegoCovers is natsaudit.subject_covers: filter f matches every subject s
// matches (s may be a filter). "*" covers any token but ">"; a final ">"
// covers one or more tokens.
func RegoCovers(f, s string) bool {
	tf, ts := strings.Split(f, "."), strings.Split(s, ".")
	prefix := func(k int) bool {
		for i := 0; i < k; i++ {
			if !coverToken(tf[i], ts[i]) {
				return false
			}
		}
		return true
	}
	if len(tf) == len(ts) && prefix(len(tf)) {
		return true
	}
	n := len(tf)
	return tf[n-1] == ">" && len(ts) >= n && prefix(n-1)
}

func coverToken(x, y string) bool {
	if x == "*" {
		return y != ">"
	}
	return x == y
}
