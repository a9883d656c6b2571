// Package natsflags reads a nats-server command line: which flags set which
// configuration values (from nats-server's main.go usage), with the
// location of every value kept and secrets turned into facts. Compose
// commands, Kubernetes command/args and Helm-rendered containers share it.
package natsflags

import (
	"strconv"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// Arg is one word of a command line and where it was written.
type Arg struct {
	Value string
	Loc   model.Location
}

// Result is what a command line says about the server.
type Result struct {
	// Command is the command line as reports may show it: secrets masked.
	Command []string
	// Flags holds the parsed flags by canonical name (user, pass (a secret
	// object), auth, jetstream, http_port, routes, routes_with_credentials...).
	Flags     map[string]any
	FlagNames []string
	// Config is the configuration the flags set ("jetstream/enabled",
	// "authorization/user", ...), Locs their "config/..." locations.
	Config map[string]any
	Locs   model.Locations
	// ConfigPath is the file given with -c/--config ("" when none).
	ConfigPath string
}

// spec maps a flag to the config path it sets. Which flags take secrets is
// secret.ServerFlag's table, shared with every line natsaudit quotes.
type spec struct {
	path    string // config path it sets, "" when none
	boolean bool
	name    string // canonical flag name for Result.Flags
}

// table is the flag table; it is built once and never modified.
var table = func() map[string]spec {
	t := map[string]spec{}
	add := func(s spec, names ...string) {
		for _, n := range names {
			t[n] = s
		}
	}
	add(spec{path: "host", name: "addr"}, "a", "addr", "net")
	add(spec{path: "port", name: "port"}, "p", "port")
	add(spec{path: "server_name", name: "server_name"}, "n", "name", "server_name")
	add(spec{path: "http_port", name: "http_port"}, "m", "http_port")
	add(spec{path: "https_port", name: "https_port"}, "ms", "https_port")
	add(spec{name: "config"}, "c", "config")
	add(spec{path: "pidfile", name: "pid"}, "P", "pid")
	add(spec{path: "client_advertise", name: "client_advertise"}, "client_advertise")
	add(spec{path: "ports_file_dir", name: "ports_file_dir"}, "ports_file_dir")
	add(spec{path: "logfile", name: "log"}, "l", "log")
	add(spec{path: "logtime", boolean: true, name: "logtime"}, "T", "logtime")
	add(spec{path: "syslog", boolean: true, name: "syslog"}, "s", "syslog")
	add(spec{path: "remote_syslog", name: "remote_syslog"}, "r", "remote_syslog")
	add(spec{path: "debug", boolean: true, name: "debug"}, "D", "debug")
	add(spec{path: "trace", boolean: true, name: "trace"}, "V", "trace")
	add(spec{path: "trace_verbose", boolean: true, name: "trace_verbose"}, "VV")
	add(spec{path: "logfile_size_limit", name: "log_size_limit"}, "log_size_limit")
	add(spec{path: "max_traced_msg_len", name: "max_traced_msg_len"}, "max_traced_msg_len")
	add(spec{path: "jetstream/enabled", boolean: true, name: "jetstream"}, "js", "jetstream")
	add(spec{path: "jetstream/store_dir", name: "store_dir"}, "sd", "store_dir")
	add(spec{path: "authorization/user", name: "user"}, "user")
	add(spec{path: "authorization/password", name: "pass"}, "pass")
	add(spec{path: "authorization/token", name: "auth"}, "auth")
	add(spec{path: "tls/enabled", boolean: true, name: "tls"}, "tls")
	add(spec{path: "tls/cert_file", name: "tlscert"}, "tlscert")
	add(spec{path: "tls/key_file", name: "tlskey"}, "tlskey")
	add(spec{path: "tls/verify", boolean: true, name: "tlsverify"}, "tlsverify")
	add(spec{path: "tls/ca_file", name: "tlscacert"}, "tlscacert")
	add(spec{path: "cluster/routes", name: "routes"}, "routes")
	add(spec{path: "cluster/listen", name: "cluster"}, "cluster")
	add(spec{path: "cluster/listen", name: "cluster_listen"}, "cluster_listen")
	add(spec{path: "cluster/name", name: "cluster_name"}, "cluster_name")
	add(spec{path: "cluster/no_advertise", boolean: true, name: "no_advertise"}, "no_advertise")
	add(spec{path: "cluster/advertise", name: "cluster_advertise"}, "cluster_advertise")
	add(spec{path: "cluster/connect_retries", name: "connect_retries"}, "connect_retries")
	add(spec{path: "prof_port", name: "profile"}, "profile")
	add(spec{name: "signal"}, "sl", "signal")
	return t
}()

// IsBinary reports whether a command word runs nats-server
// ("nats-server", "/nats-server", "/usr/local/bin/nats-server").
func IsBinary(word string) bool {
	return word == "nats-server" || strings.HasSuffix(word, "/nats-server")
}

// Parse reads the flags of a command line. A first word that is not a flag
// is the binary and is kept as it is.
func Parse(args []Arg, a *secret.Analyzer) *Result {
	r := &Result{Command: []string{}, Flags: map[string]any{}, FlagNames: []string{}, Config: map[string]any{}, Locs: model.Locations{}}
	start := 0
	if len(args) > 0 && !strings.HasPrefix(args[0].Value, "-") {
		start = 1
		r.Command = append(r.Command, args[0].Value)
	}
	set := func(p string, v any, l model.Location) {
		SetPath(r.Config, p, v)
		r.Locs.Set("config/"+p, l)
	}
	for i := start; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg.Value, "-") {
			r.Command = append(r.Command, redactArg(arg.Value, arg.Loc, a))
			continue
		}
		name := strings.TrimLeft(arg.Value, "-")
		value, hasValue := "", false
		if j := strings.IndexByte(name, '='); j >= 0 {
			name, value, hasValue = name[:j], name[j+1:], true
		}
		switch name {
		case "DV", "DVV":
			r.Command = append(r.Command, arg.Value)
			r.FlagNames = append(r.FlagNames, name)
			r.Flags["debug"], r.Flags["trace"] = true, true
			set("debug", true, arg.Loc)
			set("trace", true, arg.Loc)
			if name == "DVV" {
				r.Flags["trace_verbose"] = true
				set("trace_verbose", true, arg.Loc)
			}
			continue
		case "VV":
			r.Flags["trace"] = true
			set("trace", true, arg.Loc)
		}
		sp, known := table[name]
		r.FlagNames = append(r.FlagNames, name)
		if !known {
			r.Command = append(r.Command, redactArg(arg.Value, arg.Loc, a))
			continue
		}
		if sp.boolean {
			b := true
			if hasValue {
				b, _ = strconv.ParseBool(value)
			}
			r.Command = append(r.Command, arg.Value)
			r.Flags[sp.name] = b
			if sp.path != "" {
				set(sp.path, b, arg.Loc)
			}
			continue
		}
		l := arg.Loc
		if !hasValue && i+1 < len(args) {
			i++
			value, l = args[i].Value, args[i].Loc
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
			v = typed(sp.path, shown)
		}
		if hasValue && !strings.Contains(arg.Value, "=") {
			r.Command = append(r.Command, arg.Value, shown)
		} else {
			r.Command = append(r.Command, "--"+name+"="+shown)
		}
		if sp.name == "config" {
			r.ConfigPath = value
			continue
		}
		r.Flags[sp.name] = v
		if sp.path == "cluster/routes" {
			var routes []any
			for _, rt := range strings.Split(shown, ",") {
				if rt = strings.TrimSpace(rt); rt != "" {
					routes = append(routes, rt)
				}
			}
			v = routes
			for _, rt := range strings.Split(value, ",") {
				if secret.HasURLCredentials(rt) {
					r.Flags["routes_with_credentials"] = true
				}
			}
		}
		if sp.path != "" {
			set(sp.path, v, l)
		}
	}
	return r
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
		if n, ok := ParseBytes(v); ok {
			return n
		}
	}
	return v
}

