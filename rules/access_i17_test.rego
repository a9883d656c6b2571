# Tests of NATS-ACC-013 and NATS-ACC-014 (issue 17, second round: system
# services reached through imports; service responders without
# allow_responses).
package natsaudit.rules.access_i17_test

import data.natsaudit.rules.access
import data.natsaudit.test.helpers
import data.natsaudit.test.security

findings(cfg) := fs if {
	fs := access.deny with input as {"servers": [security.server(cfg)], "streams": [], "consumers": [], "errors": [], "files": []}
}

by_id(cfg, id) := helpers.hits(findings(cfg), id)

perm(pub, sub) := {"publish": {"allow": pub, "deny": []}, "subscribe": {"allow": sub, "deny": []}}

# sysimp(imports, perms): account APP imports from SYS; its user billing has perms.
sysimp(imports, perms) := {"system_account": "SYS", "accounts": {
	"SYS": {"users": [{"user": "admin", "password": {"secret": true}}], "exports": [{"service": "$SYS.REQ.>"}, {"stream": "$SYS.ACCOUNT.>"}]},
	"APP": {"users": [{"user": "billing", "password": {"secret": true}, "permissions": perms}], "imports": imports},
}}

svc(subj) := {"service": {"account": "SYS", "subject": subj}}

# --- NATS-ACC-013 ---------------------------------------------------------

test_acc_013_fires_control_requests_high if {
	[f] := by_id(sysimp([svc("$SYS.REQ.SERVER.>")], perm(["billing.>", "$SYS.REQ.SERVER.>"], [])), "NATS-ACC-013")
	f.path == "config/accounts/APP/users/0/permissions/publish"
	f.severity == "high"
	f.msg == "server nats-1: user \"billing\" may publish to $SYS.REQ.SERVER.>, imported as service $SYS.REQ.SERVER.> from the system account SYS, which covers server control requests (kick, lame duck, reload)"
}

test_acc_013_fires_monitoring_request_medium if {
	[f] := by_id(sysimp([svc("$SYS.REQ.SERVER.PING.CONNZ")], perm(["$SYS.REQ.SERVER.PING.*"], [])), "NATS-ACC-013")
	helpers.sev(f) == "default"
	contains(f.msg, "queries system services for every account")
}

test_acc_013_fires_import_to_local_subject if {
	imp := object.union(svc("$SYS.REQ.SERVER.PING.VARZ"), {"to": "mon.varz"})
	[f] := by_id(sysimp([imp], perm(["mon.>"], [])), "NATS-ACC-013")
	contains(f.msg, "may publish to mon.varz, imported as service $SYS.REQ.SERVER.PING.VARZ")
}

test_acc_013_quiet_import_local_subject_not_granted if {
	# The import maps the service to mon.varz: publishing $SYS.> reaches
	# only the user's own account's subjects.
	imp := object.union(svc("$SYS.REQ.SERVER.PING.VARZ"), {"to": "mon.varz"})
	count(by_id(sysimp([imp], perm(["$SYS.REQ.>", "billing.>"], [])), "NATS-ACC-013")) == 0
}

test_acc_013_fires_forged_events_stream if {
	imp := {"stream": {"account": "SYS", "subject": "$SYS.ACCOUNT.*.CONNECT"}}
	[f] := by_id(sysimp([imp], perm(["$SYS.ACCOUNT.>"], [])), "NATS-ACC-013")
	helpers.sev(f) == "default"
	f.msg == "server nats-1: user \"billing\" may publish to $SYS.ACCOUNT.*.CONNECT, where its account receives system events (stream $SYS.ACCOUNT.*.CONNECT from SYS): it can forge them"
}

test_acc_013_fires_stream_prefix if {
	imp := {"stream": {"account": "SYS", "subject": "$SYS.ACCOUNT.>"}, "prefix": "sys"}
	[f] := by_id(sysimp([imp], perm(["sys.>"], [])), "NATS-ACC-013")
	contains(f.msg, "may publish to sys.$SYS.ACCOUNT.>")
}

