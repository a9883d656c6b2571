# Authentication and authorization rules: who can connect, as whom, and with
# which permissions (client, system account and inter-server listeners).
package natsaudit.rules.auth

import data.natsaudit.lib
import data.natsaudit.lib.authconf
import data.natsaudit.lib.exposure
import data.natsaudit.lib.livedocs
import data.natsaudit.lib.tlsconf
import data.natsaudit.lib.versions

# METADATA
# title: No client authentication
# description: >-
#   Anyone who reaches the client port can connect, publish and subscribe to
#   every subject, and use JetStream. Critical when the client listener is
#   public (bound to all interfaces and not narrowed by compose), low when it
#   is bound to loopback (only processes on the host can connect). Mutual TLS
#   against a ca_file counts as authentication.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro
# custom:
#   id: NATS-AUTH-001
#   severity: high
#   category: security
#   facets: [config, deployment, live]
#   remediation: |-
#     Define users (nkeys preferred) in accounts, or use operator/JWT mode:
#
#         accounts {
#           APP { users: [ { nkey: "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4" } ] }
#         }
deny contains f if {
	some h in _auth_001
	f := object.union(lib.finding_of(rego.metadata.rule(), h), _auth001_fix(h))
}

# NATS-AUTH-001's fix where the server has no client authentication at all:
# every client connects without credentials today, so defining users
# refuses each one that has none yet.
_auth001_fix(h) := {"remediation": sprintf("Prerequisite: every client connects to %s without credentials today, and once users are defined a client without them is refused (authorization violation). First give each client its own user (an nkey, or a .creds file in operator mode) and configure it in the client%s. Then define those users in %s: a client still without credentials is cut off by that change.", [
	lib.server_label(h.obj), _anon_clients, _conf_of(h.obj),
])} if {
	h.path in {"config/authorization", "live/varz/auth_required"}
	not authconf.client_auth(object.get(h.obj, "config", {}))
} else := {}

_conf_of(s) := s.config_file if {
	object.get(s, "config_file", "") != ""
} else := "the server's config"

# _anon_clients: the NATS URLs the repository gives clients without
# user:password in them (.env files, compose environment): the clients that
# connect anonymously unless they load credentials some other way.
_anon_clients := sprintf(" (%s carry no credentials in the URL)", [lib.short_list(names, 5)]) if {
	names := {sprintf("%s in %s", [n, e.file]) |
		some e in input.env_files
		some n, v in e.vars
		regex.match(`(?i)^[A-Z0-9_]*NATS[A-Z0-9_]*_(URL|URLS|SERVER|SERVERS)$`, n)
		not v.facts.url_credentials == true
	}
	count(names) > 0
} else := ""

_auth_001 contains h if {
	some s in lib.configured_servers
	not authconf.client_auth(s.config)
	not authconf.cert_auth(s.config)
	not authconf.cert_auth_any_ca(s.config)
	l := exposure.config_listener(s, "client")
	h := object.union({"obj": s, "path": "config/authorization"}, _open_sev(s, l))
}

# verify without ca_file: the server checks client certificates against the
# system's trusted CAs, so any certificate a public CA issued gets in.
_auth_001 contains h if {
	some s in lib.configured_servers
	not authconf.client_auth(s.config)
	authconf.cert_auth_any_ca(s.config)
	h := {"obj": s, "path": "config/tls", "msg": sprintf("%s authenticates clients only by their TLS certificate, and without tls.ca_file any certificate issued by a CA the host trusts is accepted", [lib.server_label(s)])}
}

# Live: varz auth_required is false for mutual TLS alone, so a server that
# requires TLS and verifies client certificates is not anonymous.
_auth_001 contains h if {
	some s in livedocs.live_only_servers
	v := livedocs.varz_of(s)
	not livedocs.varz_flag(v, "auth_required")
	not _live_mtls(v)
	some l in exposure.live_listeners(s)
	l.kind == "client"
	h := object.union({"obj": s, "path": "live/varz/auth_required"}, _open_sev(s, l))
}

