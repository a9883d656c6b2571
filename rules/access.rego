package natsaudit.rules.access

import data.natsaudit.lib.versions

import data.natsaudit.lib
import data.natsaudit.lib.authconf
import data.natsaudit.lib.subjects

# Who can do what: permissions of application users (users outside the
# system account; NATS-AUTH-005 already reports users open to every subject),
# account imports and exports, and leafnode bindings to the system account.
# Config only: permissions and account wiring are not in the monitoring
# documents.

# _perms(c, u, acc): the user's permissions, else the default permissions of
# its account (or of the authorization block); undefined when none apply.
_perms(c, u, acc) := u.permissions if {
	is_object(u.permissions)
} else := p if {
	acc != ""
	p := c.accounts[acc].default_permissions
	is_object(p)
} else := p if {
	acc == ""
	p := c.authorization.default_permissions
	is_object(p)
}

_allow(perms, dir) := object.get(object.get(perms, dir, {}), "allow", [])

_denied(perms, dir, subj) if {
	some d in object.get(object.get(perms, dir, {}), "deny", [])
	is_string(d)
	_covers(d, subj)
}

# _covers(f, s): filter f matches every subject s matches (s may be a filter
# itself). Same semantics as internal/subject.Matches, computed in Go
# (internal/engine/builtins.go) but for malformed subjects, which it does
# not reject.
_covers(f, s) if natsaudit.subject_covers(f, s)

# _grants(perms, dir, subj): some allow entry other than ">" (reported by
# NATS-AUTH-005) covers subj and no deny entry takes it back.
# Several entries may cover subj; the function names the first (sorted) so
# that it has one value. Judged in Go (natsaudit.perm_facts, once per
# distinct permissions, direction and subject) for the shape nats.conf
# sources produce; _grants_rego judges any other shape.
_grants(perms, dir, subj) := a if {
	[a] := natsaudit.perm_facts(perms, dir, subj).grant
}

_grants(perms, dir, subj) := _grants_rego(perms, dir, subj) if {
	natsaudit.perm_facts(perms, dir, subj) == null
}

_grants_rego(perms, dir, subj) := min(gs) if {
	gs := {a |
		some a in _allow(perms, dir)
		is_string(a)
		a != ">"
		_covers(a, subj)
	}
	count(gs) > 0
	not _denied(perms, dir, subj)
}

_app_perms contains [s, path, u, perms] if {
	some s in lib.configured_servers
	some [path, u, acc] in authconf.app_users(s.config)
	perms := _perms(s.config, u, acc)
}

# METADATA
# title: Application user may delete or purge streams
# description: >-
#   The user's publish permissions reach the JetStream API that deletes or
#   purges streams (`$JS.API.STREAM.DELETE.*`, `$JS.API.STREAM.PURGE.*`):
#   an application bug or a stolen credential can erase the stored data.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/authorization
#   - ref: https://docs.nats.io/reference/reference-protocols/nats_api_reference
# custom:
#   id: NATS-ACC-001
#   severity: high
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Allow applications only the JetStream API calls they use, and deny
#     the destructive ones:
#
#         publish: {
#           allow: ["$JS.API.CONSUMER.MSG.NEXT.ORDERS.worker", "$JS.ACK.ORDERS.>"]
#           deny:  ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>"]
#         }
deny contains f if {
	some [s, path, u, perms] in _app_perms
	ops := {op | some op in ["DELETE", "PURGE"]; _grants_some(perms, sprintf("$JS.API.STREAM.%s.*", [op]))}
	count(ops) > 0

	# $JS.API.> and $JS.> are reported as JetStream administration by NATS-AUTH-005.
	not _js_admin(perms)
	f := lib.finding(rego.metadata.rule(), s, sprintf("%s/permissions/publish", [path]), sprintf("%s: %s may %s streams through the JetStream API", [lib.server_label(s), authconf.user_label(u), concat(" and ", [lower(o) | some o in sort(ops)])]))
}

# _grants_some(perms, f): an allow entry other than ">" reaches some subject
# of filter f (e.g. $JS.API.STREAM.PURGE.ORDERS reaches PURGE.*), unless a
# deny takes all of f or the entry back.
_grants_some(perms, f) if natsaudit.perm_facts(perms, "publish", f).some

_grants_some(perms, f) if {
	natsaudit.perm_facts(perms, "publish", f) == null
	_grants_some_rego(perms, f)
}

_grants_some_rego(perms, f) if {
	some a in _allow(perms, "publish")
	is_string(a)
	a != ">"
	subjects.subjects_overlap(a, f)
	not _denied(perms, "publish", f)
	not _denied(perms, "publish", a)
}

_js_admin(perms) if {
	some a in _allow(perms, "publish")
	a in {"$JS.>", "$JS.API.>"}
}