test_acc_013_quiet_no_import if {
	# Without an import, $SYS requests reach only the CONNZ/STATZ/USER.INFO
	# imports nats-server adds to every account, clamped to it.
	count(by_id(sysimp([], perm(["$SYS.REQ.SERVER.PING", "$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE", "$SYS.ACCOUNT.>"], [])), "NATS-ACC-013")) == 0
}

test_acc_013_quiet_import_from_other_account if {
	imp := {"service": {"account": "OTHER", "subject": "$SYS.REQ.SERVER.>"}}
	count(by_id(sysimp([imp], perm(["$SYS.REQ.SERVER.>"], [])), "NATS-ACC-013")) == 0
}

test_acc_013_quiet_denied if {
	p := {"publish": {"allow": ["$SYS.REQ.SERVER.>"], "deny": ["$SYS.>"]}, "subscribe": {"allow": [], "deny": []}}
	count(by_id(sysimp([svc("$SYS.REQ.SERVER.>")], p), "NATS-ACC-013")) == 0
}

test_acc_013_quiet_open_user_is_auth_005 if {
	# Unrestricted users are NATS-AUTH-005's.
	count(by_id(sysimp([svc("$SYS.REQ.SERVER.>")], perm([">"], [])), "NATS-ACC-013")) == 0
}

test_acc_013_quiet_system_user if {
	cfg := {"system_account": "SYS", "accounts": {"SYS": {"users": [{"user": "admin", "permissions": perm(["$SYS.REQ.>"], [])}], "imports": [svc("$SYS.REQ.SERVER.>")]}}}
	count(by_id(cfg, "NATS-ACC-013")) == 0
}

test_acc_013_fires_authorization_user_bound_to_account if {
	cfg := {
		"system_account": "SYS",
		"authorization": {"users": [{"user": "mon", "password": {"secret": true}, "account": "APP", "permissions": perm(["$SYS.REQ.SERVER.PING.*"], [])}]},
		"accounts": {"SYS": {"users": []}, "APP": {"users": [], "imports": [svc("$SYS.REQ.SERVER.PING.*")]}},
	}
	[f] := by_id(cfg, "NATS-ACC-013")
	f.path == "config/authorization/users/0/permissions/publish"
}

test_acc_013_quiet_default_system_account_name if {
	# No system_account: $SYS is the system account, SYS is not.
	cfg := json.patch(sysimp([svc("$SYS.REQ.SERVER.>")], perm(["$SYS.REQ.SERVER.>"], [])), [{"op": "remove", "path": "/system_account"}])
	count(by_id(cfg, "NATS-ACC-013")) == 0
}

# --- NATS-ACC-014 ---------------------------------------------------------

# svcexp(perms, imports): ORDERS exports service orders.get; its user
# responder has perms; SHOP imports what imports says.
svcexp(perms, exp, imports) := {"accounts": {
	"ORDERS": {"users": [{"user": "responder", "password": {"secret": true}, "permissions": perms}], "exports": [exp]},
	"SHOP": {"users": [{"user": "shop", "password": {"secret": true}}], "imports": imports},
}}

get := {"service": "orders.get"}

imp_get := [{"service": {"account": "ORDERS", "subject": "orders.get"}}]

test_acc_014_fires_no_allow_responses if {
	[f] := by_id(svcexp(perm(["orders.events.>", "_INBOX.>"], ["orders.get"]), get, imp_get), "NATS-ACC-014")
	f.path == "config/accounts/ORDERS/users/0/permissions"
	f.msg == "server nats-1: user \"responder\" subscribes to orders.get, which account ORDERS exports as a service to SHOP, but may not publish the replies (_R_.>) and has no allow_responses: their requests time out"
}

test_acc_014_fires_queue_subscription_wildcard if {
	[_] := by_id(svcexp(perm(["orders.events.>"], ["orders.* workers"]), get, imp_get), "NATS-ACC-014")
}