# The repository's config authenticates clients, the running server does not.
_auth_001 contains h if {
	some s in livedocs.varz_servers
	is_object(s.config)
	authconf.client_auth(s.config)
	v := livedocs.varz_of(s)
	not livedocs.varz_flag(v, "auth_required")
	h := {"obj": s, "path": "live/varz/auth_required", "msg": sprintf("%s: the config defines client authentication but the running server does not require it (/varz auth_required is false)", [lib.server_label(s)])}
}

_live_mtls(v) if {
	livedocs.varz_flag(v, "tls_required")
	livedocs.varz_flag(v, "tls_verify")
}

_open_sev(s, l) := {"sev": "critical", "msg": sprintf("%s has no client authentication and its client port %v is public (%s)", [lib.server_label(s), l.port, exposure.exposure_note(s, l)])} if {
	exposure.public(s, l)
} else := {"sev": "low", "msg": sprintf("%s has no client authentication; its client port %v is bound to %s, so only processes on this host can connect", [lib.server_label(s), l.port, l.host])} if {
	lib.loopback(l.host)
} else := {"msg": sprintf("%s has no client authentication: anyone who reaches port %v can connect", [lib.server_label(s), l.port])}

# METADATA
# title: Anonymous fallback user configured (no_auth_user)
# description: >-
#   Clients that present no credentials are logged in as the no_auth_user, so
#   anonymous access exists even though varz reports auth_required. With
#   nats-server below 2.14.0/2.12.7/2.11.16 it also enabled an inter-server
#   auth bypass (GHSA-38x3-76xf-cq45), and below 2.14.3/2.12.12 it ignored
#   allowed_connection_types (GHSA-hmmp-q8cx-v964). Medium when that user's
#   publish permissions are restricted.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/accounts#no-auth-user
#   - ref: https://advisories.nats.io/CVE/secnote-2026-16.txt
# custom:
#   id: NATS-AUTH-002
#   severity: high
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Remove `no_auth_user` (also in websocket{} and mqtt{}) and give every
#     client credentials, or give that user least-privilege permissions:
#
#         { user: anon, password: "...", permissions: { publish: { deny: ">" }, subscribe: "public.>" } }
deny contains f if {
	some h in _auth_002
	f := object.union(lib.finding_of(rego.metadata.rule(), h), {"remediation": _auth002_fix(h)})
}

# NATS-AUTH-002's fix: the clients that present no credentials are logged
# in as that user today, so removing no_auth_user refuses them; either they
# get credentials first, or the user is restricted to what anonymous
# clients may do.
_auth002_fix(h) := sprintf("Prerequisite: clients that present no credentials are logged in as user %q today, and removing no_auth_user refuses them (authorization violation). First give each of them a user of its own and configure it in the client%s. Then remove `no_auth_user: %s` from %s. To keep anonymous access instead, give %q only what anonymous clients may do, e.g. `permissions: { publish: { deny: \">\" } }` plus the subjects they must read.", [
	h.user, _anon_clients, h.user, _no_auth_where(h), h.user,
])

_no_auth_where(h) := _conf_of(h.obj) if {
	h.block == ""
} else := sprintf("the %s block of %s", [h.block, _conf_of(h.obj)])

_auth_002 contains h if {
	some s in lib.configured_servers
	some [path, where] in [["no_auth_user", ""], ["websocket/no_auth_user", "WebSocket "], ["mqtt/no_auth_user", "MQTT "]]
	name := object.get(s.config, split(path, "/"), "")
	is_string(name)
	name != ""
	h := object.union(
		{"obj": s, "path": sprintf("config/%s", [path]), "user": name, "block": _no_auth_block(path)},
		_no_auth_sev(s, name, sprintf("%s lets anonymous %sclients in as user %q (no_auth_user)", [lib.server_label(s), where, name])),
	)
}

_auth_002 contains h if {
	some s in livedocs.live_only_servers
	v := livedocs.varz_of(s)
	some vk, where in {"websocket": "WebSocket", "mqtt": "MQTT"}
	name := v[vk].no_auth_user
	is_string(name)
	name != ""
	h := {"obj": s, "path": sprintf("live/varz/%s/no_auth_user", [vk]), "user": name, "block": vk, "msg": sprintf("%s lets anonymous %s clients in as user %q (no_auth_user)", [lib.server_label(s), where, name])}
}