# METADATA
# title: Application user may read other users' replies (_INBOX.>)
# description: >-
#   Subscribing to `_INBOX.>` receives the replies to every request made in
#   the account, whoever sent it: one user reads the responses meant for
#   all the others (tokens, records, errors). Reported only where there are
#   others to read: another user of the same account receives its replies
#   on the default `_INBOX.` prefix (it may subscribe there). JetStream
#   administrators (publish on `$JS.API.>`) and users alone in their account,
#   or whose peers all use their own inbox prefix, are not reported.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/authorization
#   - ref: https://docs.nats.io/using-nats/developer/sending/request_reply
# custom:
#   id: NATS-ACC-002
#   severity: medium
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Give each user its own inbox prefix, set in its clients first
#     (`nats.CustomInboxPrefix`), and allow only that prefix instead of
#     `_INBOX.>`. For a user billing:
#
#         subscribe: { allow: ["billing.>", "_INBOX_billing.>"] }
deny contains f if {
	some s in lib.configured_servers
	some [path, u, acc] in authconf.app_users(s.config)
	perms := _perms(s.config, u, acc)
	not _js_admin(perms)
	a := _grants(perms, "subscribe", "_INBOX.x.y")
	_inbox_peer(s, path, _account_of(u, acc))
	f := object.union(
		lib.finding(rego.metadata.rule(), s, sprintf("%s/permissions/subscribe", [path]), sprintf("%s: %s may subscribe to %s and read the replies sent to every other user of its account", [lib.server_label(s), authconf.user_label(u), a])),
		{"remediation": _acc002_fix(s, u, perms, a)},
	)
}

# NATS-ACC-002's fix for this user: its own subscribe allow list with the
# inbox wildcard replaced by a prefix of its own, after its clients use that
# prefix (a client still on _INBOX. gets no replies once it is narrowed).
_acc002_fix(s, u, perms, a) := sprintf("Prerequisite: every client of %s must first set its inbox prefix to `%s` (nats.go: `nats.CustomInboxPrefix(\"%s\")`; other clients have the same option), or its requests and JetStream calls get no replies once the permission is narrowed. Then replace `%s` with `%s.>` in its subscribe allow list in %s:\n\n    subscribe: { allow: [%s] }", [
	authconf.user_label(u), p, p, a, p, _acc_conf(s), _acc_list([x | some x in _allow(perms, "subscribe"); is_string(x); x != a], sprintf("%s.>", [p])),
]) if {
	p := _acc_inbox(u)
} else := sprintf("Prerequisite: every client of %s must first set an inbox prefix of its own (nats.go: `nats.CustomInboxPrefix`), or its requests get no replies once the permission is narrowed. Then replace `%s` with that prefix followed by `.>` in its subscribe allow list in %s.", [authconf.user_label(u), a, _acc_conf(s)])

# A prefix named after the user, when its name is a plain token.
_acc_inbox(u) := sprintf("_INBOX_%s", [u.user]) if {
	is_string(u.user)
	regex.match(`^[A-Za-z0-9_-]+$`, u.user)
}

_acc_conf(s) := s.config_file if {
	object.get(s, "config_file", "") != ""
} else := "the server's config"

# A permission list as the config writes it: ["a.>", "b"] plus an entry.
_acc_list(xs, extra) := concat(", ", [sprintf("%q", [x]) | some x in array.concat(xs, [extra])]) if {
	extra != ""
} else := concat(", ", [sprintf("%q", [x]) | some x in xs])

# _inbox_peer(s, path, acc): another user of account acc (not the one at
# path) gets its replies on the default _INBOX. prefix: there is something
# of someone else's to read. Counted from the receivers of each account,
# gathered once, so that thousands of users stay linear.
_inbox_peer(s, path, acc) if {
	# object.get on the whole partial object: indexing it by s.ref would
	# evaluate its body again for every server (TestRulesScaleLinearly).
	rs := object.get(_inbox_receivers, [[s.ref, acc]], set())
	count(rs) - _member(path, rs) > 0
}

_member(x, set) := 1 if {
	x in set
} else := 0

# _inbox_receivers[[ref, acc]]: the users (by path) of account acc on
# server ref that may subscribe to the default inbox prefix.
_inbox_receivers := natsaudit.group({[[ref, acc], p] |
	some s in lib.configured_servers
	ref := s.ref
	some [p, v, vacc] in authconf.app_users(s.config)
	acc := _account_of(v, vacc)
	_default_inbox(s.config, v, vacc)
})

# Users of the authorization block may name their account.
_account_of(u, "") := object.get(u, "account", "")

_account_of(_, acc) := acc if acc != ""

# _default_inbox(c, v, acc): the user may subscribe to _INBOX.<id>.<n>, as
# clients do for replies unless they set their own prefix.
_default_inbox(c, v, acc) if not _perms(c, v, acc)

_default_inbox(c, v, acc) if _may_subscribe(_perms(c, v, acc), "_INBOX.x.y")

# _may_subscribe(perms, subj), _may_publish(perms, subj): no allow list or
# an allow entry covering subj, and no deny entry covering it (in Go where
# natsaudit.perm_facts judges the shape).
_may_subscribe(perms, subj) if natsaudit.perm_facts(perms, "subscribe", subj).may

_may_subscribe(perms, subj) if {
	natsaudit.perm_facts(perms, "subscribe", subj) == null
	_may_subscribe_rego(perms, subj)
}

_may_subscribe_rego(perms, subj) if {
	count(_allow(perms, "subscribe")) == 0
	not _denied(perms, "subscribe", subj)
}