test_acc_014_fires_publish_deny_only if {
	p := {"publish": {"allow": [], "deny": ["_R_.>"]}, "subscribe": {"allow": ["orders.get"], "deny": []}}
	[_] := by_id(svcexp(p, get, imp_get), "NATS-ACC-014")
}

test_acc_014_fires_allow_responses_false if {
	p := object.union(perm(["orders.events.>"], ["orders.get"]), {"allow_responses": false})
	[_] := by_id(svcexp(p, get, imp_get), "NATS-ACC-014")
}

test_acc_014_fires_default_permissions if {
	cfg := json.patch(svcexp(null, get, imp_get), [
		{"op": "remove", "path": "/accounts/ORDERS/users/0/permissions"},
		{"op": "add", "path": "/accounts/ORDERS/default_permissions", "value": perm(["orders.events.>"], ["orders.get"])},
	])
	[_] := by_id(cfg, "NATS-ACC-014")
}

test_acc_014_quiet_allow_responses if {
	p := object.union(perm(["orders.events.>"], ["orders.get"]), {"allow_responses": true})
	count(by_id(svcexp(p, get, imp_get), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_allow_responses_map if {
	p := object.union(perm(["orders.events.>"], ["orders.get"]), {"allow_responses": {"max": 1}})
	count(by_id(svcexp(p, get, imp_get), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_reply_prefix_allowed if {
	count(by_id(svcexp(perm(["orders.events.>", "_R_.>"], ["orders.get"]), get, imp_get), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_publish_unrestricted if {
	p := {"publish": {"allow": [], "deny": ["orders.admin.>"]}, "subscribe": {"allow": ["orders.get"], "deny": []}}
	count(by_id(svcexp(p, get, imp_get), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_not_imported if {
	# Nobody imports it: intra-account requests reply on _INBOX. (NATS-ACC-012
	# reports the unused export).
	count(by_id(svcexp(perm(["orders.events.>"], ["orders.get"]), get, []), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_imported_as_stream if {
	imp := [{"stream": {"account": "ORDERS", "subject": "orders.get"}}]
	count(by_id(svcexp(perm(["orders.events.>"], ["orders.get"]), get, imp), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_export_restricted_to_other_account if {
	exp := {"service": "orders.get", "accounts": ["BILLING"]}
	count(by_id(svcexp(perm(["orders.events.>"], ["orders.get"]), exp, imp_get), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_not_subscribed if {
	count(by_id(svcexp(perm(["orders.events.>"], ["orders.events.>"]), get, imp_get), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_subscription_denied if {
	p := {"publish": {"allow": ["orders.events.>"], "deny": []}, "subscribe": {"allow": ["orders.>"], "deny": ["orders.get"]}}
	count(by_id(svcexp(p, get, imp_get), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_system_account_export if {
	cfg := {"system_account": "ORDERS", "accounts": svcexp(perm(["orders.events.>"], ["orders.get"]), get, imp_get).accounts}
	count(by_id(cfg, "NATS-ACC-014")) == 0
}

test_acc_014_quiet_no_permissions if {
	cfg := json.patch(svcexp(null, get, imp_get), [{"op": "remove", "path": "/accounts/ORDERS/users/0/permissions"}])
	count(by_id(cfg, "NATS-ACC-014")) == 0
}

# --- NATS-ACC-015 ---------------------------------------------------------

leaf_findings(s, files, facts) := fs if {
	fs := access.deny with input as {"servers": [s], "streams": [], "consumers": [], "errors": [], "files": files, "facts": facts}
}

leaf_by_id(s, files, facts) := helpers.hits(leaf_findings(s, files, facts), "NATS-ACC-015")

# leaf(p): a leafnode server (config leaf/nats.conf) with one remote using p.
leaf(p) := object.union(security.server({"leafnodes": {"remotes": [{"url": "tls://hub:7422", "creds": p}]}}), {"config_file": "leaf/nats.conf"})

user_jwt(extra) := object.union({"kind": "user", "name": "leaf", "subject": "UL", "issuer": "AACC", "issuer_account": "", "expires_ns": 0}, extra)

creds(path, jwts) := {"ref": "files/0", "path": path, "kind": "creds", "jwts": jwts}

test_acc_015_fires_relative_to_config if {
	[f] := leaf_by_id(leaf("./creds/leaf.creds"), [creds("leaf/creds/leaf.creds", [user_jwt({})])], {})
	f.path == "config/leafnodes/remotes/0/creds"
	helpers.sev(f) == "default"
	f.msg == "server nats-1: leafnode remote 0 authenticates with leaf/creds/leaf.creds (user JWT \"leaf\"), which does not restrict what it may publish or subscribe: the leafnode may do so on every subject of its account"
}

test_acc_015_fires_bind_mount if {
	s := object.union(leaf("/etc/nats/creds/leaf.creds"), {"deployment": {"kind": "compose", "volumes": [
		{"type": "volume", "source": "data", "target": "/data"},
		{"type": "bind", "source": "./deploy/creds", "target": "/etc/nats/creds/", "repo_path": "deploy/creds"},
	]}})
	files := [creds("deploy/creds/leaf.creds", [user_jwt({})]), creds("other/leaf.creds", [user_jwt({"pub_allow": ["x"], "sub_allow": ["x"]})])]
	[f] := leaf_by_id(s, files, {})
	contains(f.msg, "authenticates with deploy/creds/leaf.creds")
}

test_acc_015_fires_bind_mount_of_the_file if {
	s := object.union(leaf("/run/secrets/leaf.creds"), {"deployment": {"kind": "compose", "volumes": [{"type": "bind", "target": "/run/secrets/leaf.creds", "repo_path": "secrets/hub.creds"}]}})
	[_] := leaf_by_id(s, [creds("secrets/hub.creds", [user_jwt({})])], {})
}

test_acc_015_fires_unique_base_name if {
	[f] := leaf_by_id(leaf("/etc/nats/leaf.creds"), [creds("k8s/secrets/leaf.creds", [user_jwt({})])], {})
	contains(f.msg, "k8s/secrets/leaf.creds")
}

test_acc_015_quiet_ambiguous_base_name if {
	files := [creds("a/leaf.creds", [user_jwt({})]), object.union(creds("b/leaf.creds", [user_jwt({})]), {"ref": "files/1"})]
	count(leaf_by_id(leaf("/etc/nats/leaf.creds"), files, {})) == 0
}

test_acc_015_quiet_parent_path_not_resolved if {
	# "a/../" is not resolved against the config's directory (nor dropped):
	# leaf/x/../hub.creds is not taken for leaf/hub.creds, and the base
	# name is ambiguous.
	files := [creds("leaf/hub.creds", [user_jwt({})]), object.union(creds("x/hub.creds", [user_jwt({})]), {"ref": "files/1"})]
	count(leaf_by_id(leaf("x/../hub.creds"), files, {})) == 0
}

test_acc_015_fires_subscribe_only_low if {
	[f] := leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [user_jwt({"pub_allow": ["site1.>"]})])], {})
	f.severity == "low"
	contains(f.msg, "may subscribe:")
}

test_acc_015_fires_publish_only_medium if {
	[f] := leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [user_jwt({"sub_deny": ["$SYS.>"]})])], {})
	helpers.sev(f) == "default"
	contains(f.msg, "may publish:")
}

test_acc_015_quiet_restricted if {
	j := user_jwt({"pub_allow": ["site1.>"], "sub_allow": ["hub.site1.>"]})
	count(leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [j])], {})) == 0
}

test_acc_015_quiet_deny_only_restricts if {
	j := user_jwt({"pub_deny": ["$JS.API.>"], "sub_deny": ["$SYS.>"]})
	count(leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [j])], {})) == 0
}

test_acc_015_quiet_no_matching_file if {
	count(leaf_by_id(leaf("leaf.creds"), [creds("leaf/other.creds", [user_jwt({})])], {})) == 0
}

test_acc_015_quiet_not_a_creds_file if {
	f := object.union(creds("leaf/leaf.creds", [user_jwt({})]), {"kind": "private_key"})
	count(leaf_by_id(leaf("leaf.creds"), [f], {})) == 0
}

test_acc_015_quiet_account_jwt_only if {
	count(leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [user_jwt({"kind": "account"})])], {})) == 0
}

test_acc_015_quiet_signing_key_account_unknown if {
	j := user_jwt({"issuer": "ASIGN", "issuer_account": "AACC"})
	count(leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [j])], {})) == 0
}

test_acc_015_quiet_scoped_signing_key if {
	j := user_jwt({"issuer": "ASIGN", "issuer_account": "AACC"})
	acc := {"ref": "files/1", "path": "jwt/acc.jwt", "kind": "jwt", "jwts": [{"kind": "account", "subject": "AACC", "scoped_signing_keys": ["ASIGN"]}]}
	count(leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [j]), acc], {})) == 0
}

test_acc_015_fires_unscoped_signing_key if {
	j := user_jwt({"issuer": "ASIGN", "issuer_account": "AACC"})
	acc := {"ref": "files/1", "path": "jwt/acc.jwt", "kind": "jwt", "jwts": [{"kind": "account", "subject": "AACC", "scoped_signing_keys": ["AOTHER"]}]}
	[_] := leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [j]), acc], {})
}

test_acc_015_fires_unscoped_signing_key_preloaded_account if {
	j := user_jwt({"issuer": "ASIGN", "issuer_account": "AACC"})
	facts := {"config_jwts": {"servers/0": [{"kind": "account", "subject": "AACC", "path": "config/resolver_preload/AACC"}]}}
	[_] := leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [j])], facts)
}