// ParseBytes reads compose-style byte values ("512M", "1g", "1.5G"):
// binary units.
func ParseBytes(s string) (int64, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	s = strings.TrimSuffix(s, "b")
	mult := float64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k':
			mult, s = 1<<10, s[:n-1]
		case 'm':
			mult, s = 1<<20, s[:n-1]
		case 'g':
			mult, s = 1<<30, s[:n-1]
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 {
		return 0, false
	}
	return int64(f * mult), true
}

// SetPath sets a slash path in nested maps.
func SetPath(m map[string]any, p string, v any) {
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

// Override applies the configuration a command line sets onto the config
// file's, as nats-server does: flags win (deep-merged), --tls alone does not
// make a tls block "enabled", and --js without a store still turns JetStream
// on. Compose, Kubernetes and systemd workloads all run nats-server this way.
func Override(cfg, flags map[string]any) {
	Overlay(cfg, flags)
	if tls, ok := cfg["tls"].(map[string]any); ok {
		delete(tls, "enabled")
	}
	if js, ok := cfg["jetstream"].(map[string]any); ok {
		if _, set := js["enabled"]; !set {
			js["enabled"] = true
		}
	}
}

// Overlay deep-merges src onto dst (maps merged key by key, anything else replaced).
func Overlay(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				Overlay(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}