_may_subscribe_rego(perms, subj) if {
	some a in _allow(perms, "subscribe")
	is_string(a)
	_covers(a, subj)
	not _denied(perms, "subscribe", subj)
}

# METADATA
# title: Application user may publish into other users' inboxes
# description: >-
#   Publish permission on `_INBOX.>` lets a user answer any request of the
#   account, including requests it never received: it can forge responses
#   to other services. allow_responses grants exactly the replies to the
#   requests a user received.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/authorization
# custom:
#   id: NATS-ACC-003
#   severity: medium
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Replace the inbox publish permission with allow_responses:
#
#         permissions: {
#           publish: ["orders.>"]
#           subscribe: ["orders.requests"]
#           allow_responses: { max: 1, expires: "1m" }
#         }
deny contains f if {
	some [s, path, u, perms] in _app_perms
	a := _grants(perms, "publish", "_INBOX.x.y")
	f := object.union(
		lib.finding(rego.metadata.rule(), s, sprintf("%s/permissions/publish", [path]), sprintf("%s: %s may publish to %s, so it can forge replies to any request in its account (use allow_responses)", [lib.server_label(s), authconf.user_label(u), a])),
		{"remediation": _acc003_fix(s, u, perms, a)},
	)
}

# NATS-ACC-003's fix for this user: its own publish allow list without the
# inbox grants, and allow_responses for the replies it sends.
_acc003_fix(s, u, perms, a) := sprintf("Remove `%s` from the publish allow list of %s in %s and add allow_responses, which lets it answer the requests it receives and nothing else:\n\n    publish: { allow: [%s] }\n    allow_responses: true\n\nA requester needs no inbox publish permission at all. A responder that sends several replies per request, or replies later than 2 minutes, needs a larger bound instead (e.g. `allow_responses: { max: 10, expires: \"5m\" }`), or its extra and late replies are refused.", [
	a, authconf.user_label(u), _acc_conf(s), _acc_list([x | some x in _allow(perms, "publish"); is_string(x); not _covers(x, "_INBOX.x.y")], ""),
]) if {
	count([x | some x in _allow(perms, "publish"); is_string(x); not _covers(x, "_INBOX.x.y")]) > 0
} else := sprintf("Remove `%s` from the publish allow list of %s in %s and add `allow_responses: true`, which lets it answer the requests it receives and nothing else. A responder that sends several replies per request, or replies later than 2 minutes, needs a larger bound instead (e.g. `allow_responses: { max: 10, expires: \"5m\" }`).", [a, authconf.user_label(u), _acc_conf(s)])

# METADATA
# title: allow_responses without a limit
# description: >-
#   allow_responses with a negative max or a negative expiry lets a user
#   keep publishing to a reply subject it once received, as often or for as
#   long as it likes, instead of answering each request once. nats-server
#   reads a negative value as unlimited; 0 (and `allow_responses: true`)
#   is the default, one response within 2 minutes, which is bounded.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/authorization#allow-responses-map
# custom:
#   id: NATS-ACC-004
#   severity: low
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Bound the responses (the defaults are one response within 2 minutes):
#
#         allow_responses: { max: 1, expires: "1m" }
deny contains f if {
	some [s, path, u, perms] in _app_perms
	r := perms.allow_responses
	is_object(r)
	some k in ["max", "expires"]
	v := lib.num(r[k])

	# server/opts.go parseAllowResponses: negative is unlimited, 0 the default.
	v < 0
	f := lib.finding(rego.metadata.rule(), s, sprintf("%s/permissions/allow_responses/%s", [path, k]), sprintf("%s: %s has allow_responses %s %v, which removes the limit on replies", [lib.server_label(s), authconf.user_label(u), k, v]))
}

# Account imports and exports -------------------------------------------------

_exports contains [s, name, i, e] if {
	some s in lib.configured_servers
	some name, a in object.get(s.config, "accounts", {})
	is_object(a)
	some i, e in object.get(a, "exports", [])
	is_object(e)
}

_imports contains [s, name, i, imp, kind, src] if {
	some s in lib.configured_servers
	some name, a in object.get(s.config, "accounts", {})
	is_object(a)
	some i, imp in object.get(a, "imports", [])
	is_object(imp)
	some kind in ["stream", "service"]
	src := imp[kind]
	is_object(src)
}

# An export names a stream or a service; a hostile entry naming both must not
# give the function two values (an evaluation error).
_export_kind(e) := "stream" if {
	is_string(e.stream)
} else := "service" if {
	is_string(e.service)
}

_export_path(name, i) := sprintf("config/accounts/%s/exports/%d", [authconf.escape_key(name), i])

_import_path(name, i) := sprintf("config/accounts/%s/imports/%d", [authconf.escape_key(name), i])