test_acc_015_quiet_scoped_preloaded_account if {
	j := user_jwt({"issuer": "ASIGN", "issuer_account": "AACC"})
	facts := {"config_jwts": {"servers/0": [{"kind": "account", "subject": "AACC", "scoped_signing_keys": ["ASIGN"]}]}}
	count(leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [j])], facts)) == 0
}

test_acc_015_quiet_no_credentials if {
	s := security.server({"leafnodes": {"remotes": [{"url": "tls://hub:7422"}, "junk"]}})
	count(leaf_by_id(s, [creds("leaf.creds", [user_jwt({})])], {})) == 0
}

# Two .creds files named hub.creds: the base name decides nothing, only the
# path resolution does.
ambiguous(path) := [creds(path, [user_jwt({})]), object.union(creds("zz/hub.creds", [user_jwt({"pub_allow": ["a"], "sub_allow": ["a"]})]), {"ref": "files/1"})]

mounted(p, vols) := object.union(leaf(p), {"deployment": {"kind": "compose", "volumes": vols}})

test_acc_015_quiet_mount_outside_tree if {
	# A bind mount from outside the scanned tree has no repo_path.
	s := mounted("/etc/nats/hub.creds", [{"type": "bind", "target": "/etc/nats", "repo_path": ""}])
	count(leaf_by_id(s, ambiguous("hub.creds"), {})) == 0
}

