package natsaudit.rules.access_test

import data.natsaudit.rules.access
import data.natsaudit.test.helpers
import data.natsaudit.test.security

findings(cfg) := fs if {
	fs := access.deny with input as {"servers": [security.server(cfg)], "streams": [], "consumers": [], "errors": []}
}

by_id(cfg, id) := helpers.hits(findings(cfg), id)

perm(pub, sub) := {"publish": {"allow": pub, "deny": []}, "subscribe": {"allow": sub, "deny": []}}

# app(perms): one application user in account APP, plus an admin in SYS.
app(perms) := {"system_account": "SYS", "accounts": {
	"SYS": {"users": [{"user": "admin", "password": {"secret": true}}]},
	"APP": {"users": [{"user": "billing", "password": {"secret": true}, "permissions": perms}]},
}}

# --- NATS-ACC-001 ---------------------------------------------------------

test_acc_001_fires_stream_api_wildcard if {
	[f] := by_id(app(perm(["billing.>", "$JS.API.STREAM.>"], ["billing.>"])), "NATS-ACC-001")
	f.path == "config/accounts/APP/users/0/permissions/publish"
	contains(f.msg, "delete and purge")
}

test_acc_001_fires_purge_only if {
	[f] := by_id(app(perm(["$JS.API.STREAM.PURGE.ORDERS"], [])), "NATS-ACC-001")
	contains(f.msg, "may purge")
}

