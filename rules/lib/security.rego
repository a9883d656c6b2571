# Helpers for the security rules (tls, auth, credentials, network, version,
# deploy). Same package as natsaudit.rego; names are chosen not to clash with
# reliability.rego.
package natsaudit.lib

# ---------------------------------------------------------------------------
# Live documents

# varz_of(s) is the server's /varz, undefined offline.
varz_of(s) := v if {
	v := s.live.varz
	is_object(v)
}

# live_only(s): the server is known from its monitoring endpoint only, so the
# live documents are the only evidence (config rules cannot see it).
live_only(s) if {
	varz_of(s)
	not is_object(s.config)
}

# varz_flag(v, k) reads an omitempty boolean of /varz: absent means false.
varz_flag(v, k) := object.get(v, k, false) == true

# varz_port(b, k): the port of a nested varz listener object (cluster,
# gateway, leaf, websocket, mqtt); these objects are empty when the listener
# is off, so a missing port means "not enabled".
varz_port(b, k) := p if {
	p := num(b[k])
	p != 0
}

# ---------------------------------------------------------------------------
# Listeners and exposure

# A listener is {kind, host, port, path, block}: kind is client, monitoring,
# cluster, gateway, leafnodes, websocket or mqtt; path is where its port is
# set in the server (for locations); block is the config path of its block.

# block_listener_kinds are the config blocks that open a listener.
block_listener_kinds := ["cluster", "gateway", "leafnodes", "websocket", "mqtt"]

# listener_names are how messages name the listeners.
listener_names := {
	"client": "client",
	"monitoring": "monitoring (HTTP)",
	"monitoring_https": "monitoring (HTTPS)",
	"cluster": "cluster (routes)",
	"gateway": "gateway",
	"leafnodes": "leafnode",
	"websocket": "WebSocket",
	"mqtt": "MQTT",
}

# config_listeners(s): the listeners the server's config opens.
config_listeners(s) := {l |
	is_object(s.config)
	some kind in listener_kinds
	l := _config_listener(s, kind)
}

listener_kinds := array.concat(["client", "monitoring", "monitoring_https"], block_listener_kinds)

_config_listener(s, "client") := {"kind": "client", "host": host(s), "port": client_port(s), "path": "config/port", "block": "config"}

_config_listener(s, "monitoring") := {"kind": "monitoring", "host": http_host(s), "port": p, "path": "config/http_port", "block": "config"} if {
	p := port_value(s.config.http_port)
	p != 0
}

_config_listener(s, "monitoring_https") := {"kind": "monitoring_https", "host": http_host(s), "port": p, "path": "config/https_port", "block": "config"} if {
	p := port_value(s.config.https_port)
	p != 0
}

_config_listener(s, k) := {"kind": k, "host": block_host(b), "port": p, "path": sprintf("config/%s/port", [k]), "block": sprintf("config/%s", [k])} if {
	k in block_listener_kinds
	b := s.config[k]
	is_object(b)
	p := port_value(b.port)
	p != 0
}

# port_value(x): a listener port as configured: a number, or "$NAME" when it
# comes from an environment variable the repository does not define (the
# listener is on, its port unknown: it matches no published port).
port_value(x) := x if {
	is_number(x)
} else := x if {
	unknown(x)
}

# config_listener(s, kind) is the configured listener of that kind: the
# member of config_listeners(s) whose kind it is, built directly (rule
# indexing picks the definition by kind) rather than by scanning the set,
# which was the eighth costliest rule of the catalog (docs/performance.md).
config_listener(s, kind) := l if {
	is_object(s.config)
	l := _config_listener(s, kind)
}

# client_port(s): the client port (nats-server defaults to 4222); "$NAME"
# when it comes from an environment variable the repository does not
# define.
client_port(s) := p if {
	p := port_value(s.config.port)
} else := 4222

# http_host(s): the monitoring host, which defaults to the client host.
http_host(s) := h if {
	h := s.config.http_host
	is_string(h)
} else := host(s)

# block_host(b): a listener block's host (nats-server defaults to 0.0.0.0).
block_host(b) := h if {
	h := b.host
	is_string(h)
} else := "0.0.0.0"