test_acc_015_quiet_mount_without_target if {
	s := mounted("/creds/hub.creds", [{"type": "bind", "target": "", "repo_path": "deploy"}])
	count(leaf_by_id(s, ambiguous("deploy/creds/hub.creds"), {})) == 0
}

test_acc_015_quiet_other_mount if {
	s := mounted("/etc/nats/hub.creds", [{"type": "bind", "target": "/data", "repo_path": "x"}])
	count(leaf_by_id(s, ambiguous("x/nats/hub.creds"), {})) == 0
}

test_acc_015_quiet_mount_prefix_of_a_name if {
	# /etc/nats is not a directory above /etc/natsx/hub.creds.
	s := mounted("/etc/natsx/hub.creds", [{"type": "bind", "target": "/etc/nats", "repo_path": "x"}])
	count(leaf_by_id(s, ambiguous("x/x/hub.creds"), {})) == 0
}

test_acc_015_fires_base_name_when_resolved_path_missing if {
	# leaf/creds/leaf.creds does not exist: the only leaf.creds is taken.
	[f] := leaf_by_id(leaf("./creds/leaf.creds"), [creds("secrets/leaf.creds", [user_jwt({})])], {})
	contains(f.msg, "secrets/leaf.creds")
}

test_acc_015_fires_scoped_in_another_account if {
	# Another account marks ASIGN as scoped; the user's own account does not.
	j := user_jwt({"issuer": "ASIGN", "issuer_account": "AACC"})
	accs := {"ref": "files/1", "path": "jwt/accs.jwt", "kind": "jwt", "jwts": [
		{"kind": "account", "subject": "AACC", "scoped_signing_keys": []},
		{"kind": "account", "subject": "AOTHER", "scoped_signing_keys": ["ASIGN"]},
	]}
	[_] := leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [j]), accs], {})
}

