# Helpers shared by all rules. Rules describe WHAT is wrong and WHICH value;
# the engine turns (ref, path) into file:line.
package natsaudit.lib

# finding is the result a rule adds to deny. meta is rego.metadata.rule();
# obj is an input object carrying a "ref" (a server, stream, consumer, env
# file, file or error); path is the offending value relative to obj, e.g.
# "config/tls/verify" or "deployment/ports/0" ("" for the object itself).
finding(meta, obj, path, msg) := {
	"rule_id": meta.custom.id,
	"ref": obj.ref,
	"path": path,
	"msg": msg,
}

# finding_sev is finding with a severity other than the rule's default (for
# rules whose severity depends on the case, e.g. certificate expiry).
finding_sev(meta, obj, path, msg, sev) := object.union(finding(meta, obj, path, msg), {"severity": sev})

# with_deadline(f, date, kind, what) adds a deadline to a finding: the
# reports' deadlines box and "most urgent" read it (never the message).
# date is "YYYY-MM-DD", or "" when it is due now with no date to give;
# kind is certificate_expiry, jwt_expiry, end_of_life or advisory_fix.
with_deadline(f, date, kind, what) := object.union(f, {"deadline": {"date": date, "kind": kind, "what": what}})

# with_deadline_version is with_deadline naming the release that fixes it
# (advisory_fix) or the series' last release (end_of_life).
with_deadline_version(f, date, kind, what, version) := object.union(f, {"deadline": {"date": date, "kind": kind, "what": what, "version": version}})

# date_of(ns) is the UTC day of a time in nanoseconds, "2026-12-10".
date_of(ns) := time.format([ns, "UTC", "2006-01-02"])

# finding_of(meta, h) turns a hit {obj, path, msg[, sev]} into a finding, so
# that a rule with several cases (config, compose, live) keeps one annotated
# deny definition; sev, when present, overrides the rule's default severity.
finding_of(meta, h) := finding_sev(meta, h.obj, h.path, h.msg, h.sev) if {
	is_string(h.sev)
} else := finding(meta, h.obj, h.path, h.msg)

# params is data.natsaudit.params (rules/data/params.<section>.json,
# overridable from .natsaudit.yaml).
params := data.natsaudit.params

# num(x) is x when x is a number; undefined otherwise. Config values set from
# an unresolved $VAR are strings like "$NAME", and Rego orders strings after
# numbers, so always compare numbers through num().
num(x) := x if is_number(x)

# unknown(x): the value is set from an environment variable the repository
# does not define ("$NAME"): configured, value unknown. A rule that tests
# whether a key is set must count it as set, never as absent.
unknown(x) if {
	is_string(x)
	startswith(x, "$")
}

# true_or_unknown(x): a boolean setting that is on, or set from the
# environment (a rule must not claim it is off). Pass a defined value
# (object.get(obj, key, false)): `not f(obj.missing)` is not true in Rego.
true_or_unknown(x) if x == true

true_or_unknown(x) if unknown(x)

# Servers that have a configuration (file and/or command line).
configured_servers contains s if {
	some s in input.servers
	is_object(s.config)
}

# jetstream_enabled(s): JetStream is on in the server's config.
jetstream_enabled(s) if s.config.jetstream.enabled == true

# is_secret(v): v is a redacted secret object.
is_secret(v) if {
	is_object(v)
	v.secret == true
}

# loopback(h): h is a loopback address.
# Decided in Go (net.IP.IsLoopback on the parsed host or URL): 127.0.0.0/8,
# ::1, localhost; a URL of any scheme.
loopback(h) if natsaudit.loopback(h)

# all_interfaces(h): h binds every interface (unset, 0.0.0.0, ::).
all_interfaces(h) if h in {"", "0.0.0.0", "::", "[::]"}

# host(s) is the client listener host (nats-server defaults to 0.0.0.0).
host(s) := h if {
	h := s.config.host
	is_string(h)
} else := "0.0.0.0"

# published(s, port): the compose service publishes container port on the
# host; the first port object that does is returned (one container port may
# be published several times: one value per input, see published_all).
published(s, port) := s.deployment.ports[min(idx)] if {
	idx := {i |
		some i, p in s.deployment.ports
		p.container_port == port
	}
	count(idx) > 0
}

# server_label is how messages name a server.
server_label(s) := sprintf("server %s", [s.name])

# short_list(names, n): the first n names (sorted) joined with ", ", and how
# many more: messages stay short however big the inventory is.
short_list(names, n) := concat(", ", sorted) if {
	sorted := sort(names)
	count(sorted) <= n
} else := sprintf("%s and %d more", [concat(", ", array.slice(sort(names), 0, n)), count(names) - n])

# has_config(s): the server has a configuration (file and/or command line).
# Use `not has_config(s)` rather than `not is_object(s.config)`: in Rego a
# function called with an undefined argument makes `not` fail as well.
has_config(s) if is_object(s.config)

# human_bytes(n): 536870912 → "512 MiB".
human_bytes(n) := sprintf("%d bytes", [n]) if {
	n < 1024
} else := _rel_scaled(n, 1024, "KiB") if {
	n < 1048576
} else := _rel_scaled(n, 1048576, "MiB") if {
	n < 1073741824
} else := _rel_scaled(n, 1073741824, "GiB") if {
	n < 1099511627776
} else := _rel_scaled(n, 1099511627776, "TiB")

_rel_scaled(n, unit, name) := sprintf("%d %s", [round(n / unit), name]) if {
	n % unit == 0
} else := sprintf("%.1f %s", [n / unit, name])

# human_duration(ns): 120000000000 → "2m".
human_duration(ns) := sprintf("%dd", [round(ns / 86400000000000)]) if {
	ns >= 86400000000000
	ns % 86400000000000 == 0
} else := sprintf("%dh", [round(ns / 3600000000000)]) if {
	ns >= 3600000000000
	ns % 3600000000000 == 0
} else := sprintf("%dm", [round(ns / 60000000000)]) if {
	ns >= 60000000000
	ns % 60000000000 == 0
} else := sprintf("%ds", [round(ns / 1000000000)]) if {
	ns % 1000000000 == 0
} else := sprintf("%.1fs", [ns / 1000000000]) if {
	ns >= 1000000000
} else := sprintf("%dms", [round(ns / 1000000)])

# percent(part, whole): 0.854 → "85%".
percent(part, whole) := sprintf("%d%%", [floor((part * 100) / whole)])

# short_list_ordered(items, n): like short_list, keeping the given order
# (largest first, for example).
short_list_ordered(items, n) := concat(", ", items) if {
	count(items) <= n
} else := sprintf("%s and %d more", [concat(", ", array.slice(items, 0, n)), count(items) - n])