# live_listeners(s): the listeners /varz reports.
live_listeners(s) := {l |
	v := varz_of(s)
	some kind in listener_kinds
	l := _live_listener(v, kind)
}

_varz_blocks := {"gateway": "gateway", "leafnodes": "leaf", "websocket": "websocket", "mqtt": "mqtt"}

_live_listener(v, "client") := {"kind": "client", "host": object.get(v, "host", "0.0.0.0"), "port": p, "path": "live/varz/port", "block": "live/varz"} if {
	p := num(v.port)
}

_live_listener(v, "monitoring") := {"kind": "monitoring", "host": object.get(v, "http_host", "0.0.0.0"), "port": p, "path": "live/varz/http_port", "block": "live/varz"} if {
	p := num(v.http_port)
	p != 0
}

_live_listener(v, "monitoring_https") := {"kind": "monitoring_https", "host": object.get(v, "http_host", "0.0.0.0"), "port": p, "path": "live/varz/https_port", "block": "live/varz"} if {
	p := num(v.https_port)
	p != 0
}

_live_listener(v, "cluster") := {"kind": "cluster", "host": object.get(v.cluster, "addr", "0.0.0.0"), "port": p, "path": "live/varz/cluster/cluster_port", "block": "live/varz/cluster"} if {
	p := varz_port(v.cluster, "cluster_port")
}

_live_listener(v, kind) := {"kind": kind, "host": object.get(v[vk], "host", "0.0.0.0"), "port": p, "path": sprintf("live/varz/%s/port", [vk]), "block": sprintf("live/varz/%s", [vk])} if {
	vk := _varz_blocks[kind]
	p := varz_port(v[vk], "port")
}

# listeners(s): configured listeners, or the live ones for a server known
# only from its monitoring endpoint.
listeners(s) := config_listeners(s) if {
	is_object(s.config)
} else := live_listeners(s)

# network_mode_host(s): the container shares the host's network, so every
# listener is reachable wherever the host is.
network_mode_host(s) if s.deployment.network_mode == "host"

# published_all(s, port): compose publishes the container port on every host
# interface; returns the index of the first such port entry. A service may
# publish one container port several times ("4222:4222" and "14222:4222", or
# a base file and an override that both publish it): a function must have one
# value per input, so it is the lowest index, never one value per entry.
published_all(s, port) := min(idx) if {
	idx := {i |
		some i, p in s.deployment.ports
		p.container_port == port
		p.all_interfaces == true
	}
	count(idx) > 0
}

# published_by(s, i): what publishes port entry i: a Kubernetes Service or
# hostPort ("Service nats (LoadBalancer, k8s/nats.yaml)"), else the compose
# file.
published_by(s, i) := v if {
	v := s.deployment.ports[i].via
	v != ""
} else := s.deployment.file

# published_beyond_loopback(s, port): compose publishes the port on an
# address other people can reach (all interfaces or a non-loopback IP);
# returns the index of the first such entry (see published_all).
published_beyond_loopback(s, port) := min(idx) if {
	idx := {i |
		some i, p in s.deployment.ports
		p.container_port == port
		not loopback(p.host_ip)
	}
	count(idx) > 0
}

# public(s, l): the listener binds every interface and nothing in the
# deployment narrows that: no compose deployment, compose publishes the port
# on all host interfaces, or the container uses the host network. Set
# params.network.assume_public_without_deployment to false when servers
# without a compose deployment sit behind a firewall the scan cannot see.
public(s, l) if {
	all_interfaces(l.host)
	not s.deployment
	params.network.assume_public_without_deployment == true
}

public(s, l) if {
	all_interfaces(l.host)
	network_mode_host(s)
}

public(s, l) if {
	all_interfaces(l.host)
	published_all(s, l.port)
}

# A listener bound to the compose service's own name (cluster { listen:
# c1-js1:6222 } in service c1-js1, fuscoyu/nats-samples) binds the
# container's address on the project network, which is where Docker
# forwards a published port: published on all host interfaces, it is as
# public as 0.0.0.0.
public(s, l) if {
	own_service_address(s, l.host)
	published_all(s, l.port)
}

# own_service_address(s, h): h is the compose service name of s.
own_service_address(s, h) if {
	s.deployment.kind == "compose"
	h != ""
	h == s.deployment.service
}