_no_auth_block("no_auth_user") := ""

_no_auth_block(p) := split(p, "/")[0] if p != "no_auth_user"

_no_auth_sev(s, name, msg) := {"sev": "medium", "msg": sprintf("%s, whose publish permissions are restricted", [msg])} if {
	some [_, u, acc] in authconf.app_users(s.config)
	defaults := _default_perms(s.config)
	u.user == name
	not _open_bool(_perms(u, object.get(defaults, acc, null)), "publish")
} else := {"msg": msg}

# METADATA
# title: Implicit anonymous access (accounts define only the system account)
# description: >-
#   When accounts{} defines only the system account and there is no
#   authorization block, no no_auth_user and no operator, nats-server silently
#   adds an anonymous user to the global account: clients without credentials
#   connect although varz and INFO report auth_required. Critical on
#   versions affected by CVE-2023-47090, where an authorization block did not
#   prevent this.
# related_resources:
#   - ref: https://advisories.nats.io/CVE/secnote-2023-01.txt
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/sys_accounts
# custom:
#   id: NATS-AUTH-003
#   severity: high
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Put the application users into a named account, or add an
#     authorization{} block; the advisory's workaround is a second (empty)
#     account:
#
#         accounts { SYS { users: [...] }, APP { users: [...] } }
deny contains f if {
	some h in _auth_003
	f := lib.finding_of(rego.metadata.rule(), h)
}

_auth_003 contains h if {
	some s in lib.configured_servers
	authconf.implicit_no_auth(s.config)
	h := {"obj": s, "path": "config/accounts", "msg": sprintf("%s: accounts{} defines only the system account %q and there is no authorization block, so nats-server lets clients without credentials into the global account", [lib.server_label(s), authconf.system_account_name(s.config)])}
}

_auth_003 contains h if {
	some s in lib.configured_servers
	authconf.sys_only_accounts(s.config)
	s.config.authorization
	v := versions.server_semver(s)
	versions.affected_by(v, versions.advisory("CVE-2023-47090"))
	h := {"obj": s, "path": "config/accounts", "sev": "critical", "msg": sprintf("%s: accounts{} defines only the system account, and nats-server %s (CVE-2023-47090) then accepts clients without credentials despite the authorization block", [lib.server_label(s), v])}
}

# Live: the hidden user nats-server creates is named nats-XXXXXXXX and
# logs clients into $G.
_auth_003 contains h if {
	some s in livedocs.live_only_servers
	users := {c.authorized_user |
		some c in s.live.connz.connections
		is_string(c.authorized_user)
		regex.match(`^nats-[0-9A-Za-z]{8}$`, c.authorized_user)
		object.get(c, "account", "$G") == "$G"
	}
	count(users) > 0
	h := {"obj": s, "path": "live/connz/connections", "msg": sprintf("%s: /connz shows anonymous clients logged in as the implicit user %s in $G", [lib.server_label(s), concat(", ", sort(users))])}
}

# METADATA
# title: One shared credential for all clients
# description: >-
#   A single authorization user/password or token is shared by every client:
#   one leak compromises all of them, rotating it means redeploying every
#   service, and the server cannot tell clients apart in logs or permissions.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/username_password
# custom:
#   id: NATS-AUTH-004
#   severity: medium
#   category: security
#   facets: [config, deployment, live]
#   remediation: |-
#     Give each application its own user (nkeys preferred) with its own
#     permissions, or move to operator/JWT mode:
#
#         authorization { users: [ { user: billing, password: "$2a$11$..." }, { nkey: "U..." } ] }
deny contains f if {
	some h in _auth_004
	f := lib.finding_of(rego.metadata.rule(), h)
}

_auth_004 contains h if {
	some s in lib.configured_servers
	a := s.config.authorization
	some [key, what] in [["token", "token"], ["user", "user/password"]]
	a[key]
	not _has_users(s.config)
	h := {"obj": s, "path": sprintf("config/authorization/%s", [key]), "msg": sprintf("%s authenticates every client with one shared %s", [lib.server_label(s), what])}
}

