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