# METADATA
# title: Service export open to every account
# description: >-
#   A service export without an `accounts` list is public: every account
#   on the server (every tenant) can import it and send requests to the
#   service.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/accounts
# custom:
#   id: NATS-ACC-005
#   severity: medium
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Name the accounts that may import it:
#
#         exports: [ { service: "billing.charge", accounts: [SHOP] } ]
deny contains f if {
	some [s, name, i, e] in _exports
	_export_kind(e) == "service"
	count(object.get(e, "accounts", [])) == 0
	f := lib.finding(rego.metadata.rule(), s, _export_path(name, i), sprintf("%s: account %s exports service %s to every account (no accounts list)", [lib.server_label(s), name, e.service]))
}

# METADATA
# title: Export of every subject of an account
# description: >-
#   An account exports `>` (or a subject made of wildcards only, such as
#   `*.>`): all of its traffic (stream export) or every request subject
#   (service export) is available to the importing accounts, which defeats
#   the isolation accounts exist for.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/accounts
# custom:
#   id: NATS-ACC-006
#   severity: high
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Export only the subjects meant to be shared:
#
#         exports: [ { stream: "orders.public.>", accounts: [ANALYTICS] } ]
deny contains f if {
	some [s, name, i, e] in _exports
	kind := _export_kind(e)
	subj := e[kind]

	# Wildcards only: `*.wadm.api.>` (one API namespace per tenant id,
	# wasmCloud/wadm) shares a subtree, not every subject.
	regex.match(`^(\*\.)*(>|\*)$`, subj)
	f := lib.finding(rego.metadata.rule(), s, sprintf("%s/%s", [_export_path(name, i), kind]), sprintf("%s: account %s exports %s %s: every subject of the account is shared", [lib.server_label(s), name, kind, subj]))
}

# METADATA
# title: Account imports form a cycle
# description: >-
#   Accounts import from each other in a loop (A imports from B, B from A).
#   Messages and requests can circle between them; import loops crashed or
#   stalled servers before (CVE-2020-28466, CVE-2022-42709) and make the
#   flow of data between tenants hard to reason about.
# related_resources:
#   - ref: https://advisories.nats.io/CVE/CVE-2020-28466.txt
#   - ref: https://advisories.nats.io/CVE/CVE-2022-42709.txt
# custom:
#   id: NATS-ACC-007
#   severity: medium
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Make the import graph one-directional: move the shared subjects into
#     one account that the others import from, and remove the back edge.
deny contains f if {
	some s in lib.configured_servers
	g := _import_graph(s)
	some a, _ in g
	reach := graph.reachable(g, g[a])
	a in reach
	members := {b | some b in reach; a in graph.reachable(g, g[b])}
	a == min(members)
	f := lib.finding(rego.metadata.rule(), s, sprintf("config/accounts/%s/imports", [authconf.escape_key(a)]), sprintf("%s: the imports of accounts %s form a cycle", [lib.server_label(s), concat(", ", sort(members))]))
}

# _import_graph(s): account -> accounts it imports from, built from the
# server's own config (not from _imports, which spans every server: that made
# the graph quadratic in the number of servers).
_import_graph(s) := {a: {b |
	some imp in object.get(acc, "imports", [])
	is_object(imp)
	some kind in ["stream", "service"]
	b := imp[kind].account
	is_string(b)
	is_object(s.config.accounts[b])
} |
	some a, acc in object.get(s.config, "accounts", {})
	is_object(acc)
}

# METADATA
# title: Import of a subject no account exports
# description: >-
#   An account imports a stream or service from an account that is not
#   defined, or that does not export a subject covering the import (or
#   exports it only to other accounts). nats-server rejects such an
#   import, so the messages or requests it was meant to carry never arrive.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/accounts
# custom:
#   id: NATS-ACC-008
#   severity: medium
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Export the subject from the source account (to this account), or fix
#     the import's account name or subject:
#
#         ORDERS: { exports: [ { stream: "orders.>", accounts: [ANALYTICS] } ] }
#         ANALYTICS: { imports: [ { stream: { account: ORDERS, subject: "orders.>" } } ] }
deny contains f if {
	some [s, name, i, imp, kind, src] in _imports
	is_string(src.account)
	subj := src.subject
	is_string(subj)
	not _exported(s, src.account, kind, subj, name)
	f := lib.finding(rego.metadata.rule(), s, _import_path(name, i), sprintf("%s: account %s imports %s %s from %s, %s", [lib.server_label(s), name, kind, subj, src.account, _why_not(s, src.account)]))
}

_exported(s, from, kind, subj, importer) if {
	some e in object.get(s.config.accounts[from], "exports", [])
	is_object(e)
	_export_kind(e) == kind
	_covers(e[kind], subj)
	_export_allows(e, importer)
}

_export_allows(e, _) if count(object.get(e, "accounts", [])) == 0

_export_allows(e, importer) if importer in object.get(e, "accounts", [])

_why_not(s, from) := "which is not defined" if {
	not from in object.keys(s.config.accounts)
} else := "which does not export it to this account"