_auth_004 contains h if {
	some s in livedocs.live_only_servers
	conns := [c | some c in s.live.connz.connections; is_string(c.authorized_user); c.authorized_user != ""]
	count(conns) >= lib.params.credentials.shared_credential_min_connections
	names := {c.authorized_user | some c in conns}
	count(names) == 1
	some name in names
	h := {"obj": s, "path": "live/connz/connections", "msg": sprintf("%s: %s use the same user %q", [lib.server_label(s), _conns_read(s.live.connz, count(conns)), name])}
}

# "all N authenticated connections" only when /connz was read whole (the
# probe pages through it up to a cap, and keeps the server's total).
_conns_read(connz, n) := sprintf("the %d authenticated connections among the %d of %v read from /connz (the rest were not read)", [n, count(connz.connections), connz.total]) if {
	lib.num(connz.total) > count(connz.connections)
} else := sprintf("all %d authenticated connections in /connz", [n])

_has_users(c) if count(c.authorization.users) > 0

_has_users(c) if {
	some a in c.accounts
	count(a.users) > 0
}

# METADATA
# title: User with unrestricted permissions
# description: >-
#   An application user can publish (and/or subscribe) to every subject of
#   its account, including the JetStream API ($JS.API.>) and system requests:
#   a compromised client can read all traffic, delete streams or impersonate
#   other services. Low when only subscribing is unrestricted; users of the
#   system account are exempt.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/authorization
# custom:
#   id: NATS-AUTH-005
#   severity: medium
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Give each user an allow list of the subjects its clients use and deny the system
#     and JetStream APIs it must not use:
#
#         permissions: {   # an application whose subjects start with app.
#           publish:   { allow: ["app.>", "_INBOX.>"], deny: ["$SYS.>", "$JS.API.STREAM.DELETE.>"] }
#           subscribe: { allow: ["app.>", "_INBOX.>"] }
#         }
deny contains f if {
	some h in _auth_005
	f := lib.finding_of(rego.metadata.rule(), h)
}

_auth_005 contains h if {
	some s in lib.configured_servers
	some [path, u, acc] in authconf.app_users(s.config)
	defaults := _default_perms(s.config)
	perms := _perms(u, object.get(defaults, acc, null))
	pub := _open_bool(perms, "publish")
	sub := _open_bool(perms, "subscribe")
	h := object.union({"obj": s, "path": sprintf("%s/permissions", [path])}, _perm_msg(lib.server_label(s), u, pub, sub))
}

_auth_005 contains h if {
	some s in lib.configured_servers
	some [path, u, acc] in authconf.app_users(s.config)
	defaults := _default_perms(s.config)
	perms := _perms(u, object.get(defaults, acc, null))
	not _open_bool(perms, "publish")
	admin := [x | some x in perms.publish.allow; x in {"$SYS.>", "$JS.>", "$JS.API.>", "$JS.API.STREAM.RESTORE.>"}]
	count(admin) > 0
	h := {"obj": s, "path": sprintf("%s/permissions/publish", [path]), "msg": sprintf("%s: %s may publish to %s (system or JetStream administration)", [lib.server_label(s), authconf.user_label(u), concat(", ", admin)])}
}

_perm_msg(label, u, true, true) := {"msg": sprintf("%s: %s can publish and subscribe to every subject%s", [label, authconf.user_label(u), _no_perm_note(u)])}

_perm_msg(label, u, true, false) := {"msg": sprintf("%s: %s can publish to every subject", [label, authconf.user_label(u)])}

_perm_msg(label, u, false, true) := {"sev": "low", "msg": sprintf("%s: %s can subscribe to every subject (it reads all traffic of its account)", [label, authconf.user_label(u)])}

_no_perm_note(u) := " (no permissions block)" if {
	not u.permissions
} else := ""

