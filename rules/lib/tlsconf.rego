# TLS blocks, verification and the URLs that should use TLS.
package natsaudit.lib.tlsconf

import data.natsaudit.lib

# has_tls(b): the block (top-level config or a listener block) has a tls{}.
has_tls(b) if {
	t := b.tls
	is_object(t)
	object.get(t, "enabled", true) != false
}

# tls_verifies(t): the tls block verifies client certificates.
tls_verifies(t) if lib.true_or_unknown(t.verify)

tls_verifies(t) if t.verify_and_map == true

tls_verifies(t) if t.verify_cert_and_check_known_urls == true

# tls_blocks(s): every tls{} of the config nats-server reads, as
# [path, block]. The places are enumerated rather than found by walking the
# config: walking every user of a large config in several rules is slow.
# The scanner lists where they are once per server in Go
# (s.derived.tls_blocks); inputs without it get the same set here.
tls_blocks(s) := {[b.path, object.get(s.config, b.at, null)] | some b in bs} if {
	bs := s.derived.tls_blocks
} else := {[path_string("config", p), t] |
	some p in _tls_paths(s.config)
	t := object.get(s.config, p, null)
	is_object(t)
}

_tls_paths(c) := array.concat(
	[["tls"], ["resolver_tls"], ["cluster", "tls"], ["gateway", "tls"], ["leafnodes", "tls"], ["websocket", "tls"], ["mqtt", "tls"]],
	array.concat(
		[["gateway", "gateways", i, "tls"] | some i, _ in object.get(c, ["gateway", "gateways"], [])],
		[["leafnodes", "remotes", i, "tls"] | some i, _ in object.get(c, ["leafnodes", "remotes"], [])],
	),
)

# url_values(c): [walk path, string] of the config values that hold URLs of
# other servers (routes, gateways, leafnode remotes and their proxies).
url_values(c) := {[p, u] |
	some p in _url_paths(c)
	u := object.get(c, p, null)
	is_string(u)
}

_url_paths(c) := array.concat(
	array.concat(
		[["cluster", "routes", i] | some i, _ in _array(object.get(c, ["cluster", "routes"], []))],
		[["gateway", "gateways", i, "urls", j] | some i, g in object.get(c, ["gateway", "gateways"], []); some j, _ in _array(object.get(g, "urls", []))],
	),
	array.concat(
		[["leafnodes", "remotes", i, "urls", j] | some i, r in object.get(c, ["leafnodes", "remotes"], []); some j, _ in _array(object.get(r, "urls", []))],
		[["leafnodes", "remotes", i, "proxy", "url"] | some i, _ in object.get(c, ["leafnodes", "remotes"], [])],
	),
)

_array(x) := x if is_array(x)

_array(x) := [x] if not is_array(x)

# all_users(c): every user entry of the config (client, account and
# leafnode users), for facts about permissions and restrictions.
all_users(c) := array.concat(
	array.concat(
		[u | some u in object.get(c, ["authorization", "users"], []); is_object(u)],
		[u | some a in object.get(c, "accounts", {}); is_object(a); some u in object.get(a, "users", []); is_object(u)],
	),
	[u | some u in object.get(c, ["leafnodes", "authorization", "users"], []); is_object(u)],
)

# all_permissions(c): every permissions block (users, defaults, routes).
all_permissions(c) := array.concat(
	[p | some u in all_users(c); p := u.permissions; is_object(p)],
	[p |
		some p in array.concat(
			[object.get(c, ["authorization", "default_permissions"], null), object.get(c, ["cluster", "permissions"], null)],
			[object.get(a, "default_permissions", null) | some a in object.get(c, "accounts", {}); is_object(a)],
		)
		is_object(p)
	],
)

# path_string(prefix, p) joins a walk path (strings and array indexes).
path_string(prefix, p) := concat("/", array.concat([prefix], [sprintf("%v", [k]) | some k in p]))