# reachable(s, l): the listener can be reached from other machines: it is
# not bound to loopback and, under compose, is published on a non-loopback
# address or uses the host network.
reachable(s, l) if {
	not loopback(l.host)
	not s.deployment
}

reachable(s, l) if {
	not loopback(l.host)
	network_mode_host(s)
}

reachable(s, l) if {
	not loopback(l.host)
	published_beyond_loopback(s, l.port)
}

# exposure_path(s, l): where to point a finding about an exposed listener:
# the compose port entry when compose publishes it, else the listener.
exposure_path(s, l) := sprintf("deployment/ports/%d", [i]) if {
	i := published_all(s, l.port)
} else := l.path

# exposure_note(s, l) explains why the listener counts as exposed.
exposure_note(s, l) := sprintf("exposed beyond the cluster by %s", [published_by(s, i)]) if {
	i := published_all(s, l.port)
	s.deployment.ports[i].via
} else := sprintf("published on all host interfaces by %s", [s.deployment.file]) if {
	published_all(s, l.port)
} else := "the container uses network_mode: host" if {
	network_mode_host(s)
} else := sprintf("bound to %s", [_host_label(l.host)])

_host_label(h) := "all interfaces" if {
	h == ""
} else := h

# image_default_config is the nats-server.conf bundled with the official
# nats image (github.com/nats-io/nats-docker), in effect when compose runs the
# image without a command: monitoring on 8222, routes on 6222 protected by the
# documented ruser/T0pS3cr3t, no client authentication and no TLS.
image_default_config := {
	"port": 4222,
	"http_port": 8222,
	"cluster": {
		"name": "my_cluster",
		"port": 6222,
		"authorization": {"user": "ruser", "password": {"secret": true, "origin": "literal", "placeholder": true, "bcrypt": false, "length": 9}, "timeout": 2},
		"routes": [],
	},
}

# ---------------------------------------------------------------------------
# TLS

# has_tls(b): the block (top-level config or a listener block) has a tls{}.
has_tls(b) if {
	t := b.tls
	is_object(t)
	object.get(t, "enabled", true) != false
}

# tls_verifies(t): the tls block verifies client certificates.
tls_verifies(t) if true_or_unknown(t.verify)

tls_verifies(t) if t.verify_and_map == true

tls_verifies(t) if t.verify_cert_and_check_known_urls == true