# _default_perms(c): {account: default permissions}; "" is the authorization
# block's (users outside accounts{}). Called after a user is found (none for
# a server without users), once per server (OPA caches the call).
_default_perms(c) := {acc: p |
	some acc, p in object.union(
		{"": object.get(c, ["authorization", "default_permissions"], null)},
		{name: object.get(a, "default_permissions", null) | some name, a in object.get(c, "accounts", {})},
	)
	is_object(p)
}

# _perms: the user's permissions, else the default permissions that apply to
# it; null when there are none (then everything is allowed).
_perms(u, defaults) := u.permissions if {
	is_object(u.permissions)
} else := defaults if {
	is_object(defaults)
} else := null

# A direction (publish/subscribe) is open when it is not restricted at all,
# or allows ">" (or nothing in particular) without any deny.
_open(null, _) := true

_open(perms, dir) if {
	is_object(perms)
	not perms[dir]
	not _responses_only(perms, dir)
}

_open(perms, dir) if {
	d := perms[dir]
	count(object.get(d, "deny", [])) == 0
	_allows_all(object.get(d, "allow", []))
	not _responses_only(perms, dir)
}

# allow_responses (publish_allow_responses) without a publish allow list
# turns the blanket publish allow off: the user may only reply to the
# requests it received (nats-server opts.go, parseUserPermissions).
_responses_only(perms, "publish") if {
	_allow_responses(perms.allow_responses)
	count(object.get(object.get(perms, "publish", {}), "allow", [])) == 0
}

_allow_responses(true)

_allow_responses(x) if is_object(x)

_allows_all(allow) if count(allow) == 0

_allows_all(allow) if ">" in allow

# _open_bool(perms, dir): _open as true or false. Judged in Go
# (natsaudit.perms_open, once per distinct permissions object) for the
# shape nats.conf sources produce; _open judges any other shape.
_open_bool(perms, dir) := o[dir] if {
	o := natsaudit.perms_open(perms)
	o != null
} else if {
	_open(perms, dir)
} else := false

