package compose

import (
	"strconv"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// flagSpec maps a nats-server command-line flag to the config path it sets
// (from nats-server's main.go usage). Which flags take secrets is
// secret.ServerFlag's table, shared with every line natsaudit quotes.
type flagSpec struct {
	path    string // config path it sets, "" when none
	boolean bool
	name    string // canonical flag name for Deployment.Flags
}

var flagSpecs = map[string]flagSpec{}

func init() {
	add := func(spec flagSpec, names ...string) {
		for _, n := range names {
			flagSpecs[n] = spec
		}
	}
	add(flagSpec{path: "host", name: "addr"}, "a", "addr", "net")
	add(flagSpec{path: "port", name: "port"}, "p", "port")
	add(flagSpec{path: "server_name", name: "server_name"}, "n", "name", "server_name")
	add(flagSpec{path: "http_port", name: "http_port"}, "m", "http_port")
	add(flagSpec{path: "https_port", name: "https_port"}, "ms", "https_port")
	add(flagSpec{name: "config"}, "c", "config")
	add(flagSpec{path: "pidfile", name: "pid"}, "P", "pid")
	add(flagSpec{path: "client_advertise", name: "client_advertise"}, "client_advertise")
	add(flagSpec{path: "ports_file_dir", name: "ports_file_dir"}, "ports_file_dir")
	add(flagSpec{path: "logfile", name: "log"}, "l", "log")
	add(flagSpec{path: "logtime", boolean: true, name: "logtime"}, "T", "logtime")
	add(flagSpec{path: "syslog", boolean: true, name: "syslog"}, "s", "syslog")
	add(flagSpec{path: "remote_syslog", name: "remote_syslog"}, "r", "remote_syslog")
	add(flagSpec{path: "debug", boolean: true, name: "debug"}, "D", "debug")
	add(flagSpec{path: "trace", boolean: true, name: "trace"}, "V", "trace")
	add(flagSpec{path: "trace_verbose", boolean: true, name: "trace_verbose"}, "VV")
	add(flagSpec{path: "logfile_size_limit", name: "log_size_limit"}, "log_size_limit")
	add(flagSpec{path: "max_traced_msg_len", name: "max_traced_msg_len"}, "max_traced_msg_len")
	add(flagSpec{path: "jetstream/enabled", boolean: true, name: "jetstream"}, "js", "jetstream")
	add(flagSpec{path: "jetstream/store_dir", name: "store_dir"}, "sd", "store_dir")
	add(flagSpec{path: "authorization/user", name: "user"}, "user")
	add(flagSpec{path: "authorization/password", name: "pass"}, "pass")
	add(flagSpec{path: "authorization/token", name: "auth"}, "auth")
	add(flagSpec{path: "tls/enabled", boolean: true, name: "tls"}, "tls")
	add(flagSpec{path: "tls/cert_file", name: "tlscert"}, "tlscert")
	add(flagSpec{path: "tls/key_file", name: "tlskey"}, "tlskey")
	add(flagSpec{path: "tls/verify", boolean: true, name: "tlsverify"}, "tlsverify")
	add(flagSpec{path: "tls/ca_file", name: "tlscacert"}, "tlscacert")
	add(flagSpec{path: "cluster/routes", name: "routes"}, "routes")
	add(flagSpec{path: "cluster/listen", name: "cluster"}, "cluster")
	add(flagSpec{path: "cluster/listen", name: "cluster_listen"}, "cluster_listen")
	add(flagSpec{path: "cluster/name", name: "cluster_name"}, "cluster_name")
	add(flagSpec{path: "cluster/no_advertise", boolean: true, name: "no_advertise"}, "no_advertise")
	add(flagSpec{path: "cluster/advertise", name: "cluster_advertise"}, "cluster_advertise")
	add(flagSpec{path: "cluster/connect_retries", name: "connect_retries"}, "connect_retries")
	add(flagSpec{path: "prof_port", name: "profile"}, "profile")
	add(flagSpec{name: "signal"}, "sl", "signal")
}

// parseFlags reads nats-server flags from a command line.
func parseFlags(s *Service, args []sval, a *secret.Analyzer, _ []sval) {
	d := s.Deployment
	start := 0
	if len(args) > 0 && !strings.HasPrefix(args[0].v, "-") {
		start = 1 // the binary: nats-server, /nats-server, ...
	}
	for i := 0; i < start; i++ {
		d.Command = append(d.Command, args[i].v)
	}
	set := func(p string, v any, l model.Location) {
		setPath(s.FlagConfig, p, v)
		s.FlagLocs.Set("config/"+p, l)
	}
	for i := start; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg.v, "-") {
			d.Command = append(d.Command, redactArg(arg.v, arg.loc, a))
			continue
		}
		name := strings.TrimLeft(arg.v, "-")
		value, hasValue := "", false
		if j := strings.IndexByte(name, '='); j >= 0 {
			name, value, hasValue = name[:j], name[j+1:], true
		}
		// Combined logging flags.
		switch name {
		case "DV", "DVV":
			d.Command = append(d.Command, arg.v)
			d.FlagNames = append(d.FlagNames, name)
			d.Flags["debug"], d.Flags["trace"] = true, true
			set("debug", true, arg.loc)
			set("trace", true, arg.loc)
			if name == "DVV" {
				d.Flags["trace_verbose"] = true
				set("trace_verbose", true, arg.loc)
			}
			continue
		case "VV":
			d.Flags["trace"] = true
			set("trace", true, arg.loc)
		}
		spec, known := flagSpecs[name]
		d.FlagNames = append(d.FlagNames, name)
		if !known {
			d.Command = append(d.Command, redactArg(arg.v, arg.loc, a))
			continue
		}
		if spec.boolean {
			b := true
			if hasValue {
				b, _ = strconv.ParseBool(value)
			}
			d.Command = append(d.Command, arg.v)
			d.Flags[spec.name] = b
			if spec.path != "" {
				set(spec.path, b, arg.loc)
			}
			continue
		}
		l := arg.loc
		if !hasValue && i+1 < len(args) {
			i++
			value, l = args[i].v, args[i].loc
			hasValue = true
		}
		var shown string
		var v any = value
		switch secret.ServerFlag(name) {
		case secret.SecretValue:
			// Remembered at its line whatever its length: the snippet of
			// that line masks even a 4-character password.
			a.RememberAt(l.File, l.Line, value)
			v = a.Describe(value)
			shown = secret.Mask
		case secret.UserValue:
			// nats-server hides --user on its own command line; the model
			// keeps the user name (a fact, not a secret).
			a.MaskAt(l.File, l.Line, value)
			shown = secret.Mask
		default:
			shown = redactArg(value, l, a)
			v = typed(spec.path, shown)
		}
		if hasValue && !strings.Contains(arg.v, "=") {
			d.Command = append(d.Command, arg.v, shown)
		} else {
			d.Command = append(d.Command, "--"+name+"="+shown)
		}
		if spec.name == "config" {
			d.ConfigPath = value
			continue
		}
		d.Flags[spec.name] = v
		if spec.path == "cluster/routes" {
			var routes []any
			for _, r := range strings.Split(shown, ",") {
				if r = strings.TrimSpace(r); r != "" {
					routes = append(routes, r)
				}
			}
			v = routes
			for _, r := range strings.Split(value, ",") {
				if secret.HasURLCredentials(r) {
					d.Flags["routes_with_credentials"] = true
				}
			}
		}
		if spec.path != "" {
			set(spec.path, v, l)
		}
	}
}