# METADATA
# title: Leafnode connection bound to the system account
# description: >-
#   A leafnode remote binds the local system account to the remote side, or
#   the leafnode listener puts connecting leafnodes into the system account.
#   Whoever controls the other side can then read server events and send
#   system requests (account updates, server shutdown in older versions);
#   without `$SYS.>` in deny_imports and deny_exports nothing limits it.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/leafnodes/leafnode_conf
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/sys_accounts
# custom:
#   id: NATS-ACC-009
#   severity: high
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Bind leafnodes to application accounts. If system events must cross
#     the link, use a dedicated remote and restrict it:
#
#         remotes: [ { url: "tls://hub:7422", account: SYS, credentials: "/etc/nats/sys-leaf.creds",
#                      deny_imports: ["$SYS.REQ.>"], deny_exports: ["$SYS.REQ.>"] } ]
deny contains f if {
	some h in _acc_009
	f := lib.finding_of(rego.metadata.rule(), h)
}

_acc_009 contains h if {
	some s in lib.configured_servers
	sys := authconf.system_account_name(s.config)
	some i, r in object.get(s.config, ["leafnodes", "remotes"], [])
	is_object(r)
	r.account == sys
	h := {
		"obj": s, "path": sprintf("config/leafnodes/remotes/%d/account", [i]),
		"sev": _sys_deny_sev(r),
		"msg": sprintf("%s: leafnode remote %d binds the system account %s to the remote side%s", [lib.server_label(s), i, sys, _sys_deny_note(r)]),
	}
}

_acc_009 contains h if {
	some s in lib.configured_servers
	sys := authconf.system_account_name(s.config)
	auth := s.config.leafnodes.authorization
	some [path, acc] in array.concat(
		[["config/leafnodes/authorization/account", object.get(auth, "account", "")]],
		[[sprintf("config/leafnodes/authorization/users/%d/account", [i]), u.account] | some i, u in object.get(auth, "users", []); is_object(u)],
	)
	acc == sys
	h := {"obj": s, "path": path, "msg": sprintf("%s: the leafnode listener puts connecting leafnodes into the system account %s", [lib.server_label(s), sys])}
}

_sys_deny_sev(r) := "medium" if {
	_denies_sys(r, "deny_imports")
	_denies_sys(r, "deny_exports")
} else := "high"

_sys_deny_note(r) := " (deny_imports/deny_exports restrict $SYS)" if {
	_sys_deny_sev(r) == "medium"
} else := " without $SYS.> in deny_imports and deny_exports"

_denies_sys(r, k) if {
	some d in object.get(r, k, [])
	is_string(d)
	_covers(d, "$SYS.REQ.x")
}

# METADATA
# title: Application user may subscribe to system events ($SYS)
# description: >-
#   An application user can subscribe to `$SYS` subjects: connection and
#   authentication events of every account, with user names, IP addresses
#   and client versions, leak to it.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/sys_accounts
# custom:
#   id: NATS-ACC-010
#   severity: medium
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Leave `$SYS` to system-account users; deny it where an application
#     needs broad subscriptions:
#
#         subscribe: { allow: ["orders.>"], deny: ["$SYS.>"] }
deny contains f if {
	some [s, path, u, perms] in _app_perms
	a := _grants(perms, "subscribe", "$SYS.ACCOUNT.x.CONNECT")
	f := lib.finding(rego.metadata.rule(), s, sprintf("%s/permissions/subscribe", [path]), sprintf("%s: %s may subscribe to %s and read server and connection events", [lib.server_label(s), authconf.user_label(u), a]))
}

# METADATA
# title: Subscribe deny rules that affected versions let clients bypass
# description: >-
#   On nats-server releases before 2.11.16, 2.12.7 and 2.14.0 two kinds of
#   subscribe deny rules can be bypassed: a deny inside what a wildcard
#   subscription may cover (allow `orders.>`, deny `orders.secret`: a
#   client subscribing to an overlapping wildcard received denied subjects,
#   GHSA-wh7g-5m82-pmhr), and plain deny rules combined with queue-specific
#   ones (`"orders.* workers"`: a queue subscription slipped past them,
#   GHSA-jx8g-9g95-6322). The user's permissions have that shape and the
#   server runs an affected version, so the deny does not protect what it
#   names.
# related_resources:
#   - ref: https://advisories.nats.io/CVE/secnote-2026-17.txt
#   - ref: https://advisories.nats.io/CVE/secnote-2026-18.txt
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/authorization
# custom:
#   id: NATS-ACC-011
#   severity: medium
#   category: security
#   facets: [config, deployment, live]
#   remediation: |-
#     Upgrade nats-server to 2.14.0, 2.12.7 or 2.11.16 or later. Until then
#     grant the user only what it may read instead of relying on deny, e.g.
#
#         subscribe: { allow: ["orders.public.>", "orders.status"] }
#
#     and avoid combining plain and queue-specific deny rules.
deny contains f if {
	some s in lib.configured_servers
	v := versions.server_semver(s)
	some [path, u, acc] in authconf.app_users(s.config)
	perms := _perms(s.config, u, acc)
	some id, why in _acc011_shapes(perms)
	a := versions.advisory(id)
	versions.affected_by(v, a)
	f := lib.finding(rego.metadata.rule(), s, sprintf("%s/permissions/subscribe/deny", [path]), sprintf("%s: %s %s, which nats-server %s lets clients bypass (%s; fixed in %s)", [
		lib.server_label(s), authconf.user_label(u), why, v, id, concat(", ", a.fixed),
	]))
}