# METADATA
# title: Application users in the system account, or the system account shared
# description: >-
#   The system account can read every server's events and issue server
#   requests (account JWT updates, stream and server administration). More
#   than a couple of users there, or a password shared with an application
#   user, means applications hold administrator access.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/sys_accounts
# custom:
#   id: NATS-AUTH-006
#   severity: medium
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Keep the system account for operators and tooling (one or two admin
#     users), and give applications their own accounts and credentials.
deny contains f if {
	some h in _auth_006
	f := lib.finding_of(rego.metadata.rule(), h)
}

_auth_006 contains h if {
	some s in lib.configured_servers
	sys := authconf.system_users(s.config)
	count(sys) > lib.params.credentials.max_system_account_users
	sa := authconf.system_account_name(s.config)
	h := {"obj": s, "path": sprintf("config/accounts/%s/users", [authconf.escape_key(sa)]), "msg": sprintf("%s: the system account %q has %d users (more than %d): application users do not belong there", [lib.server_label(s), sa, count(sys), lib.params.credentials.max_system_account_users])}
}

_auth_006 contains h if {
	some s in lib.configured_servers
	some [spath, su] in authconf.system_users(s.config)
	some [_, au, _] in authconf.app_users(s.config)
	lib.is_secret(su.password)
	lib.is_secret(au.password)
	su.password.digest == au.password.digest
	not su.password.empty
	h := {"obj": s, "path": sprintf("%s/password", [spath]), "msg": sprintf("%s: system account %s has the same password as application %s", [lib.server_label(s), authconf.user_label(su), authconf.user_label(au)])}
}

_auth_006 contains h if {
	some s in input.servers
	livedocs.live_only(s)
	sa := livedocs.varz_of(s).system_account
	names := {c.authorized_user | some c in s.live.connz.connections; c.account == sa; is_string(c.authorized_user); c.authorized_user != ""}
	count(names) > lib.params.credentials.max_system_account_users
	h := {"obj": s, "path": "live/connz/connections", "msg": sprintf("%s: %d different users are connected to the system account %q (%s)", [lib.server_label(s), count(names), sa, concat(", ", sort(names))])}
}

# METADATA
# title: No usable system account
# description: >-
#   The system account is disabled, or no user can log into it. Without it
#   `nats server report`, `nats server check`, natsaudit's $SYS probe and
#   server advisories are unavailable, and in operator mode account updates
#   cannot be pushed. With an auth callout, a system account without static
#   users is not reported (the callout may issue users into it).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/sys_accounts
# custom:
#   id: NATS-AUTH-007
#   severity: low
#   category: operations
#   facets: [config, deployment]
#   remediation: |-
#     Name a system account and give it an admin user:
#
#         system_account: SYS
#         accounts {
#           SYS { users: [ { user: admin, password: "$2a$11$..." } ] }   # bcrypt (nats server passwd) or an nkey
#           APP { users: [ ... ] }
#         }
deny contains f if {
	some h in _auth_007
	f := lib.finding_of(rego.metadata.rule(), h)
}

_auth_007 contains h if {
	some s in lib.configured_servers
	s.config.no_system_account == true
	h := {"obj": s, "path": "config/no_system_account", "msg": sprintf("%s disables the system account (no_system_account)", [lib.server_label(s)])}
}

_auth_007 contains h if {
	some s in lib.configured_servers
	not lib.true_or_unknown(object.get(s.config, "no_system_account", false))
	not authconf.operator_mode(s.config)

	# The auth callout service may issue users into the system account.
	not authconf.auth_callout(s.config)
	count(authconf.system_users(s.config)) == 0
	sa := authconf.system_account_name(s.config)
	h := {"obj": s, "path": _sys_path(s.config), "msg": sprintf("%s: no user can log into the system account %q, so $SYS monitoring (nats server report, natsaudit probe --server) is impossible", [lib.server_label(s), sa])}
}

_sys_path(c) := "config/system_account" if {
	c.system_account
} else := "config/accounts" if {
	c.accounts
} else := "config"

# METADATA
# title: Account without users
# description: >-
#   An account is defined but has no users and is not referenced by any user,
#   import or leafnode; it is dead configuration, or the empty account of the
#   CVE-2023-47090 workaround (then document it). Not reported with an auth
#   callout, which issues users into accounts at connect time.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/accounts
# custom:
#   id: NATS-AUTH-008
#   severity: info
#   category: security
#   facets: [config]
#   remediation: Remove the account, or add a comment saying why it exists.
deny contains f if {
	some s in lib.configured_servers
	is_object(s.config.accounts)
	refs := _referenced_accounts(s.config)
	some name, a in s.config.accounts
	name != authconf.system_account_name(s.config)
	is_object(a)
	count(object.get(a, "users", [])) == 0
	not name in refs

	# Accounts of an auth callout get their users from the callout service.
	not authconf.auth_callout(s.config)
	f := lib.finding(rego.metadata.rule(), s, sprintf("config/accounts/%s", [authconf.escape_key(name)]), sprintf("%s: account %q has no users, and no user, leafnode or import uses it", [lib.server_label(s), name]))
}

# _referenced_accounts(c): accounts named by users, leafnode authorization
# and remotes, and imports.
_referenced_accounts(c) := {n |
	some x in array.concat(
		array.concat(
			[object.get(u, "account", null) | some u in tlsconf.all_users(c)],
			[object.get(c, ["leafnodes", "authorization", "account"], null)],
		),
		array.concat(
			[object.get(r, "account", null) | some r in object.get(c, ["leafnodes", "remotes"], []); is_object(r)],
			[object.get(i, [kind, "account"], null) |
				some a in object.get(c, "accounts", {})
				is_object(a)
				some i in object.get(a, "imports", [])
				some kind in ["stream", "service"]
			],
		),
	)
	is_string(x)
	n := x
}

# METADATA
# title: Inter-server listener accepts anyone
# description: >-
#   A cluster, gateway or leafnode listener has neither authorization nor
#   (mutual) TLS: anyone who reaches the port can join as a route, gateway or
#   leafnode and read or inject traffic of every account. This rule also
#   covers the catalog's AUTH-010 (gateways, critical) and AUTH-011
#   (leafnodes, high). A leafnode listener without its own authorization
#   falls back to the client users and accounts (nats-server authenticates
#   the leafnode as a client), so it is open only when clients need no
#   credentials either.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/cluster_config
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/leafnodes/leafnode_conf
# custom:
#   id: NATS-AUTH-009
#   severity: critical
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Require credentials and TLS on inter-server listeners, and firewall them:
#
#         cluster {
#           authorization { user: route, password: $ROUTE_PASSWORD }
#           tls { cert_file: ..., key_file: ..., ca_file: ... }
#         }
#         gateway { ...; reject_unknown_cluster: true }
#         leafnodes { authorization { users: [ { user: edge1, password: ..., account: EDGE } ] } }
deny contains f if {
	some h in _auth_009
	f := lib.finding_of(rego.metadata.rule(), h)
}

_auth_009 contains h if {
	some s in lib.configured_servers
	some kind in ["cluster", "gateway"]
	l := exposure.config_listener(s, kind)
	not lib.loopback(l.host)
	b := s.config[kind]
	not b.authorization
	not tlsconf.has_tls(b)
	h := {"obj": s, "path": l.path, "msg": sprintf("%s: the %s listener on port %v has no authorization and no TLS, so anyone who reaches it can join", [lib.server_label(s), exposure.listener_names[kind], l.port])}
}

_auth_009 contains h if {
	some s in lib.configured_servers
	l := exposure.config_listener(s, "leafnodes")
	not lib.loopback(l.host)
	b := s.config.leafnodes
	not b.authorization
	not _leaf_mtls(b)

	# Without leafnodes.authorization nats-server authenticates a leafnode
	# as a client (isLeafNodeAuthorized falls back to isClientAuthorized):
	# the listener is open only when clients need no credentials either
	# (no client auth, or the anonymous user of a system-only accounts{}).
	authconf.anonymous_clients(s)
	h := {"obj": s, "path": l.path, "sev": "high", "msg": sprintf("%s: the leafnode listener on port %v has no authorization, does not verify client certificates, and clients need no credentials either, so any leafnode can connect", [lib.server_label(s), l.port])}
}

_leaf_mtls(b) if {
	tlsconf.has_tls(b)
	tlsconf.tls_verifies(b.tls)
}

# METADATA
# title: WebSocket origin checks disabled with cookie authentication
# description: >-
#   The WebSocket listener reads credentials from browser cookies but accepts
#   connections from any web origin, so any web page a logged-in user visits
#   can open a connection with that user's cookie (cross-site WebSocket
#   hijacking).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/websocket/websocket_conf
# custom:
#   id: NATS-AUTH-012
#   severity: low
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Restrict the origins that may open WebSocket connections:
#
#         websocket {
#           same_origin: true                                # or
#           allowed_origins: ["https://app.example.com"]
#         }
deny contains f if {
	some h in _auth_012
	f := lib.finding_of(rego.metadata.rule(), h)
}

_cookie_keys := ["jwt_cookie", "user_cookie", "pass_cookie", "token_cookie"]

_auth_012 contains h if {
	some s in lib.configured_servers
	exposure.config_listener(s, "websocket")
	w := s.config.websocket
	cookies := [k | some k in _cookie_keys; is_string(w[k]); w[k] != ""]
	count(cookies) > 0
	not lib.true_or_unknown(object.get(w, "same_origin", false))
	count(object.get(w, "allowed_origins", [])) == 0
	h := {"obj": s, "path": "config/websocket", "msg": sprintf("%s: WebSocket clients authenticate with cookies (%s) but any web origin may connect (no same_origin, no allowed_origins)", [lib.server_label(s), concat(", ", cookies)])}
}

_auth_012 contains h if {
	some s in livedocs.live_only_servers
	w := livedocs.varz_of(s).websocket
	is_string(w.jwt_cookie)
	w.jwt_cookie != ""
	not livedocs.varz_flag(w, "same_origin")
	count(object.get(w, "allowed_origins", [])) == 0
	h := {"obj": s, "path": "live/varz/websocket", "msg": sprintf("%s: WebSocket clients authenticate with the %q cookie but any web origin may connect", [lib.server_label(s), w.jwt_cookie])}
}