# tls_blocks(s): every tls{} of the config nats-server reads, as
# [path, block]. The places are enumerated rather than found by walking the
# config: walking every user of a large config in several rules is slow.
tls_blocks(s) := {[path_string("config", p), t] |
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

# ---------------------------------------------------------------------------
# Authentication

# client_auth(c): the config authenticates clients in some way.
client_auth(c) if _nonempty(c.authorization.user)

client_auth(c) if c.authorization.token

client_auth(c) if count(c.authorization.users) > 0

client_auth(c) if c.authorization.auth_callout

client_auth(c) if {
	some a in c.accounts
	count(a.users) > 0
}

client_auth(c) if operator_mode(c)

# cert_auth(c): clients must present a certificate signed by the CA in
# tls.ca_file (verify or verify_and_map, TLS not optional): only holders of
# such a certificate connect, even without users. varz auth_required stays
# false in this case.
cert_auth(c) if {
	_client_mtls(c)
	_nonempty(c.tls.ca_file)
}

# cert_auth_any_ca(c): client certificates are verified, but without
# ca_file against the host's trusted CAs (any publicly issued certificate).
cert_auth_any_ca(c) if {
	_client_mtls(c)
	not _nonempty(object.get(c.tls, "ca_file", ""))
}

_client_mtls(c) if {
	has_tls(c)
	tls_verifies(c.tls)
	not c.allow_non_tls == true
}

# auth_callout(c): clients are authenticated by an auth callout service,
# which issues users into accounts at connect time (static users are not
# the whole picture).
auth_callout(c) if is_object(c.authorization.auth_callout)

# operator_mode(c): JWT / operator mode (users live in account JWTs).
operator_mode(c) if _nonempty(c.operator)

operator_mode(c) if _nonempty(c.trusted_keys)

operator_mode(c) if _nonempty(c.resolver)

_nonempty(x) if {
	is_string(x)
	x != ""
}

_nonempty(x) if {
	is_array(x)
	count(x) > 0
}

_nonempty(x) if is_object(x)

# implicit_no_auth(c): nats-server silently adds an anonymous user to $G when
# the accounts block defines only the system account and there is no
# authorization block, no no_auth_user and no operator (server.go
# configureAccounts, "sysAccOnlyNoAuthUser").
implicit_no_auth(c) if {
	sys_only_accounts(c)
	not c.authorization
	not _nonempty(object.get(c, "no_auth_user", ""))
	not operator_mode(c)
}

# sys_only_accounts(c): accounts{} has exactly one account and it is the
# system account (named by system_account, or $SYS).
sys_only_accounts(c) if {
	is_object(c.accounts)
	count(c.accounts) == 1
	some name, _ in c.accounts
	name == system_account_name(c)
}

# system_account_name(c): the configured system account ("$SYS" by default).
system_account_name(c) := n if {
	n := c.system_account
	is_string(n)
	n != ""
} else := "$SYS"

# anonymous_clients(s): anyone who reaches the client port gets in.
anonymous_clients(s) if not client_auth(s.config)

anonymous_clients(s) if implicit_no_auth(s.config)

# app_users(c): [path, user, block] for every client user outside the
# system account; block is the account whose users[] holds the entry, or ""
# for authorization.users (whose default_permissions come from the
# authorization block, whatever account the user is bound to).
app_users(c) := {[sprintf("config/authorization/users/%d", [i]), u, ""] |
	some i, u in c.authorization.users
	is_object(u)
	object.get(u, "account", "") != system_account_name(c)
} | {[sprintf("config/accounts/%s/users/%d", [escape_key(name), i]), u, name] |
	some name, a in c.accounts
	name != system_account_name(c)
	some i, u in a.users
	is_object(u)
}

# system_users(c): [path, user] for users of the system account.
system_users(c) := {[sprintf("config/accounts/%s/users/%d", [escape_key(name), i]), u] |
	some name, a in c.accounts
	name == system_account_name(c)
	some i, u in a.users
	is_object(u)
}

# escape_key keeps an account name usable as one path segment (as the config
# source does).
escape_key(k) := replace(k, "/", "~1")

# user_label(u) names a user in messages without revealing secrets.
user_label(u) := sprintf("user %q", [u.user]) if {
	is_string(u.user)
} else := sprintf("nkey user %s", [u.nkey]) if {
	is_string(u.nkey)
} else := "a user"

# ---------------------------------------------------------------------------
# Secrets

# config_secrets(s): [path, walk path, secret] for every redacted secret in
# the config (passwords, tokens, encryption keys, seeds, private keys).
config_secrets(s) := _secrets_by_server[s.ref]

# A complete object, built once per evaluation: a partial object whose key
# is computed in its body makes every lookup scan all servers (quadratic on
# a monorepo).
_secrets_by_server := {ref: secrets |
	some s in input.servers
	is_object(s.config)
	ref := s.ref
	secrets := _secrets_of(s)
}

# The inventory lists where the secrets are (secret_paths, from Go); a
# hand-written input without that list is walked.
_secrets_of(s) := {[path_string("config", p), p, v] |
	some p in s.secret_paths
	v := object.get(s.config, p, null)
	v.secret == true
} if is_array(s.secret_paths)

else := {[path_string("config", p), p, v] |
	walk(s.config, [p, v])
	v.secret == true # is_secret, inlined: this runs for every node
}

# literal_secret(v): the value is written in the repository itself (not an
# environment reference).
literal_secret(v) if v.origin in {"literal", "variable"}

# env_file_paths: the .env files of the inventory.
env_file_paths := {ef.file | some ef in input.env_files}

# from_env_file(v): a secret resolved from a .env file of the inventory; the
# env file rules report it there, at its own line.
from_env_file(v) if {
	v.origin == "env"
	v.resolved == true
	v.resolved_from in env_file_paths
}

# secret_var_name(n): an environment variable name that holds a secret.
secret_var_name(n) if regex.match(params.credentials.secret_var_pattern, n)

# nats_env_files: .env files a NATS service loads (compose env_file).
nats_env_files := {f | some s in input.servers; some f in s.deployment.env_files}

# config_env_vars: variables that a server config reads.
config_env_vars := {n | some s in input.servers; some _, n in s.config_env}

# config_secret_env_vars: variables that a server config reads a secret from
# (password: $NATS_PASSWORD).
config_secret_env_vars := {v.env_var |
	some s in input.servers
	is_object(s.config)
	some [_, _, v] in config_secrets(s)
	v.origin == "env"
	is_string(v.env_var)
}

# nats_env_var(ef, name): a variable the NATS deployment uses: named NATS_*,
# read by a config, or in an env file a NATS service loads.
nats_env_var(_, name) if contains(upper(name), "NATS")

nats_env_var(_, name) if name in config_env_vars

nats_env_var(ef, _) if ef.file in nats_env_files

# env_secret_vars: [env file, name, var] for secret variables the NATS
# deployment uses.
env_secret_vars contains [ef, name, v] if {
	some ef in input.env_files
	some name, v in ef.vars
	is_object(v.facts)
	nats_env_var(ef, name)
	_secret_var(name)
	not_a_secret_value(v.facts) == false
}

# not_a_secret_value(facts): true when the value only names or identifies a
# secret: a file path (NATS_CREDS=./user.creds, NATS_CREDS_FILE=) or an
# nkey public key; false otherwise.
not_a_secret_value(facts) if {
	facts.path == true
} else if {
	facts.public_key == true
} else := false

# url_credential_env: [env file, name, var] of .env variables holding a
# NATS URL with user:password@ (by its scheme, or a variable the NATS
# deployment uses).
url_credential_env contains [ef, name, v] if {
	some ef in input.env_files
	some name, v in ef.vars
	v.facts.url_credentials == true
	_nats_url_var(ef, name, v.facts)
}

_nats_url_var(_, _, facts) if facts.nats_url == true

_nats_url_var(ef, name, _) if nats_env_var(ef, name)

_secret_var(name) if secret_var_name(name)

_secret_var(name) if name in config_secret_env_vars

# ---------------------------------------------------------------------------
# Versions

# server_semver(s): the exact nats-server version, undefined when only a
# floating tag or nothing is known.
server_semver(s) := v if {
	v := s.version.semver
	is_string(v)
	v != ""
} else := v if {
	v := trim_prefix(varz_of(s).version, "v")
	semver.is_valid(v)
}

# server_series(s): "2.10" (also for floating tags such as nats:2.10).
server_series(s) := x if {
	x := s.version.series
	is_string(x)
	x != ""
} else := x if {
	parts := split(server_semver(s), ".")
	x := sprintf("%s.%s", [parts[0], parts[1]])
}

# version_path(s): where the version was learnt (image tag or /varz).
version_path(s) := "deployment/image" if {
	s.version.source == "image_tag"
} else := "live/varz/version" if {
	varz_of(s).version
} else := "deployment/image"

# version_label(s) names the version and its source for messages.
version_label(s) := sprintf("image %s", [s.deployment.image]) if {
	s.version.source == "image_tag"
	is_string(s.deployment.image)
} else := "reported by /varz" if {
	varz_of(s).version
} else := sprintf("series %s", [server_series(s)])

# series_cmp(a, b) compares "major.minor" series.
series_cmp(a, b) := semver.compare(sprintf("%s.0", [a]), sprintf("%s.0", [b]))

# in_range(v, r): version v is in the advisory range [introduced, fixed); an
# empty fixed means no fix in that range.
in_range(v, r) if {
	semver.compare(v, r.introduced) >= 0
	r.fixed == ""
}

in_range(v, r) if {
	semver.compare(v, r.introduced) >= 0
	semver.compare(v, r.fixed) < 0
}

# affected_by(v, a): version v is in one of the advisory's ranges.
affected_by(v, a) if {
	some r in a.ranges
	in_range(v, r)
}

# advisory(id): the advisory with that id or alias.
advisory(id) := a if {
	some a in data.natsaudit.advisories.advisories
	id in array.concat([a.id], a.aliases)
}