// redactArg masks the credentials of the URLs in an argument (a password
// of user:password@, a NATS token@) and remembers them, at loc whatever
// their length.
func redactArg(v string, loc model.Location, a *secret.Analyzer) string {
	parts := strings.Split(v, ",")
	for i, part := range parts {
		if m := urlCredential(part); m != "" && m != secret.Mask && !strings.HasPrefix(m, "$") {
			a.RememberAt(loc.File, loc.Line, m)
			parts[i] = strings.Replace(part, m+"@", secret.Mask+"@", 1)
		}
	}
	return strings.Join(parts, ",")
}

// urlCredential returns the password of scheme://user:pass@host, the token
// of scheme://token@host, or "".
func urlCredential(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return ""
	}
	rest := s[i+3:]
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return ""
	}
	ui := rest[:at]
	if c := strings.IndexByte(ui, ':'); c >= 0 {
		return ui[c+1:]
	}
	return ui
}

func typed(p, v string) any {
	switch p {
	case "port", "http_port", "https_port", "prof_port", "cluster/connect_retries", "max_traced_msg_len":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case "logfile_size_limit":
		if n, ok := parseMem(v); ok {
			return n
		}
	}
	return v
}

// setPath sets a slash path in nested maps.
func setPath(m map[string]any, p string, v any) {
	parts := strings.Split(p, "/")
	for _, k := range parts[:len(parts)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}