# The subscribe deny entries: plain subjects, and queue-specific ones
# ("subject queue").
_sub_denies(perms) := [d | some d in object.get(perms, ["subscribe", "deny"], []); is_string(d)]

_acc011_shapes(perms) := {id: why |
	some id, why in {
		"GHSA-wh7g-5m82-pmhr": _acc011_overlap(perms),
		"GHSA-jx8g-9g95-6322": _acc011_queue(perms),
	}
	why != ""
}

# A plain deny that a wildcard the user may subscribe to overlaps without
# being inside it.
_acc011_overlap(perms) := sprintf("may subscribe to %s, a wildcard overlapping its deny %s", [w, d]) if {
	hits := {[w, d] |
		some d in _sub_denies(perms)
		not contains(d, " ")
		some w in _acc011_wildcards(perms)
		subjects.subjects_overlap(w, d)
		not _covers(d, w)
	}
	[w, d] := min(hits)
} else := ""

# Wildcard filters the user may subscribe to: its wildcard allow entries,
# or ">" when no allow list restricts it.
_acc011_wildcards(perms) := {">"} if {
	count(_allow(perms, "subscribe")) == 0
} else := {a |
	some a in _allow(perms, "subscribe")
	is_string(a)
	regex.match(`(^|\.)(\*|>)(\.|$)`, a)
}

_acc011_queue(perms) := sprintf("combines plain subscribe deny rules (%s) with queue-specific ones (%s)", [min(plain), min(queued)]) if {
	plain := {d | some d in _sub_denies(perms); not contains(d, " ")}
	queued := {d | some d in _sub_denies(perms); contains(d, " ")}
	count(plain) > 0
	count(queued) > 0
} else := ""

# METADATA
# title: Export no account imports
# description: >-
#   An account exports a stream or service that none of the accounts it is
#   exported to imports. The export serves nothing today but keeps the
#   subjects open to every account it names (every account, without an
#   `accounts` list): whoever controls one of them can add the import and
#   read the stream or call the service. Unused exports are also often
#   leftovers of a renamed subject, whose real import then fails.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/accounts
# custom:
#   id: NATS-ACC-012
#   severity: low
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Remove the export, or add the import where it was meant to be used:
#
#         ANALYTICS: { imports: [ { stream: { account: ORDERS, subject: "orders.public.>" } } ] }
deny contains f if {
	some [s, name, i, e] in _exports
	kind := _export_kind(e)
	subj := e[kind]
	is_string(subj)
	not _imported(s, name, kind, subj, e)
	f := lib.finding(rego.metadata.rule(), s, _export_path(name, i), sprintf("%s: account %s exports %s %s to %s, and none of them imports it", [
		lib.server_label(s), name, kind, subj, _export_audience(e),
	]))
}

_imported(s, from, kind, subj, e) if {
	some importer, a in object.get(s.config, "accounts", {})
	importer != from
	is_object(a)
	_export_allows(e, importer)
	some imp in object.get(a, "imports", [])
	is_object(imp)
	src := imp[kind]
	src.account == from
	is_string(src.subject)
	subjects.subjects_overlap(subj, src.subject)
}

_export_audience(e) := sprintf("%s", [concat(", ", sort([a | some a in e.accounts; is_string(a)]))]) if {
	count(object.get(e, "accounts", [])) > 0
} else := "every account"

# METADATA
# title: Application user reaches the system account through an import
# description: >-
#   The user's account imports a service or stream from the system account,
#   and the user may publish on the imported subject. Through a service
#   import it calls system services with the system account's reach:
#   server-wide CONNZ/VARZ/ACCOUNTZ of every account, and the control
#   requests (`$SYS.REQ.SERVER.<id>.KICK`, `LDM`, `RELOAD`: disconnect
#   clients, put the server in lame duck mode) when the imported subject
#   covers them (high). Through a
#   stream import of `$SYS` events it publishes forged connection and
#   server events to the account's subscribers, which take them for the
#   server's. Without such an import, `$SYS` publish permissions of an
#   application user reach only the requests nats-server imports into
#   every account, clamped to the user's own account (CONNZ, STATZ,
#   USER.INFO): not reported.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/sys_accounts
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/accounts
# custom:
#   id: NATS-ACC-013
#   severity: medium
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Give monitoring its own system-account user instead of importing
#     system subjects into application accounts; where an import is needed,
#     import only the read-only request and deny it to other users:
#
#         imports: [ { service: { account: SYS, subject: "$SYS.REQ.ACCOUNT.PING.CONNZ" } } ]
#         users: [ { user: billing, permissions: { publish: { allow: ["billing.>"], deny: ["$SYS.>"] } } } ]
deny contains f if {
	some h in _acc_013
	f := lib.finding_of(rego.metadata.rule(), h)
}

_acc_013 contains h if {
	some [s, path, u, perms] in _app_perms
	sys := authconf.system_account_name(s.config)
	acc := _account_of(u, _user_block(path))
	some [kind, remote, local] in _sys_imports(s.config, acc, sys)
	_grants_some(perms, local)
	h := object.union(
		{"obj": s, "path": sprintf("%s/permissions/publish", [path])},
		_acc013_what(lib.server_label(s), authconf.user_label(u), kind, remote, local, sys),
	)
}