test_acc_015_quiet_only_another_account_known if {
	j := user_jwt({"issuer": "ASIGN", "issuer_account": "AACC"})
	accs := {"ref": "files/1", "path": "jwt/other.jwt", "kind": "jwt", "jwts": [{"kind": "account", "subject": "AOTHER"}]}
	count(leaf_by_id(leaf("leaf.creds"), [creds("leaf/leaf.creds", [j]), accs], {})) == 0
}

test_acc_014_quiet_self_import if {
	# ORDERS importing its own export is not an importing account.
	cfg := json.patch(svcexp(perm(["orders.events.>"], ["orders.get"]), get, []), [{"op": "add", "path": "/accounts/ORDERS/imports", "value": imp_get}])
	count(by_id(cfg, "NATS-ACC-014")) == 0
}

test_acc_014_quiet_import_from_other_account if {
	imp := [{"service": {"account": "BILLING", "subject": "orders.get"}}]
	count(by_id(svcexp(perm(["orders.events.>"], ["orders.get"]), get, imp), "NATS-ACC-014")) == 0
}

test_acc_014_quiet_other_service_imported if {
	imp := [{"service": {"account": "ORDERS", "subject": "orders.list"}}]
	exps := {"accounts": {"ORDERS": {"exports": [get, {"service": "orders.list"}]}}}
	count(by_id(object.union(svcexp(perm(["orders.events.>"], ["orders.get"]), get, imp), exps), "NATS-ACC-014")) == 0
}

test_acc_014_fires_reply_prefix_allowed_but_denied if {
	p := {"publish": {"allow": ["_R_.>"], "deny": ["_R_.>"]}, "subscribe": {"allow": ["orders.get"], "deny": []}}
	[_] := by_id(svcexp(p, get, imp_get), "NATS-ACC-014")
}

test_acc_014_quiet_user_not_an_object if {
	cfg := json.patch(svcexp(null, get, imp_get), [
		{"op": "replace", "path": "/accounts/ORDERS/users/0", "value": "junk"},
		{"op": "add", "path": "/accounts/ORDERS/default_permissions", "value": perm(["orders.events.>"], ["orders.get"])},
	])
	count(by_id(cfg, "NATS-ACC-014")) == 0
}

test_acc_013_stream_prefix_odd_values if {
	# An empty or non-string prefix is no prefix: the subject stays as exported.
	every pre in ["", 5] {
		imp := {"stream": {"account": "SYS", "subject": "$SYS.ACCOUNT.>"}, "prefix": pre}
		[f] := by_id(sysimp([imp], perm(["$SYS.ACCOUNT.>"], [])), "NATS-ACC-013")
		contains(f.msg, "may publish to $SYS.ACCOUNT.>, where")
	}
}