test_acc_001_quiet_when_denied if {
	p := {"publish": {"allow": ["$JS.API.STREAM.>"], "deny": ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>"]}, "subscribe": {"allow": [], "deny": []}}
	count(by_id(app(p), "NATS-ACC-001")) == 0
}

test_acc_001_quiet_consumer_api_only if {
	count(by_id(app(perm(["$JS.API.CONSUMER.MSG.NEXT.ORDERS.worker", "$JS.ACK.ORDERS.>"], [])), "NATS-ACC-001")) == 0
}

test_acc_001_quiet_system_user if {
	cfg := {"system_account": "SYS", "accounts": {"SYS": {"users": [{"user": "admin", "permissions": perm(["$JS.API.STREAM.>"], [])}]}}}
	count(by_id(cfg, "NATS-ACC-001")) == 0
}

# --- NATS-ACC-002 ---------------------------------------------------------

# with_peer(perms, peer): app(perms) plus a second user of APP.
with_peer(perms, peer) := {"system_account": "SYS", "accounts": {
	"SYS": {"users": [{"user": "admin", "password": {"secret": true}}]},
	"APP": {"users": [
		{"user": "billing", "password": {"secret": true}, "permissions": perms},
		object.union({"user": "orders", "password": {"secret": true}}, peer),
	]},
}}

default_inbox_peer := {"permissions": perm(["orders.>"], ["orders.>", "_INBOX.>"])}

# billing_hits(cfg): the ACC-002 findings about billing (users/0), not its peer.
billing_hits(cfg) := [f | some f in by_id(cfg, "NATS-ACC-002"); f.path == "config/accounts/APP/users/0/permissions/subscribe"]

test_acc_002_fires_inbox_wildcard_subscribe if {
	# As sahool's application user: subscribe ["sahool.>", ..., "_INBOX.>"],
	# with another user of the account receiving replies on _INBOX.
	cfg := with_peer(perm(["sahool.>"], ["sahool.>", "_INBOX.>"]), default_inbox_peer)
	[f] := billing_hits(cfg)
	contains(f.msg, "may subscribe to _INBOX.>")

	# The peer, reading billing's replies the same way, is reported too.
	count(by_id(cfg, "NATS-ACC-002")) == 2
}

# ACC-002's fix: the user's own subscribe list with its own inbox prefix,
# after its clients set that prefix.
test_acc_002_fix_own_prefix_from_its_list if {
	cfg := with_peer(perm(["sahool.>"], ["sahool.>", "field.>", "_INBOX.>"]), default_inbox_peer)
	[f] := billing_hits(cfg)
	f.remediation == "Prerequisite: every client of user \"billing\" must first set its inbox prefix to `_INBOX_billing` (nats.go: `nats.CustomInboxPrefix(\"_INBOX_billing\")`; other clients have the same option), or its requests and JetStream calls get no replies once the permission is narrowed. Then replace `_INBOX.>` with `_INBOX_billing.>` in its subscribe allow list in nats.conf:\n\n    subscribe: { allow: [\"sahool.>\", \"field.>\", \"_INBOX_billing.>\"] }"
}

# A user name that is not a plain token gets no made-up prefix.
test_acc_002_fix_without_plain_user_name if {
	cfg := {"system_account": "SYS", "accounts": {
		"SYS": {"users": [{"user": "admin", "password": {"secret": true}}]},
		"APP": {"users": [
			{"user": "billing svc", "password": {"secret": true}, "permissions": perm([], ["_INBOX.>"])},
			{"user": "orders", "password": {"secret": true}},
		]},
	}}
	[f] := billing_hits(cfg)
	startswith(f.remediation, "Prerequisite: every client of user \"billing svc\" must first set an inbox prefix of its own")
	not contains(f.remediation, "_INBOX_billing")
}

test_acc_002_fires_when_the_peer_has_no_permissions if {
	# A peer without permissions may subscribe anywhere, _INBOX included.
	[f] := by_id(with_peer(perm([], ["_INBOX.>"]), {}), "NATS-ACC-002")
	f.path == "config/accounts/APP/users/0/permissions/subscribe"
}

test_acc_002_fires_when_the_peer_only_has_deny_rules if {
	peer := {"permissions": {"publish": {"allow": [], "deny": []}, "subscribe": {"allow": [], "deny": ["$SYS.>"]}}}
	count(by_id(with_peer(perm([], ["_INBOX.>"]), peer), "NATS-ACC-002")) == 1
}

test_acc_002_fires_on_default_permissions if {
	# Both users get the defaults: each may read the other's replies.
	cfg := {"authorization": {"default_permissions": perm([], ["_INBOX.>"]), "users": [
		{"user": "a", "password": {"secret": true}},
		{"user": "b", "password": {"secret": true}},
	]}}
	fs := by_id(cfg, "NATS-ACC-002")
	{f.path | some f in fs} == {"config/authorization/users/0/permissions/subscribe", "config/authorization/users/1/permissions/subscribe"}
}

test_acc_002_fires_once_for_two_covering_entries if {
	# Two allow entries reach _INBOX.x.y: one finding, no evaluation error.
	[f] := billing_hits(with_peer(perm([], ["_INBOX.>", "_INBOX.*.*"]), default_inbox_peer))
	contains(f.msg, "_INBOX.*.*")
}

test_acc_002_quiet_alone_in_its_account if {
	# Nobody else's replies arrive in APP (the admin is in SYS).
	count(by_id(app(perm(["sahool.>"], ["sahool.>", "_INBOX.>"])), "NATS-ACC-002")) == 0
}

test_acc_002_quiet_when_peers_use_their_own_prefix if {
	peer := {"permissions": perm(["orders.>"], ["orders.>", "_INBOX_orders.>"])}
	count(by_id(with_peer(perm([], ["_INBOX.>"]), peer), "NATS-ACC-002")) == 0
}

test_acc_002_quiet_when_the_peer_is_denied_the_inbox if {
	peer := {"permissions": {"publish": {"allow": [], "deny": []}, "subscribe": {"allow": [], "deny": ["_INBOX.>"]}}}
	count(by_id(with_peer(perm([], ["_INBOX.>"]), peer), "NATS-ACC-002")) == 0
}

test_acc_002_quiet_peer_in_another_account if {
	cfg := {"system_account": "SYS", "accounts": {
		"SYS": {"users": [{"user": "admin", "password": {"secret": true}}]},
		"APP": {"users": [{"user": "billing", "password": {"secret": true}, "permissions": perm([], ["_INBOX.>"])}]},
		"OTHER": {"users": [{"user": "orders", "password": {"secret": true}}]},
	}}
	count(by_id(cfg, "NATS-ACC-002")) == 0
}

test_acc_002_authorization_users_grouped_by_account if {
	# authorization.users may name an account: a peer counts only in its own.
	base := {"accounts": {"A": {}, "B": {}}, "authorization": {"users": [
		{"user": "a", "password": {"secret": true}, "account": "A", "permissions": perm([], ["_INBOX.>"])},
		{"user": "b", "password": {"secret": true}, "account": "B"},
	]}}
	count(by_id(base, "NATS-ACC-002")) == 0
	same := json.patch(base, [{"op": "replace", "path": "/authorization/users/1/account", "value": "A"}])
	count(by_id(same, "NATS-ACC-002")) == 1
}

test_acc_002_quiet_for_a_jetstream_admin if {
	# Admin tooling (nats CLI) needs _INBOX.> along with the whole JS API.
	count(billing_hits(with_peer(perm(["$JS.API.>"], ["_INBOX.>"]), default_inbox_peer))) == 0
}

test_acc_006_fires_once_for_export_naming_stream_and_service if {
	count(by_id(accounts({"exports": [{"stream": ">", "service": ">", "accounts": ["B"]}]}, {}), "NATS-ACC-006")) == 1
}

test_acc_002_quiet_private_inbox_prefix if {
	count(billing_hits(with_peer(perm(["billing.>"], ["billing.>", "_INBOX_billing.>"]), default_inbox_peer))) == 0
}

# --- NATS-ACC-003 ---------------------------------------------------------

# ACC-003's fix: the user's publish list without the inbox grant, plus
# allow_responses; a user whose only publish grant is the inbox gets the
# sentence without a list.
test_acc_003_fix_list_without_inbox if {
	[f] := by_id(app(perm(["sahool.>", "_INBOX.>", "field.>"], ["sahool.>"])), "NATS-ACC-003")
	startswith(f.remediation, "Remove `_INBOX.>` from the publish allow list of user \"billing\" in nats.conf and add allow_responses, which lets it answer the requests it receives and nothing else:\n\n    publish: { allow: [\"sahool.>\", \"field.>\"] }\n    allow_responses: true\n\n")
	contains(f.remediation, "e.g. `allow_responses: { max: 10, expires: \"5m\" }`")
}

test_acc_003_fix_inbox_only if {
	[f] := by_id(app(perm(["_INBOX.>"], [])), "NATS-ACC-003")
	f.remediation == "Remove `_INBOX.>` from the publish allow list of user \"billing\" in nats.conf and add `allow_responses: true`, which lets it answer the requests it receives and nothing else. A responder that sends several replies per request, or replies later than 2 minutes, needs a larger bound instead (e.g. `allow_responses: { max: 10, expires: \"5m\" }`)."
}

# ACC-003's fix lists only the string entries of a hostile publish list (a
# number is no subject), and names the server's config when it has no file.
test_acc_003_fix_drops_non_string_entries_and_names_config if {
	s := object.remove(security.server(app(perm(["sahool.>", 7, "_INBOX.>"], ["sahool.>"]))), ["config_file"])
	fs := access.deny with input as {"servers": [s], "streams": [], "consumers": [], "errors": []}
	[f] := helpers.hits(fs, "NATS-ACC-003")
	startswith(f.remediation, "Remove `_INBOX.>` from the publish allow list of user \"billing\" in the server's config and add allow_responses, which lets it answer the requests it receives and nothing else:\n\n    publish: { allow: [\"sahool.>\"] }\n")
}

# ACC-002's fix keeps only the string entries of the subscribe list.
test_acc_002_fix_drops_non_string_entries if {
	cfg := with_peer(perm(["sahool.>"], ["sahool.>", 7, "_INBOX.>"]), default_inbox_peer)
	[f] := billing_hits(cfg)
	endswith(f.remediation, "subscribe: { allow: [\"sahool.>\", \"_INBOX_billing.>\"] }")
}

test_acc_003_fires_inbox_publish if {
	[f] := by_id(app(perm(["sahool.>", "_INBOX.>"], ["sahool.>"])), "NATS-ACC-003")
	contains(f.msg, "forge replies")
}

test_acc_003_quiet_allow_responses if {
	p := object.union(perm(["sahool.>"], ["sahool.requests"]), {"allow_responses": {"max": 1}})
	count(by_id(app(p), "NATS-ACC-003")) == 0
}

# --- NATS-ACC-004 ---------------------------------------------------------

test_acc_004_fires_unlimited_max if {
	p := object.union(perm(["a.>"], ["a.>"]), {"allow_responses": {"max": -1}})
	[f] := by_id(app(p), "NATS-ACC-004")
	f.path == "config/accounts/APP/users/0/permissions/allow_responses/max"
}

test_acc_004_fires_unlimited_expiry if {
	p := object.union(perm(["a.>"], ["a.>"]), {"allow_responses": {"max": 1, "expires": -1000000000}})
	[f] := by_id(app(p), "NATS-ACC-004")
	f.path == "config/accounts/APP/users/0/permissions/allow_responses/expires"
}

test_acc_004_quiet_zero_is_the_default if {
	# nats-server reads 0 as the default (1 response within 2 minutes).
	p := object.union(perm(["a.>"], ["a.>"]), {"allow_responses": {"max": 0, "expires": 0}})
	count(by_id(app(p), "NATS-ACC-004")) == 0
}

test_acc_004_quiet_bounded if {
	p := object.union(perm(["a.>"], ["a.>"]), {"allow_responses": {"max": 1, "expires": 60000000000}})
	count(by_id(app(p), "NATS-ACC-004")) == 0
}

test_acc_004_quiet_true if {
	p := object.union(perm(["a.>"], ["a.>"]), {"allow_responses": true})
	count(by_id(app(p), "NATS-ACC-004")) == 0
}

# --- Accounts with imports and exports --------------------------------------

accounts(a, b) := {"accounts": {
	"A": object.union({"users": [{"user": "a", "password": {"secret": true}}]}, a),
	"B": object.union({"users": [{"user": "b", "password": {"secret": true}}]}, b),
}}

# --- NATS-ACC-005 ---------------------------------------------------------

test_acc_005_fires_public_service_export if {
	[f] := by_id(accounts({"exports": [{"service": "billing.charge"}]}, {}), "NATS-ACC-005")
	f.path == "config/accounts/A/exports/0"
}

test_acc_005_quiet_restricted_service_export if {
	count(by_id(accounts({"exports": [{"service": "billing.charge", "accounts": ["B"]}]}, {}), "NATS-ACC-005")) == 0
}

test_acc_005_quiet_public_stream_export if {
	count(by_id(accounts({"exports": [{"stream": "public.news"}]}, {}), "NATS-ACC-005")) == 0
}

# --- NATS-ACC-006 ---------------------------------------------------------

test_acc_006_fires_stream_export_of_everything if {
	[f] := by_id(accounts({"exports": [{"stream": ">", "accounts": ["B"]}]}, {}), "NATS-ACC-006")
	f.path == "config/accounts/A/exports/0/stream"
}

test_acc_006_fires_wildcards_only_service if {
	count(by_id(accounts({"exports": [{"service": "*.>", "accounts": ["B"]}]}, {}), "NATS-ACC-006")) == 1
	count(by_id(accounts({"exports": [{"stream": "*.*", "accounts": ["B"]}]}, {}), "NATS-ACC-006")) == 1
}

# wasmCloud/wadm@589e98b38605545ae1bec335789ae6e25c5b78b6 tests/nats/nats-test.conf:
# WADM exports service *.wadm.api.> to A and B, one API namespace per
# lattice id; it was reported as "every subject of the account is shared".
test_acc_006_quiet_wildcard_prefixed_subtree if {
	count(by_id(accounts({"exports": [{"service": "*.wadm.api.>", "accounts": ["B"]}]}, {}), "NATS-ACC-006")) == 0
	count(by_id(accounts({"exports": [{"service": "*.requests", "accounts": ["B"]}]}, {}), "NATS-ACC-006")) == 0
}

test_acc_006_quiet_prefixed_export if {
	count(by_id(accounts({"exports": [{"stream": "orders.>", "accounts": ["B"]}]}, {}), "NATS-ACC-006")) == 0
}

# --- NATS-ACC-007 ---------------------------------------------------------

test_acc_007_fires_two_account_cycle if {
	a := {"exports": [{"service": "a.svc", "accounts": ["B"]}], "imports": [{"service": {"account": "B", "subject": "b.svc"}}]}
	b := {"exports": [{"service": "b.svc", "accounts": ["A"]}], "imports": [{"service": {"account": "A", "subject": "a.svc"}}]}
	[f] := by_id(accounts(a, b), "NATS-ACC-007")
	contains(f.msg, "accounts A, B form a cycle")
}

test_acc_007_quiet_one_direction if {
	a := {"exports": [{"service": "a.svc", "accounts": ["B"]}]}
	b := {"imports": [{"service": {"account": "A", "subject": "a.svc"}}]}
	count(by_id(accounts(a, b), "NATS-ACC-007")) == 0
}

# --- NATS-ACC-008 ---------------------------------------------------------

test_acc_008_fires_import_not_exported if {
	b := {"imports": [{"stream": {"account": "A", "subject": "orders.>"}}]}
	[f] := by_id(accounts({"exports": [{"stream": "orders.eu.>"}]}, b), "NATS-ACC-008")
	f.path == "config/accounts/B/imports/0"
	contains(f.msg, "does not export it")
}

test_acc_008_fires_unknown_account if {
	b := {"imports": [{"service": {"account": "C", "subject": "c.svc"}}]}
	[f] := by_id(accounts({}, b), "NATS-ACC-008")
	contains(f.msg, "not defined")
}

test_acc_008_fires_export_to_other_accounts_only if {
	b := {"imports": [{"stream": {"account": "A", "subject": "orders.>"}}]}
	count(by_id(accounts({"exports": [{"stream": "orders.>", "accounts": ["C"]}]}, b), "NATS-ACC-008")) == 1
}

test_acc_008_quiet_covered_import if {
	b := {"imports": [{"stream": {"account": "A", "subject": "orders.eu.*"}}]}
	count(by_id(accounts({"exports": [{"stream": "orders.>", "accounts": ["B"]}]}, b), "NATS-ACC-008")) == 0
}

# --- NATS-ACC-009 ---------------------------------------------------------

test_acc_009_fires_remote_bound_to_system_account if {
	cfg := object.union(app(perm([], [])), {"leafnodes": {"remotes": [{"urls": ["tls://hub:7422"], "account": "SYS", "creds": "/etc/nats/sys.creds"}]}})
	[f] := by_id(cfg, "NATS-ACC-009")
	helpers.sev(f) == "high"
	f.path == "config/leafnodes/remotes/0/account"
}

test_acc_009_fires_medium_with_sys_denies if {
	r := {"urls": ["tls://hub:7422"], "account": "SYS", "deny_imports": ["$SYS.REQ.>"], "deny_exports": ["$SYS.>"]}
	[f] := by_id(object.union(app(perm([], [])), {"leafnodes": {"remotes": [r]}}), "NATS-ACC-009")
	helpers.sev(f) == "medium"
}

test_acc_009_fires_listener_into_system_account if {
	cfg := object.union(app(perm([], [])), {"leafnodes": {"port": 7422, "authorization": {"users": [{"user": "edge", "account": "SYS"}]}}})
	[f] := by_id(cfg, "NATS-ACC-009")
	f.path == "config/leafnodes/authorization/users/0/account"
}

test_acc_009_quiet_remote_bound_to_app_account if {
	cfg := object.union(app(perm([], [])), {"leafnodes": {"remotes": [{"urls": ["tls://hub:7422"], "account": "APP"}]}})
	count(by_id(cfg, "NATS-ACC-009")) == 0
}

# --- NATS-ACC-010 ---------------------------------------------------------

test_acc_010_fires_sys_subscribe if {
	[f] := by_id(app(perm([], ["orders.>", "$SYS.>"])), "NATS-ACC-010")
	contains(f.msg, "$SYS.>")
}

test_acc_010_quiet_denied if {
	p := {"publish": {"allow": [], "deny": []}, "subscribe": {"allow": ["$SYS.>"], "deny": ["$SYS.ACCOUNT.>"]}}
	count(by_id(app(p), "NATS-ACC-010")) == 0
}

test_acc_010_quiet_system_user if {
	cfg := {"system_account": "SYS", "accounts": {"SYS": {"users": [{"user": "admin", "permissions": perm([], ["$SYS.>"])}]}}}
	count(by_id(cfg, "NATS-ACC-010")) == 0
}

# ------------------------------------------- conditions, one by one (issue 20)

test_subject_cover_table if {
	# _covers(filter, subject) as nats-server matches subjects (the cases of
	# internal/subject's tests): token counts, * and > in either position.
	cases := [
		["a.b", "a.b", true],
		["a.b", "a.b.c", false],
		["a.*", "a.b", true],
		["a.*", "a.>", false],
		["a.*", "a.b.c", false],
		["a.>", "a.b.c", true],
		["a.>", "a", false],
		["a.>", "b.c", false],
		["a.b.>", "a.b.c", true],
		["a.b.>", "a.c.d", false],
		["a.b", "a.*", false],
		["*.>", "a.b", true],
		[">", "a", true],
	]
	bad := [c | some c in cases; c[2] != _cover(c[0], c[1])]
	bad == []
}

_cover(f, s) if {
	access._covers(f, s)
} else := false

test_perms_of_a_user if {
	# Its own permissions; else its account's defaults; else, only without
	# an account, the authorization block's defaults.
	own := {"publish": {"allow": ["a"]}}
	acc_def := {"publish": {"allow": ["acc"]}}
	auth_def := {"publish": {"allow": ["auth"]}}
	c := {"authorization": {"default_permissions": auth_def}, "accounts": {"APP": {"default_permissions": acc_def}, "BAD": {"default_permissions": "all"}}}
	access._perms(c, {"permissions": own}, "APP") == own
	access._perms(c, {"permissions": "admin"}, "APP") == acc_def
	access._perms(c, {}, "") == auth_def
	not access._perms(c, {}, "BAD")
	not access._perms({"accounts": {"APP": {}}, "authorization": {"default_permissions": auth_def}}, {}, "APP")
}

test_grants_and_denies if {
	perms := {"publish": {"allow": [">", "orders.*", 5, "orders.new"], "deny": ["orders.secret", 7]}}
	access._grants(perms, "publish", "orders.new") == "orders.*"
	not access._grants(perms, "publish", "orders.secret")
	not access._grants(perms, "publish", "billing.x")
	access._denied(perms, "publish", "orders.secret")
	not access._denied(perms, "publish", "orders.new")
}

# --- NATS-ACC-011 ---------------------------------------------------------

# versioned(cfg, v): the app config on a server whose image runs version v.
versioned(cfg, v) := {"servers": [object.union(security.server(cfg), {"version": {"value": v, "series": "2.10", "semver": v, "source": "image_tag", "raw": v}})], "streams": [], "consumers": [], "errors": []}

acc011(cfg, v) := [f | some f in access.deny with input as versioned(cfg, v); f.rule_id == "NATS-ACC-011"]

sub_perm(allow, deny) := {"publish": {"allow": ["billing.>"], "deny": []}, "subscribe": {"allow": allow, "deny": deny}}

test_acc_011_fires_wildcard_overlapping_deny if {
	[f] := acc011(app(sub_perm(["orders.>"], ["orders.secret"])), "2.10.24")
	f.path == "config/accounts/APP/users/0/permissions/subscribe/deny"
	f.msg == "server nats-1: user \"billing\" may subscribe to orders.>, a wildcard overlapping its deny orders.secret, which nats-server 2.10.24 lets clients bypass (GHSA-wh7g-5m82-pmhr; fixed in 2.11.16, 2.12.7, 2.14.0)"
}

test_acc_011_fires_deny_without_allow_list if {
	[f] := acc011(app(sub_perm([], ["$SYS.>"])), "2.12.6")
	contains(f.msg, "may subscribe to >, a wildcard overlapping its deny $SYS.>")
}

test_acc_011_fires_plain_and_queue_denies if {
	fs := acc011(app(sub_perm(["orders.status"], ["orders.secret", "orders.* workers"])), "2.11.15")
	[f] := [f | some f in fs; contains(f.msg, "GHSA-jx8g-9g95-6322")]
	contains(f.msg, "combines plain subscribe deny rules (orders.secret) with queue-specific ones (orders.* workers)")
}

test_acc_011_quiet_on_fixed_version if {
	count(acc011(app(sub_perm(["orders.>"], ["orders.secret", "orders.* workers"])), "2.12.7")) == 0
}

test_acc_011_quiet_without_version if {
	count(by_id(app(sub_perm(["orders.>"], ["orders.secret"])), "NATS-ACC-011")) == 0
}

test_acc_011_quiet_literal_allows_and_disjoint_deny if {
	# The deny is outside every allowed wildcard, or the allows are literal.
	count(acc011(app(sub_perm(["orders.status", "billing.>"], ["orders.secret"])), "2.10.24")) == 0
}

test_acc_011_quiet_deny_covering_the_wildcard if {
	# Denying the whole wildcard leaves nothing to bypass into.
	count(acc011(app(sub_perm(["orders.*"], ["orders.>"])), "2.10.24")) == 0
}

# --- NATS-ACC-012 ---------------------------------------------------------

exporter(exports, imports) := {"accounts": {
	"ORDERS": {"users": [{"user": "o", "password": {"secret": true}}], "exports": exports},
	"ANALYTICS": {"users": [{"user": "a", "password": {"secret": true}}], "imports": imports},
}}

test_acc_012_fires_export_nobody_imports if {
	[f] := by_id(exporter([{"stream": "orders.public.>", "accounts": ["ANALYTICS"]}], []), "NATS-ACC-012")
	f.path == "config/accounts/ORDERS/exports/0"
	f.msg == "server nats-1: account ORDERS exports stream orders.public.> to ANALYTICS, and none of them imports it"
}

test_acc_012_fires_public_service_imported_as_stream if {
	[f] := by_id(exporter([{"service": "orders.get"}], [{"stream": {"account": "ORDERS", "subject": "orders.get"}}]), "NATS-ACC-012")
	contains(f.msg, "exports service orders.get to every account")
}

test_acc_012_fires_import_by_account_not_listed if {
	cfg := object.union(exporter([{"stream": "orders.>", "accounts": ["BILLING"]}], [{"stream": {"account": "ORDERS", "subject": "orders.>"}}]), {"accounts": {"BILLING": {"users": []}}})
	[f] := by_id(cfg, "NATS-ACC-012")
	contains(f.msg, "to BILLING, and none")
}

test_acc_012_quiet_imported_narrower_subject if {
	count(by_id(exporter([{"stream": "orders.>", "accounts": ["ANALYTICS"]}], [{"stream": {"account": "ORDERS", "subject": "orders.public.>"}}]), "NATS-ACC-012")) == 0
}

test_acc_011_quiet_queue_only_denies if {
	# Queue-specific denies alone: neither advisory's shape (the wildcard
	# check looks at plain subjects only).
	count(acc011(app(sub_perm(["orders.>"], ["orders.secret workers"])), "2.10.24")) == 0
}

test_acc_011_quiet_plain_denies_only_for_queue_advisory if {
	fs := acc011(app(sub_perm(["orders.status"], ["orders.secret", "billing.x"])), "2.10.24")
	count([f | some f in fs; contains(f.msg, "GHSA-jx8g-9g95-6322")]) == 0
}

test_acc_012_fires_with_response_type if {
	# response_type is another string field of the export: one finding, for
	# the service.
	[f] := by_id(exporter([{"service": "orders.get", "response_type": "Singleton", "accounts": ["ANALYTICS"]}], []), "NATS-ACC-012")
	contains(f.msg, "exports service orders.get to ANALYTICS")
}

test_acc_012_fires_self_import_only if {
	cfg := {"accounts": {"ORDERS": {"users": [], "exports": [{"stream": "orders.>"}], "imports": [{"stream": {"account": "ORDERS", "subject": "orders.>"}}]}}}
	[_] := by_id(cfg, "NATS-ACC-012")
}

test_acc_012_fires_import_from_another_account if {
	cfg := object.union(exporter([{"stream": "orders.>", "accounts": ["ANALYTICS"]}], [{"stream": {"account": "BILLING", "subject": "orders.>"}}]), {"accounts": {"BILLING": {"users": [], "exports": [{"stream": "orders.>"}]}}})
	fs := by_id(cfg, "NATS-ACC-012")
	some f in fs
	f.path == "config/accounts/ORDERS/exports/0"
}

test_acc_012_fires_import_of_other_subject if {
	[_] := by_id(exporter([{"stream": "orders.public.>", "accounts": ["ANALYTICS"]}], [{"stream": {"account": "ORDERS", "subject": "orders.private.>"}}]), "NATS-ACC-012")
}

# --- conditions, one by one (issue 20), round 2 ----------------------------

# JetStream administration ($JS.API.>) is NATS-AUTH-005's finding, not this one.
test_acc_001_quiet_js_api_admin if {
	count(by_id(app(perm(["$JS.API.>"], [])), "NATS-ACC-001")) == 0
}

# `>` grants everything: reported by the broad-permission rules, not here.
test_acc_001_quiet_full_wildcard if {
	count(by_id(app(perm([">"], [])), "NATS-ACC-001")) == 0
}

# The one grant that could delete is itself denied.
test_acc_001_quiet_allow_entry_denied_literally if {
	p := {"publish": {"allow": ["$JS.API.STREAM.DELETE.ORDERS"], "deny": ["$JS.API.STREAM.DELETE.ORDERS"]}, "subscribe": {"allow": [], "deny": []}}
	count(by_id(app(p), "NATS-ACC-001")) == 0
}

sys_remote(extra) := object.union(app(perm([], [])), {"leafnodes": {"remotes": [object.union({"urls": ["tls://hub:7422"], "account": "SYS"}, extra)]}})

test_acc_009_high_with_deny_imports_only if {
	[f] := by_id(sys_remote({"deny_imports": ["$SYS.>"]}), "NATS-ACC-009")
	helpers.sev(f) == "high"
	contains(f.msg, "without $SYS.> in deny_imports and deny_exports")
}

test_acc_009_high_with_deny_exports_only if {
	[f] := by_id(sys_remote({"deny_exports": ["$SYS.>"]}), "NATS-ACC-009")
	helpers.sev(f) == "high"
}

test_acc_009_medium_note_names_the_denies if {
	[f] := by_id(sys_remote({"deny_imports": ["$SYS.>"], "deny_exports": ["$SYS.>"]}), "NATS-ACC-009")
	contains(f.msg, "(deny_imports/deny_exports restrict $SYS)")
}

test_acc_009_high_when_denies_miss_sys if {
	[f] := by_id(sys_remote({"deny_imports": ["orders.>"], "deny_exports": ["orders.>"]}), "NATS-ACC-009")
	helpers.sev(f) == "high"
}

# A peer that allows _INBOX.> but denies it again receives no replies there:
# nothing of someone else's to read.
test_acc_002_quiet_peer_denies_its_inbox if {
	peer := {"permissions": {"publish": {"allow": [], "deny": []}, "subscribe": {"allow": ["_INBOX.>"], "deny": ["_INBOX.>"]}}}
	count(by_id(with_peer(perm([], ["_INBOX.>"]), peer), "NATS-ACC-002")) == 0
}

acc_cycle := {
	"A": {"exports": [{"service": "a.svc", "accounts": ["B"]}], "imports": [{"service": {"account": "B", "subject": "b.svc"}}]},
	"B": {"exports": [{"service": "b.svc", "accounts": ["A"]}], "imports": [{"service": {"account": "A", "subject": "a.svc"}}]},
}

# The cycle is reported once, on its smallest account.
test_acc_007_reported_on_smallest_account if {
	[f] := by_id(accounts(acc_cycle.A, acc_cycle.B), "NATS-ACC-007")
	f.path == "config/accounts/A/imports"
}

# An account the cycle imports from, but which imports nothing back, is not
# a member of it.
test_acc_007_members_exclude_accounts_outside_the_cycle if {
	b := object.union(acc_cycle.B, {"imports": [{"service": {"account": "A", "subject": "a.svc"}}, {"service": {"account": "C", "subject": "c.svc"}}]})
	cfg := object.union(accounts(acc_cycle.A, b), {"accounts": {"C": {"users": [{"user": "c", "password": {"secret": true}}], "exports": [{"service": "c.svc", "accounts": ["B"]}]}}})
	[f] := by_id(cfg, "NATS-ACC-007")
	contains(f.msg, "accounts A, B form a cycle")
}

test_acc_008_quiet_account_not_a_string if {
	b := {"imports": [{"stream": {"account": 5, "subject": "orders.>"}}]}
	count(by_id(accounts({}, b), "NATS-ACC-008")) == 0
}

test_acc_008_quiet_subject_not_a_string if {
	b := {"imports": [{"stream": {"account": "A", "subject": 5}}]}
	count(by_id(accounts({"exports": [{"stream": "orders.>"}]}, b), "NATS-ACC-008")) == 0
}

# An export naming both keys is a stream export (_export_kind): importing
# it as a service is not covered.
test_acc_008_fires_service_import_of_stream_export if {
	b := {"imports": [{"service": {"account": "A", "subject": "orders.get"}}]}
	count(by_id(accounts({"exports": [{"stream": "orders.>", "service": "orders.>"}]}, b), "NATS-ACC-008")) == 1
}

# Malformed default_permissions (not an object) restrict nobody: a user
# without permissions of its own still receives replies on _INBOX., so a
# user who may read _INBOX.> has a peer to read from.
test_acc_002_default_permissions_not_an_object_restrict_nobody if {
	cfg := {"authorization": {"default_permissions": "restricted", "users": [
		{"user": "a", "password": {"secret": true}, "permissions": perm([], ["_INBOX.>"])},
		{"user": "b", "password": {"secret": true}},
	]}}
	[f] := by_id(cfg, "NATS-ACC-002")
	f.path == "config/authorization/users/0/permissions/subscribe"
}

test_acc_005_quiet_service_not_a_string if {
	count(by_id(accounts({"exports": [{"service": 5}]}, {}), "NATS-ACC-005")) == 0
}