# _user_block(path): the account whose users[] holds the user at path ("" for
# authorization.users), as app_users gives it.
_user_block(path) := "" if {
	startswith(path, "config/authorization/")
} else := replace(split(path, "/")[2], "~1", "/")

# _sys_imports(c, acc, sys): [kind, system subject, local subject] of the
# account's imports from the system account.
_sys_imports(c, acc, sys) := {[kind, src.subject, _import_local(imp, kind, src.subject)] |
	some imp in object.get(c, ["accounts", acc, "imports"], [])
	some kind in ["service", "stream"]
	src := imp[kind]
	src.account == sys
}

# The subject the importing account sees: a service import's `to`, a stream
# import's `prefix` (or its older `to`), else the exported subject.
_import_local(imp, "service", subj) := object.get(imp, "to", subj)

_import_local(imp, "stream", subj) := concat(".", [imp.prefix, subj]) if {
	imp.prefix != ""
} else := object.get(imp, "to", subj)

# The system requests that act on a server rather than describe it
# (nats-server events.go: clientKickReqSubj, clientLDMReqSubj,
# serverReloadReqSubj).
_sys_control_requests := ["$SYS.REQ.SERVER.*.KICK", "$SYS.REQ.SERVER.*.LDM", "$SYS.REQ.SERVER.*.RELOAD"]

_acc013_what(label, user, "service", remote, local, sys) := {"sev": "high", "msg": sprintf("%s: %s may publish to %s, imported as service %s from the system account %s, which covers server control requests (kick, lame duck, reload)", [label, user, local, remote, sys])} if {
	some ctl in _sys_control_requests
	subjects.subjects_overlap(remote, ctl)
} else := {"msg": sprintf("%s: %s may publish to %s, imported as service %s from the system account %s: it queries system services for every account", [label, user, local, remote, sys])}

_acc013_what(label, user, "stream", remote, local, sys) := {"msg": sprintf("%s: %s may publish to %s, where its account receives system events (stream %s from %s): it can forge them", [label, user, local, remote, sys])}

# METADATA
# title: Service responder cannot reply to importing accounts
# description: >-
#   An account exports a service that another account imports, and one of
#   its users subscribes to the service subject, but that user may neither
#   publish to the replies nor use allow_responses. Requests that come
#   through an import carry a reply subject the server creates in the
#   exporting account (`_R_.<id>.<id>`, not `_INBOX.`), so a publish
#   allow list without `_R_.>` refuses every answer: the importers'
#   requests time out while the responder logs permission violations.
#   allow_responses grants exactly the reply to each request received.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/authorization#allow-responses-map
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/accounts
# custom:
#   id: NATS-ACC-014
#   severity: medium
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Let the responder answer the requests it receives, and nothing else:
#
#         permissions: {
#           publish: ["billing.events.>"]
#           subscribe: ["billing.charge"]
#           allow_responses: { max: 1, expires: "1m" }
#         }
deny contains f if {
	some s in lib.configured_servers
	sys := authconf.system_account_name(s.config)
	some name, a in object.get(s.config, "accounts", {})
	name != sys
	some e in object.get(a, "exports", [])
	subj := e.service
	importers := _service_importers(s, name, subj, e)
	count(importers) > 0
	some j, u in object.get(a, "users", [])
	is_object(u)
	perms := _perms(s.config, u, name)
	_subscribes_on(perms, subj)
	not _answers(perms)
	f := lib.finding(rego.metadata.rule(), s, sprintf("config/accounts/%s/users/%d/permissions", [authconf.escape_key(name), j]), sprintf("%s: %s subscribes to %s, which account %s exports as a service to %s, but may not publish the replies (_R_.>) and has no allow_responses: their requests time out", [
		lib.server_label(s), authconf.user_label(u), subj, name, concat(", ", sort(importers)),
	]))
}

_service_importers(s, from, subj, e) := {importer |
	some importer, a in object.get(s.config, "accounts", {})
	importer != from
	_export_allows(e, importer)
	some imp in object.get(a, "imports", [])
	src := imp.service
	src.account == from
	subjects.subjects_overlap(subj, src.subject)
}

# _subscribes_on(perms, subj): an explicit subscribe allow entry (its
# subject, without a queue group) overlaps the service subject, which no deny
# takes back.
_subscribes_on(perms, subj) if {
	some a in _allow(perms, "subscribe")
	subjects.subjects_overlap(split(a, " ")[0], subj)
	not _denied(perms, "subscribe", subj)
}

# _answers(perms): the user can publish a reply to a request received through
# an import: allow_responses, or publish permissions that reach _R_.
_answers(perms) if {
	r := perms.allow_responses
	r != false
}

_answers(perms) if _may_publish(perms, "_R_.aBcDeFgH.x")

_may_publish(perms, subj) if natsaudit.perm_facts(perms, "publish", subj).may

_may_publish(perms, subj) if {
	natsaudit.perm_facts(perms, "publish", subj) == null
	_may_publish_rego(perms, subj)
}

_may_publish_rego(perms, subj) if {
	count(_allow(perms, "publish")) == 0
	not _denied(perms, "publish", subj)
}

_may_publish_rego(perms, subj) if {
	some a in _allow(perms, "publish")
	_covers(a, subj)
	not _denied(perms, "publish", subj)
}

# METADATA
# title: Leafnode remote with account-wide credentials
# description: >-
#   A leafnode remote authenticates with a .creds file of the repository
#   whose user JWT restricts neither what it publishes nor (low) what it
#   subscribes to: the leafnode may do everything its account may on the
#   hub, including the JetStream API and every other user's subjects.
#   Leafnodes run at the edge, where hosts are easier to take over; the
#   remote's deny_imports/deny_exports do not help, as they are enforced by
#   the leafnode itself. Users signed with a scoped signing key take the
#   scope's permissions: not reported when the account JWT in the
#   repository marks the signer as scoped, nor when the account JWT is not
#   in the repository.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/leafnodes/leafnode_conf
#   - ref: https://docs.nats.io/using-nats/nats-tools/nsc/basics#user-authorization
# custom:
#   id: NATS-ACC-015
#   severity: medium
#   category: security
#   facets: [config, deployment, files]
#   remediation: |-
#     Issue the leafnode its own user, allowed only the subjects that must
#     cross the link (or sign it with a scoped signing key):
#
#         nsc add user leaf-site1 --allow-pub "site1.>" --allow-sub "hub.site1.>,_INBOX.>"
#         nsc generate creds -n leaf-site1 > leaf-site1.creds
deny contains f if {
	some h in _acc_015
	f := lib.finding_of(rego.metadata.rule(), h)
}

_acc_015 contains h if {
	some s in lib.configured_servers
	some i, r in object.get(s.config, ["leafnodes", "remotes"], [])

	# The config source names it creds (nats-server's alias of credentials).
	p := r.creds
	file := _creds_file(s, p)
	some j in object.get(file, "jwts", [])
	j.kind == "user"
	not _scoped_or_unknown(j)
	open := [d | some [d, a, n] in [["publish", "pub_allow", "pub_deny"], ["subscribe", "sub_allow", "sub_deny"]]; count(object.get(j, a, [])) + count(object.get(j, n, [])) == 0]
	count(open) > 0
	h := object.union(
		{"obj": s, "path": sprintf("config/leafnodes/remotes/%d/creds", [i]), "msg": sprintf("%s: leafnode remote %d authenticates with %s (user JWT %q), which does not restrict what it may %s: the leafnode may do so on every subject of its account", [
			lib.server_label(s), i, file.path, j.name, concat(" or ", open),
		])},
		_acc015_sev(open),
	)
}

_acc015_sev(open) := {} if {
	"publish" in open
} else := {"sev": "low"}

# _creds_files: the .creds files of the repository, and by base name.
_creds_files := {f.path: f | some f in input.files; f.kind == "creds"}

_creds_by_base := natsaudit.group({[b, p] |
	some p, _ in _creds_files
	b := _base(p)
})

_base(p) := regex.replace(p, `^.*/`, "")

# _creds_file(s, p): the repository's .creds file a remote's credentials
# path names: relative to the config file's directory, through a bind mount
# of the server's deployment, else the only .creds file with that name.
_creds_file(s, p) := _creds_files[x] if {
	some x in _creds_paths(s, p)
} else := _creds_files[x] if {
	[x] := [y | some y in _creds_by_base[_base(p)]]
}

_creds_paths(s, p) := {_clean_path(concat("/", [_dir(s.config_file), p]))} if {
	not startswith(p, "/")
} else := {_clean_path(concat("/", [v.repo_path, substring(p, count(v.target), -1)])) |
	some v in object.get(s, ["deployment", "volumes"], [])
	v.repo_path != ""
	v.target != ""
	_under(p, v.target)
}

_under(p, t) if p == t

_under(p, t) if startswith(p, concat("", [trim_suffix(t, "/"), "/"]))

_dir(p) := regex.replace(p, `/?[^/]*$`, "")

# _clean_path drops "." and "" segments. ".." is kept, not resolved: no
# scanned file's path has such a segment, so nothing climbs out of the
# scanned tree (the base-name match decides).
_clean_path(p) := concat("/", [x | some x in split(p, "/"); not x in {"", "."}])

# _scoped_or_unknown(j): the user is signed by an account signing key that
# an account JWT of the repository marks as scoped, or whose account JWT the
# repository does not hold (its scope is unknown).
_scoped_or_unknown(j) if {
	j.issuer_account != ""
	not _account_jwt(j.issuer_account)
}

_scoped_or_unknown(j) if {
	some a in _account_jwts
	a.subject == j.issuer_account
	j.issuer in object.get(a, "scoped_signing_keys", [])
}

_account_jwts contains j if {
	some f in input.files
	some j in object.get(f, "jwts", [])
	j.kind == "account"
}

_account_jwts contains j if {
	some _, js in object.get(object.get(input, "facts", {}), "config_jwts", {})
	some j in js
	j.kind == "account"
}

_account_jwt(sub) if {
	some a in _account_jwts
	a.subject == sub
}
