package natsaudit.rules.auth_test

import data.natsaudit.rules.auth
import data.natsaudit.test.helpers
import data.natsaudit.test.security as fx

findings(doc) := {f | some f in auth.deny with input as doc}

hits(doc, id) := helpers.hits(findings(doc), id)

fires(doc, id) if helpers.fires(findings(doc), id)

one(doc, id) := helpers.one(findings(doc), id)

# replace(obj, key, value) sets a key without merging nested objects.
replace(obj, key, value) := object.union(object.remove(obj, [key]), {key: value})

open_config := {"port": 4222, "server_name": "nats-1", "jetstream": {"enabled": true, "store_dir": "/data"}}

app_user(name, perms) := {"user": name, "password": fx.bcrypt, "permissions": perms}

perm(allow, deny) := {"allow": allow, "deny": deny}

scoped := {"publish": perm(["orders.>"], []), "subscribe": perm(["orders.>", "_INBOX.>"], [])}

with_users(list) := replace(fx.good_config, "authorization", {"users": list})

sys_accounts(sys_users, app_users) := object.union(object.remove(fx.good_config, ["authorization"]), {
	"system_account": "SYS",
	"accounts": {"SYS": {"users": sys_users}, "APP": {"users": app_users}},
})

# ---------------------------------------------------------------- NATS-AUTH-001
# AUTH-001's fix: every client is anonymous today, so the users come after
# the clients have credentials; the NATS URL variables without
# user:password are named, those with it are not, nor other URLs.
test_auth_001_fix_prerequisite_names_anonymous_clients if {
	env := {"ref": "env_files/0", "file": "app.env", "vars": {
		"NATS_URL": {"name": "NATS_URL", "line": 1, "facts": {"secret": false}},
		"ADMIN_NATS_URL": {"name": "ADMIN_NATS_URL", "line": 2, "facts": {"secret": true, "url_credentials": true, "nats_url": true}},
		"DATABASE_URL": {"name": "DATABASE_URL", "line": 3, "facts": {"secret": false}},
	}}
	f := one(object.union(fx.input_with(fx.server(open_config)), {"env_files": [env]}), "NATS-AUTH-001")
	f.remediation == "Prerequisite: every client connects to server nats-1 without credentials today, and once users are defined a client without them is refused (authorization violation). First give each client its own user (an nkey, or a .creds file in operator mode) and configure it in the client (NATS_URL in app.env carry no credentials in the URL). Then define those users in nats.conf: a client still without credentials is cut off by that change."
}

test_auth_001_fix_live if {
	f := one(fx.input_with(fx.live_server(fx.varz({}))), "NATS-AUTH-001")
	startswith(f.remediation, "Prerequisite: every client connects to server nats-live without credentials today")
	contains(f.remediation, "Then define those users in the server's config:")
}

# A finding about certificates from any CA keeps the rule's fix.
test_auth_001_fix_not_for_any_ca if {
	c := object.union(open_config, {"tls": object.union(object.remove(fx.tls_block, ["ca_file"]), {"verify": true})})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-001")
	not f.remediation
}

test_auth_001_fires_without_any_auth if {
	f := one(fx.input_with(fx.server(open_config)), "NATS-AUTH-001")
	f.severity == "critical" # bound to 0.0.0.0, no compose narrowing it
	f.path == "config/authorization"
}

test_auth_001_fires_high_when_published_on_loopback_only if {
	s := fx.compose_server(open_config, [fx.port("127.0.0.1", 4222)])
	f := one(fx.input_with(s), "NATS-AUTH-001")
	not f.severity
}

test_auth_001_fires_critical_when_compose_publishes_it if {
	s := fx.compose_server(open_config, [fx.port("", 4222)])
	f := one(fx.input_with(s), "NATS-AUTH-001")
	f.severity == "critical"
	contains(f.msg, "published on all host interfaces by docker-compose.yml")
}

test_auth_001_fires_critical_when_client_port_published_twice if {
	f := one(fx.input_with(fx.published_twice(open_config, 4222)), "NATS-AUTH-001")
	f.severity == "critical"
}

test_auth_001_quiet_with_single_token if {
	# compose `--auth` lands in authorization.token
	c := object.union(open_config, {"authorization": {"token": fx.strong}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-001")
}

test_auth_001_quiet_with_account_users if {
	not fires(fx.input_with(fx.server(sys_accounts([app_user("admin", null)], [app_user("app", scoped)]))), "NATS-AUTH-001")
}

test_auth_001_quiet_in_operator_mode if {
	c := object.union(open_config, {"operator": "/etc/nats/operator.jwt", "resolver": {"type": "full", "dir": "/data/jwt"}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-001")
}

test_auth_001_fires_low_on_loopback if {
	# nats-server's own test configs: `listen: 127.0.0.1:-1`, no users.
	c := object.union(open_config, {"host": "127.0.0.1", "port": -1})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-001")
	f.severity == "low"
	contains(f.msg, "bound to 127.0.0.1, so only processes on this host can connect")
}

test_auth_001_fires_high_on_a_private_address if {
	# listen.conf: `listen: 10.0.1.22:4422` is not loopback.
	c := object.union(open_config, {"host": "10.0.1.22", "port": 4422})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-001")
	not f.severity
}

mtls := {"cert_file": "/certs/server.pem", "key_file": "/certs/server-key.pem", "ca_file": "/certs/ca.pem", "verify": true}

test_auth_001_quiet_with_mutual_tls if {
	# tlsverify.conf: no users, but only clients with a certificate from
	# ca_file complete the handshake.
	not fires(fx.input_with(fx.server(object.union(open_config, {"tls": mtls}))), "NATS-AUTH-001")
}

test_auth_001_quiet_with_verify_and_map if {
	t := object.union(object.remove(mtls, ["verify"]), {"verify_and_map": true})
	not fires(fx.input_with(fx.server(object.union(open_config, {"tls": t}))), "NATS-AUTH-001")
}

test_auth_001_fires_with_mutual_tls_and_allow_non_tls if {
	# Plaintext clients skip the certificate check altogether.
	c := object.union(open_config, {"tls": mtls, "allow_non_tls": true})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-001")
	f.path == "config/authorization"
}

test_auth_001_fires_for_verify_without_ca_file if {
	# tlsverify_noca.conf: client certificates are checked against the
	# host's trusted CAs.
	c := object.union(open_config, {"tls": object.remove(mtls, ["ca_file"])})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-001")
	f.path == "config/tls"
	not f.severity
	contains(f.msg, "without tls.ca_file")
}

test_auth_001_quiet_live_with_mutual_tls if {
	not fires(fx.input_with(fx.live_server(fx.varz({"tls_required": true, "tls_verify": true}))), "NATS-AUTH-001")
}

test_auth_001_fires_live_with_optional_mutual_tls if {
	fires(fx.input_with(fx.live_server(fx.varz({"tls_verify": true}))), "NATS-AUTH-001")
}

test_auth_001_fires_low_live_on_loopback if {
	f := one(fx.input_with(fx.live_server(fx.varz({"host": "127.0.0.1"}))), "NATS-AUTH-001")
	f.severity == "low"
}

test_auth_001_fires_live_without_auth_required if {
	f := one(fx.input_with(fx.live_server(fx.varz({}))), "NATS-AUTH-001")
	f.path == "live/varz/auth_required"
}

test_auth_001_quiet_live_with_auth_required if {
	not fires(fx.input_with(fx.live_server(fx.varz({"auth_required": true}))), "NATS-AUTH-001")
}

test_auth_001_fires_when_live_drops_config_auth if {
	s := object.union(fx.server(fx.good_config), {"live": {"endpoint": "http://n1:8222", "varz": fx.varz({"tls_required": true})}})
	f := one(fx.input_with(s), "NATS-AUTH-001")
	contains(f.msg, "does not require it")
}

# The config authenticates clients, the running server does not: its
# clients already have credentials, so no "define users first" fix.
test_auth_001_fix_not_when_config_has_auth if {
	s := object.union(fx.server(fx.good_config), {"live": {"endpoint": "http://n1:8222", "varz": fx.varz({"tls_required": true})}})
	f := one(fx.input_with(s), "NATS-AUTH-001")
	f.path == "live/varz/auth_required"
	not f.remediation
}

# ---------------------------------------------------------------- NATS-AUTH-002

test_auth_002_fires_for_no_auth_user if {
	c := object.union(with_users([app_user("app", null)]), {"no_auth_user": "app"})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-002")
	f.path == "config/no_auth_user"
	not f.severity
}

test_auth_002_fires_medium_for_restricted_user if {
	c := object.union(with_users([app_user("anon", {"publish": perm([], [">"]), "subscribe": perm(["public.>"], [])})]), {"no_auth_user": "anon"})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-002")
	f.severity == "medium"
}

test_auth_002_fires_for_websocket_no_auth_user if {
	c := object.union(fx.good_config, {"websocket": {"port": 443, "tls": fx.tls_block, "no_auth_user": "web"}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-002")
	f.path == "config/websocket/no_auth_user"
}

# AUTH-002's fix names the user, the block and file it is removed from, and
# says who is refused once it is gone.
test_auth_002_fix_prerequisite_names_user if {
	c := object.union(with_users([app_user("app", null)]), {"no_auth_user": "app"})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-002")
	f.remediation == "Prerequisite: clients that present no credentials are logged in as user \"app\" today, and removing no_auth_user refuses them (authorization violation). First give each of them a user of its own and configure it in the client. Then remove `no_auth_user: app` from nats.conf. To keep anonymous access instead, give \"app\" only what anonymous clients may do, e.g. `permissions: { publish: { deny: \">\" } }` plus the subjects they must read."
}

test_auth_002_fix_websocket_block if {
	c := object.union(fx.good_config, {"websocket": {"port": 443, "tls": fx.tls_block, "no_auth_user": "web"}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-002")
	contains(f.remediation, "Then remove `no_auth_user: web` from the websocket block of nats.conf.")
}

test_auth_002_fix_live_websocket if {
	v := fx.varz({"auth_required": true, "websocket": {"host": "0.0.0.0", "port": 443, "no_auth_user": "web"}})
	f := one(fx.input_with(fx.live_server(v)), "NATS-AUTH-002")
	contains(f.remediation, "Then remove `no_auth_user: web` from the websocket block of the server's config.")
}

test_auth_002_quiet_without_no_auth_user if {
	not fires(fx.input_with(fx.server(object.union(fx.good_config, {"no_auth_user": ""}))), "NATS-AUTH-002")
}

test_auth_002_fires_live_websocket if {
	v := fx.varz({"auth_required": true, "websocket": {"host": "0.0.0.0", "port": 443, "no_auth_user": "web"}})
	fires(fx.input_with(fx.live_server(v)), "NATS-AUTH-002")
}

# ---------------------------------------------------------------- NATS-AUTH-003

test_auth_003_fires_for_sys_only_accounts if {
	c := object.union(open_config, {"system_account": "SYS", "accounts": {"SYS": {"users": [app_user("admin", null)]}}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-003")
	f.path == "config/accounts"
	not f.severity
}

test_auth_003_fires_for_default_sys_name if {
	c := object.union(open_config, {"accounts": {"$SYS": {"users": [app_user("admin", null)]}}})
	fires(fx.input_with(fx.server(c)), "NATS-AUTH-003")
}

test_auth_003_quiet_with_second_account if {
	not fires(fx.input_with(fx.server(sys_accounts([app_user("admin", null)], []))), "NATS-AUTH-003")
}

test_auth_003_quiet_with_authorization_block_on_fixed_version if {
	c := object.union(open_config, {
		"system_account": "SYS",
		"accounts": {"SYS": {"users": [app_user("admin", null)]}},
		"authorization": {"users": [app_user("app", scoped)]},
	})
	not fires(fx.input_with(fx.compose_server(c, [])), "NATS-AUTH-003")
}

test_auth_003_fires_critical_on_cve_2023_47090_version if {
	c := object.union(open_config, {
		"system_account": "SYS",
		"accounts": {"SYS": {"users": [app_user("admin", null)]}},
		"authorization": {"users": [app_user("app", scoped)]},
	})
	s := object.union(fx.compose_server(c, []), {"version": fx.version("2.10.1", "2.10.1")})
	f := one(fx.input_with(s), "NATS-AUTH-003")
	f.severity == "critical"
	contains(f.msg, "CVE-2023-47090")
}

test_auth_003_quiet_on_cve_2023_47090_version_with_second_account if {
	# The CVE needs accounts{} to hold only the system account.
	c := object.union(sys_accounts([app_user("admin", null)], [app_user("app", scoped)]), {"authorization": {"users": [app_user("app2", scoped)]}})
	s := object.union(fx.compose_server(c, []), {"version": fx.version("2.10.1", "2.10.1")})
	not fires(fx.input_with(s), "NATS-AUTH-003")
}

test_auth_003_fires_once_on_cve_2023_47090_version_without_authorization if {
	# No authorization block: the implicit-no-auth finding, not the CVE one too.
	c := object.union(open_config, {"system_account": "SYS", "accounts": {"SYS": {"users": [app_user("admin", null)]}}})
	s := object.union(fx.compose_server(c, []), {"version": fx.version("2.10.1", "2.10.1")})
	f := one(fx.input_with(s), "NATS-AUTH-003")
	not f.severity
	not contains(f.msg, "CVE-2023-47090")
}

test_auth_003_fires_live_implicit_user if {
	connz := {"connections": [{"cid": 9, "kind": "Client", "authorized_user": "nats-a8Kd03Lp", "account": "$G"}]}
	f := one(fx.input_with(fx.live_server_with(fx.varz({"auth_required": true}), {"connz": connz})), "NATS-AUTH-003")
	contains(f.msg, "nats-a8Kd03Lp")
}

test_auth_003_quiet_live_named_users if {
	connz := {"connections": [{"cid": 9, "authorized_user": "nats-billing", "account": "APP"}]}
	not fires(fx.input_with(fx.live_server_with(fx.varz({"auth_required": true}), {"connz": connz})), "NATS-AUTH-003")
}

# ---------------------------------------------------------------- NATS-AUTH-004

test_auth_004_fires_for_single_user_password if {
	c := object.union(open_config, {"authorization": {"user": "app", "password": fx.strong}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-004")
	f.path == "config/authorization/user"
}

test_auth_004_fires_for_token if {
	c := object.union(open_config, {"authorization": {"token": fx.strong}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-004")
	contains(f.msg, "shared token")
}

test_auth_004_quiet_with_user_list if {
	not fires(fx.input_with(fx.server(with_users([app_user("a", scoped), app_user("b", scoped)]))), "NATS-AUTH-004")
}

test_auth_004_quiet_with_user_and_user_list if {
	# A single user next to a users list is not the one credential of all.
	c := object.union(open_config, {"authorization": {"user": "app", "password": fx.strong, "users": [app_user("a", scoped)]}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-004")
}

test_auth_004_fires_live_single_user if {
	connz := {"connections": [
		{"cid": 1, "authorized_user": "app", "account": "$G"},
		{"cid": 2, "authorized_user": "app", "account": "$G"},
		{"cid": 3, "authorized_user": "app", "account": "$G"},
	]}
	fires(fx.input_with(fx.live_server_with(fx.varz({"auth_required": true}), {"connz": connz})), "NATS-AUTH-004")
}

test_auth_004_quiet_live_distinct_users if {
	connz := {"connections": [
		{"cid": 1, "authorized_user": "billing"},
		{"cid": 2, "authorized_user": "orders"},
		{"cid": 3, "authorized_user": "billing"},
	]}
	not fires(fx.input_with(fx.live_server_with(fx.varz({"auth_required": true}), {"connz": connz})), "NATS-AUTH-004")
}

# ---------------------------------------------------------------- NATS-AUTH-005

test_auth_005_fires_for_admin_with_everything if {
	c := with_users([app_user("nats_admin", {"publish": perm([">"], []), "subscribe": perm([">"], [])}), app_user("app", scoped)])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-005")
	f.path == "config/authorization/users/0/permissions"
	contains(f.msg, "user \"nats_admin\" can publish and subscribe to every subject")
	not f.severity
}

test_auth_005_fires_without_permissions if {
	c := with_users([{"user": "legacy", "password": fx.bcrypt}])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-005")
	contains(f.msg, "(no permissions block)")
}

test_auth_005_fires_when_publish_is_unspecified if {
	# Only subscribe is restricted: publishing is then allowed everywhere.
	c := with_users([app_user("app", {"subscribe": perm(["app.>"], [])})])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-005")
	contains(f.msg, "can publish to every subject")
}

test_auth_005_fires_low_for_read_everything if {
	c := with_users([app_user("monitor", {"publish": perm([], [">"]), "subscribe": perm([">"], [])})])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-005")
	f.severity == "low"
}

test_auth_005_fires_for_jetstream_admin_subjects if {
	c := with_users([app_user("app", {"publish": perm(["orders.>", "$JS.API.>"], []), "subscribe": perm(["orders.>"], [])})])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-005")
	f.path == "config/authorization/users/0/permissions/publish"
}

test_auth_005_quiet_with_scoped_permissions if {
	not fires(fx.input_with(fx.server(with_users([app_user("app", scoped)]))), "NATS-AUTH-005")
}

test_auth_005_quiet_with_default_permissions if {
	c := replace(fx.good_config, "authorization", {
		"default_permissions": scoped,
		"users": [{"user": "app", "password": fx.bcrypt}],
	})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-005")
}

test_auth_005_quiet_with_authorization_defaults_for_bound_user if {
	# A user of authorization.users bound to account APP still gets the
	# authorization block's default permissions.
	c := replace(fx.good_config, "authorization", {
		"default_permissions": scoped,
		"users": [{"user": "app", "password": fx.bcrypt, "account": "APP"}],
	})
	not fires(fx.input_with(fx.server(object.union(c, {"accounts": {"APP": {}}}))), "NATS-AUTH-005")
}

test_auth_005_quiet_with_deny_next_to_full_allow if {
	c := with_users([app_user("ops", {"publish": perm([">"], ["$SYS.>", "$JS.API.>"]), "subscribe": perm([">"], ["$SYS.>"])})])
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-005")
}

test_auth_005_quiet_for_system_account_users if {
	c := sys_accounts([{"user": "admin", "password": fx.bcrypt}], [app_user("app", scoped)])
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-005")
}

test_auth_005_quiet_for_responses_only_service if {
	# authorization.conf's svca: publish_allow_responses without a publish
	# list means the user may only reply to the requests it received.
	c := with_users([app_user("svca", {"subscribe": perm(["my.service.req"], []), "allow_responses": true})])
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-005")
}

test_auth_005_quiet_for_limited_responses if {
	# svcb: allow_responses: {max: 10, expires: "1m"}
	c := with_users([app_user("svcb", {"subscribe": perm(["my.service.req"], []), "allow_responses": {"max": 10, "expires": "1m"}})])
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-005")
}

test_auth_005_fires_when_responses_allowed_next_to_full_publish if {
	c := with_users([app_user("svc", {"publish": perm([">"], []), "subscribe": perm(["my.service.req"], []), "allow_responses": true})])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-005")
	contains(f.msg, "can publish to every subject")
}

test_auth_005_fires_when_allow_responses_is_false if {
	c := with_users([app_user("svc", {"subscribe": perm(["my.service.req"], []), "allow_responses": false})])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-005")
	contains(f.msg, "can publish to every subject")
}

# ---------------------------------------------------------------- NATS-AUTH-006

test_auth_006_fires_for_many_system_users if {
	c := sys_accounts([{"user": "a", "password": fx.strong}, {"nkey": "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"}, {"user": "billing", "password": fx.strong}], [app_user("app", scoped)])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-006")
	f.path == "config/accounts/SYS/users"
}

test_auth_006_fires_for_shared_password if {
	c := sys_accounts([{"user": "admin", "password": fx.strong}], [{"user": "app", "password": fx.strong, "permissions": scoped}])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-006")
	f.path == "config/accounts/SYS/users/0/password"
}

test_auth_006_quiet_with_two_admins_and_distinct_passwords if {
	other := fx.secret({"digest": "77aa77aa77aa77aa"})
	c := sys_accounts([{"user": "admin", "password": fx.strong}, {"user": "ops", "password": fx.bcrypt}], [{"user": "app", "password": other, "permissions": scoped}])
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-006")
}

test_auth_006_fires_live_many_system_users if {
	connz := {"connections": [
		{"cid": 1, "authorized_user": "admin", "account": "SYS"},
		{"cid": 2, "authorized_user": "billing", "account": "SYS"},
		{"cid": 3, "authorized_user": "orders", "account": "SYS"},
	]}
	fires(fx.input_with(fx.live_server_with(fx.varz({"auth_required": true, "system_account": "SYS"}), {"connz": connz})), "NATS-AUTH-006")
}

# ---------------------------------------------------------------- NATS-AUTH-007

test_auth_007_fires_without_system_account_users if {
	f := one(fx.input_with(fx.server(fx.good_config)), "NATS-AUTH-007")
	contains(f.msg, "\"$SYS\"")
}

test_auth_007_fires_when_disabled if {
	c := object.union(sys_accounts([app_user("admin", null)], []), {"no_system_account": true})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-007")
	f.path == "config/no_system_account"
}

test_auth_007_fires_when_sys_account_has_no_users if {
	c := sys_accounts([], [app_user("app", scoped)])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-007")
	f.path == "config/system_account"
}

test_auth_007_quiet_with_admin_user if {
	not fires(fx.input_with(fx.server(sys_accounts([app_user("admin", null)], [app_user("app", scoped)]))), "NATS-AUTH-007")
}

callout_config := object.union(object.remove(fx.good_config, ["authorization"]), {
	"system_account": "SYS",
	"accounts": {"AUTH": {"users": [{"user": "auth", "password": fx.bcrypt}]}, "SVC": {}, "SYS": {}},
	"authorization": {"auth_callout": {"issuer": "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA", "auth_users": ["auth"], "account": "AUTH"}},
})

test_auth_007_quiet_with_auth_callout if {
	# FP-AUTH-CALLOUT (fluffy-bunny/nats-centralized-auth-callout-examples,
	# airtai/fastagency-studio): the callout may issue users into SYS, so
	# "no user can log into the system account" is not known.
	not fires(fx.input_with(fx.server(callout_config)), "NATS-AUTH-007")
}

test_auth_007_fires_with_auth_callout_when_disabled if {
	c := object.union(callout_config, {"no_system_account": true})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-007")
	f.path == "config/no_system_account"
}

test_auth_007_quiet_when_no_system_account_is_unknown if {
	# no_system_account: $NO_SYS (unresolved): not known to be off, and not
	# known to be on either: the "no user" case does not claim anything.
	c := object.union(sys_accounts([], [app_user("app", scoped)]), {"no_system_account": "$NO_SYS"})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-007")
}

test_auth_007_quiet_in_operator_mode if {
	c := object.union(open_config, {"operator": "/etc/nats/op.jwt", "system_account": "AAQRT3GOPU6QCLW3PDKDFNVHXGNZGGBMNQ3X7NNNTO4ALPDDDY3WR7PC"})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-007")
}

# ---------------------------------------------------------------- NATS-AUTH-008

test_auth_008_fires_for_unused_account if {
	c := object.union(sys_accounts([app_user("admin", null)], [app_user("app", scoped)]), {"accounts": {"LEGACY": {}}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-008")
	f.path == "config/accounts/LEGACY"
}

test_auth_008_fires_for_account_only_named_by_an_export if {
	# accounts.conf's cncf: exports list it, but no client can log into it.
	c := object.union(sys_accounts([app_user("admin", null)], [app_user("app", scoped)]), {"accounts": {
		"CNCF": {"nkey": "ABDAYEV6KZVLW3GSJ3V7IWC542676TFYILXF2C7Z56LCPSMVHJE5BVYO"},
		"APP": {"users": [app_user("app", scoped)], "exports": [{"stream": "public.>", "accounts": ["CNCF"]}]},
	}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-008")
	f.msg == "server nats-1: account \"CNCF\" has no users, and no user, leafnode or import uses it"
}

test_auth_008_quiet_when_leaf_remote_binds_it if {
	c := object.union(sys_accounts([app_user("admin", null)], [app_user("app", scoped)]), {
		"accounts": {"EDGE": {}},
		"leafnodes": {"remotes": [{"urls": ["tls://hub:7422"], "account": "EDGE"}]},
	})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-008")
}

test_auth_008_quiet_with_auth_callout if {
	# SVC has no static users: the auth callout issues them.
	not fires(fx.input_with(fx.server(callout_config)), "NATS-AUTH-008")
}

test_auth_008_quiet_when_imported if {
	c := object.union(sys_accounts([app_user("admin", null)], [app_user("app", scoped)]), {"accounts": {
		"SHARED": {"exports": [{"stream": "public.>"}]},
		"APP": {"imports": [{"stream": {"account": "SHARED", "subject": "public.>"}}]},
	}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-008")
}

# ---------------------------------------------------------------- NATS-AUTH-009

test_auth_009_fires_for_open_cluster if {
	c := object.union(fx.good_config, {"cluster": {"name": "c1", "host": "0.0.0.0", "port": 6222, "routes": ["nats://nats-2:6222"]}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-009")
	f.path == "config/cluster/port"
	not f.severity
}

test_auth_009_fires_high_for_open_leafnodes if {
	# No leafnode authorization and no client authentication: nothing to
	# fall back to.
	c := object.union(open_config, {"leafnodes": {"port": 7422}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-009")
	f.severity == "high"
	f.path == "config/leafnodes/port"
}

test_auth_009_quiet_for_leafnodes_when_clients_authenticate if {
	# FP-LEAF-AUTH-FALLBACK (fluffy-bunny/nats-centralized-auth-callout-examples
	# configs/static_callout.conf): without leafnodes.authorization,
	# nats-server authenticates a leafnode as a client (isLeafNodeAuthorized
	# -> isClientAuthorized), so the client users guard the listener too.
	c := object.union(fx.good_config, {"leafnodes": {"port": 7422}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_quiet_for_leafnodes_with_account_users_and_callout if {
	c := object.union(object.remove(open_config, ["authorization"]), {
		"leafnodes": {"port": 7422},
		"accounts": {"AUTH": {"users": [{"user": "auth", "password": fx.bcrypt}]}, "SVC": {}},
		"authorization": {"auth_callout": {"issuer": "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA", "auth_users": ["auth"], "account": "AUTH"}},
	})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_fires_for_leafnodes_when_only_the_system_account_has_users if {
	# accounts{} with only the system account: nats-server adds an anonymous
	# user to $G (implicit no auth), which a leafnode falls back to as well.
	c := object.union(open_config, {
		"leafnodes": {"port": 7422},
		"accounts": {"$SYS": {"users": [{"user": "admin", "password": fx.bcrypt}]}},
	})
	fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_fires_for_a_leafnode_listener_from_the_environment if {
	# leafnodes { listen: $LEAF_LISTEN }: configured, port unknown.
	c := object.union(open_config, {"leafnodes": {"listen": "$LEAF_LISTEN", "host": "$LEAF_LISTEN", "port": "$LEAF_LISTEN"}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-009")
	contains(f.msg, "port $LEAF_LISTEN")
}

test_auth_009_fires_for_open_gateway if {
	c := object.union(fx.good_config, {"gateway": {"name": "east", "port": 7222}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-009")
	f.path == "config/gateway/port"
}

test_auth_009_quiet_with_route_auth if {
	c := object.union(fx.good_config, {"cluster": {"name": "c1", "port": 6222, "authorization": {"user": "route", "password": fx.strong}}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_quiet_with_route_tls if {
	c := object.union(fx.good_config, {"cluster": {"name": "c1", "port": 6222, "tls": fx.tls_block}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_quiet_with_leaf_mtls if {
	c := object.union(fx.good_config, {"leafnodes": {"port": 7422, "tls": object.union(fx.tls_block, {"verify": true})}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_quiet_leaf_tls_without_verify_but_users if {
	c := object.union(fx.good_config, {"leafnodes": {"port": 7422, "authorization": {"users": [{"user": "edge", "password": fx.strong, "account": "APP"}]}}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_quiet_leaf_listener_guarded_by_client_users if {
	# No leafnodes{authorization}: leafnodes authenticate as client users.
	c := object.union(fx.good_config, {"leafnodes": {"port": 7422}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_quiet_for_loopback_cluster if {
	c := object.union(fx.good_config, {"cluster": {"name": "c1", "host": "127.0.0.1", "port": 6222}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_quiet_for_loopback_leafnodes_without_client_auth if {
	c := object.remove(object.union(fx.good_config, {"leafnodes": {"host": "127.0.0.1", "port": 7422}}), ["authorization"])
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_quiet_leaf_authorization_without_client_auth if {
	c := object.remove(object.union(fx.good_config, {"leafnodes": {"port": 7422, "authorization": {"users": [{"user": "edge", "password": fx.strong, "account": "APP"}]}}}), ["authorization"])
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_quiet_leaf_mtls_without_client_auth if {
	c := object.remove(object.union(fx.good_config, {"leafnodes": {"port": 7422, "tls": object.union(fx.tls_block, {"verify": true})}}), ["authorization"])
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-009")
}

test_auth_009_fires_leaf_listener_accounts_without_users if {
	c := object.remove(object.union(fx.good_config, {"leafnodes": {"port": 7422}, "accounts": {"SYS": {}}}), ["authorization"])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-009")
	f.path == "config/leafnodes/port"
}

# ---------------------------------------------------------------- NATS-AUTH-012

test_auth_012_fires_for_cookie_auth_any_origin if {
	c := object.union(fx.good_config, {"websocket": {"port": 443, "tls": fx.tls_block, "jwt_cookie": "nats_jwt"}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-012")
	contains(f.msg, "jwt_cookie")
}

test_auth_012_quiet_with_same_origin if {
	c := object.union(fx.good_config, {"websocket": {"port": 443, "tls": fx.tls_block, "jwt_cookie": "nats_jwt", "same_origin": true}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-012")
}

test_auth_012_quiet_without_cookies if {
	c := object.union(fx.good_config, {"websocket": {"port": 443, "tls": fx.tls_block}})
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-012")
}

test_auth_012_fires_live if {
	v := fx.varz({"auth_required": true, "websocket": {"host": "0.0.0.0", "port": 443, "jwt_cookie": "nats_jwt"}})
	fires(fx.input_with(fx.live_server(v)), "NATS-AUTH-012")
}

test_auth_012_quiet_live_with_allowed_origins if {
	v := fx.varz({"auth_required": true, "websocket": {"host": "0.0.0.0", "port": 443, "jwt_cookie": "nats_jwt", "allowed_origins": ["https://app.example.com"]}})
	not fires(fx.input_with(fx.live_server(v)), "NATS-AUTH-012")
}

# ------------------------------------------- conditions, one by one (issue 20)

# both(cfg, varz): a server known from its config and its monitoring endpoint.
both(c, varz) := object.union(fx.server(c), {"live": {"endpoint": "http://n1:8222", "varz": varz}})

live_connz(varz, conns) := fx.input_with(fx.live_server_with(varz, {"connz": {"connections": conns}}))

both_connz(c, varz, conns) := fx.input_with(object.union(fx.server(c), {"live": {"endpoint": "http://n1:8222", "varz": varz, "connz": {"connections": conns}}}))

paths(doc, id) := {f.path | some f in hits(doc, id)}

test_auth_001_users_with_mtls_without_ca_file_is_not_cert_only if {
	# Users authenticate by password: the missing ca_file is not the only gate.
	c := with_users([app_user("app", scoped)])
	not fires(fx.input_with(fx.server(replace(c, "tls", object.union(fx.tls_block, {"verify": true, "ca_file": ""})))), "NATS-AUTH-001")
}

test_auth_001_live_config_mismatch_only_when_config_has_auth if {
	not "live/varz/auth_required" in paths(fx.input_with(both(open_config, fx.varz({}))), "NATS-AUTH-001")
	not fires(fx.input_with(both(fx.good_config, fx.varz({"auth_required": true}))), "NATS-AUTH-001")
}

test_auth_001_live_tls_without_verify_is_not_mtls if {
	f := one(fx.input_with(fx.live_server(fx.varz({"tls_required": true}))), "NATS-AUTH-001")
	f.path == "live/varz/auth_required"
}

test_auth_002_no_auth_user_must_be_a_name if {
	not fires(fx.input_with(fx.server(object.union(fx.good_config, {"no_auth_user": 5}))), "NATS-AUTH-002")
	not fires(fx.input_with(fx.live_server(fx.varz({"websocket": {"port": 8080, "no_auth_user": ""}}))), "NATS-AUTH-002")
	not fires(fx.input_with(fx.live_server(fx.varz({"websocket": {"port": 8080, "no_auth_user": 5}}))), "NATS-AUTH-002")
	fires(fx.input_with(fx.live_server(fx.varz({"websocket": {"port": 8080, "no_auth_user": "guest"}}))), "NATS-AUTH-002")
	not fires(fx.input_with(both(fx.good_config, fx.varz({"websocket": {"port": 8080, "no_auth_user": "guest"}}))), "NATS-AUTH-002")
}

test_auth_002_severity_from_the_anonymous_users_own_permissions if {
	# guest publishes anywhere; another user's restriction does not count.
	c := object.union(with_users([app_user("guest", {"publish": perm([">"], [])}), app_user("app", scoped)]), {"no_auth_user": "guest"})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-002")
	not f.severity
}

test_auth_003_live_implicit_user_only if {
	not fires(live_connz(fx.varz({"auth_required": true}), [{"cid": 9, "authorized_user": "alice", "account": "$G"}]), "NATS-AUTH-003")
	not fires(live_connz(fx.varz({"auth_required": true}), [{"cid": 9, "authorized_user": "nats-a8Kd03Lp", "account": "APP"}]), "NATS-AUTH-003")
	not fires(both_connz(fx.good_config, fx.varz({"auth_required": true}), [{"cid": 9, "authorized_user": "nats-a8Kd03Lp", "account": "$G"}]), "NATS-AUTH-003")
}

test_auth_004_live if {
	same := [{"cid": 1, "authorized_user": "app"}, {"cid": 2, "authorized_user": "app"}, {"cid": 3, "authorized_user": "app"}]
	not fires(both_connz(fx.good_config, fx.varz({"auth_required": true}), same), "NATS-AUTH-004")
	not fires(live_connz(fx.varz({"auth_required": true}), [{"cid": 1, "authorized_user": ""}, {"cid": 2, "authorized_user": ""}, {"cid": 3, "authorized_user": ""}]), "NATS-AUTH-004")
	not fires(live_connz(fx.varz({"auth_required": true}), array.slice(same, 0, 2)), "NATS-AUTH-004")
	f := one(live_connz(fx.varz({"auth_required": true}), same), "NATS-AUTH-004")
	contains(f.msg, "all 3 authenticated connections in /connz use the same user \"app\"")
	g := one(fx.input_with(fx.live_server_with(fx.varz({"auth_required": true}), {"connz": {"total": 3, "connections": same}})), "NATS-AUTH-004")
	contains(g.msg, "all 3 authenticated connections")
	h := one(fx.input_with(fx.live_server_with(fx.varz({"auth_required": true}), {"connz": {"total": 40, "connections": same}})), "NATS-AUTH-004")
	contains(h.msg, "the 3 authenticated connections among the 3 of 40 read from /connz")
}

test_auth_004_empty_user_lists_are_no_users if {
	shared := {"user": "app", "password": fx.strong}
	fires(fx.input_with(fx.server(object.union(open_config, {"authorization": object.union(shared, {"users": []})}))), "NATS-AUTH-004")
	fires(fx.input_with(fx.server(object.union(open_config, {"authorization": shared, "accounts": {"A": {"users": []}}}))), "NATS-AUTH-004")
	not fires(fx.input_with(fx.server(object.union(open_config, {"authorization": shared, "accounts": {"A": {"users": [app_user("a", scoped)]}}}))), "NATS-AUTH-004")
}

test_auth_005_open_user_reported_once if {
	# Publishing everywhere includes $SYS.>: one finding, not a second one
	# for the administration subjects.
	c := with_users([app_user("app", {"publish": perm([">", "$SYS.>"], []), "subscribe": perm(["app.>"], [])})])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-005")
	contains(f.msg, "can publish to every subject")
}

test_auth_005_no_permissions_note_only_without_block if {
	c := with_users([app_user("app", {"publish": perm([">"], []), "subscribe": perm([">"], [])})])
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-005")
	not contains(f.msg, "no permissions block")
	endswith(f.msg, "can publish and subscribe to every subject")
}

test_auth_005_permissions_that_are_not_an_object if {
	# permissions: "admin" restricts nothing.
	c := with_users([app_user("app", "admin")])
	fires(fx.input_with(fx.server(c)), "NATS-AUTH-005")
}

test_auth_006_empty_passwords_are_not_shared if {
	empty := fx.secret({"empty": true, "length": 0, "entropy": 0, "digest": "e3b0c44298fc1c14"})
	c := sys_accounts([{"user": "admin", "password": empty}], [{"user": "app", "password": empty, "permissions": scoped}])
	not fires(fx.input_with(fx.server(c)), "NATS-AUTH-006")
}

test_auth_006_live if {
	v := fx.varz({"auth_required": true, "system_account": "SYS"})
	three := [{"cid": 1, "authorized_user": "admin", "account": "SYS"}, {"cid": 2, "authorized_user": "billing", "account": "SYS"}, {"cid": 3, "authorized_user": "orders", "account": "SYS"}]
	not fires(both_connz(fx.good_config, v, three), "NATS-AUTH-006")
	not fires(live_connz(v, [{"cid": 1, "authorized_user": "admin", "account": "SYS"}, {"cid": 2, "authorized_user": "billing", "account": "APP"}, {"cid": 3, "authorized_user": "orders", "account": "APP"}]), "NATS-AUTH-006")
	not fires(live_connz(v, [{"cid": 1, "authorized_user": 1, "account": "SYS"}, {"cid": 2, "authorized_user": 2, "account": "SYS"}, {"cid": 3, "authorized_user": 3, "account": "SYS"}]), "NATS-AUTH-006")
	not fires(live_connz(v, [{"cid": 1, "authorized_user": "admin", "account": "SYS"}, {"cid": 2, "authorized_user": "ops", "account": "SYS"}, {"cid": 3, "authorized_user": "", "account": "SYS"}]), "NATS-AUTH-006")
	f := one(live_connz(v, three), "NATS-AUTH-006")
	contains(f.msg, "3 different users are connected to the system account \"SYS\"")
}

test_auth_007_paths if {
	f := one(fx.input_with(fx.server(fx.good_config)), "NATS-AUTH-007")
	f.path == "config"
	c := object.union(object.remove(fx.good_config, ["authorization"]), {"accounts": {"APP": {"users": [app_user("app", scoped)]}}})
	g := one(fx.input_with(fx.server(c)), "NATS-AUTH-007")
	g.path == "config/accounts"
}

test_auth_008_accounts_as_a_list_or_the_system_account if {
	not fires(fx.input_with(fx.server(object.union(fx.good_config, {"accounts": [{"users": []}]}))), "NATS-AUTH-008")
	not fires(fx.input_with(fx.server(sys_accounts([], [app_user("app", scoped)]))), "NATS-AUTH-008")
}

test_auth_009_leaf_tls_without_verify if {
	c := object.union(open_config, {"leafnodes": {"port": 7422, "tls": fx.tls_block}})
	f := one(fx.input_with(fx.server(c)), "NATS-AUTH-009")
	f.severity == "high"
}

test_auth_012_config_conditions if {
	ws := {"port": 443, "tls": fx.tls_block, "jwt_cookie": "jwt"}
	fires(fx.input_with(fx.server(object.union(fx.good_config, {"websocket": ws}))), "NATS-AUTH-012")
	not fires(fx.input_with(fx.server(object.union(fx.good_config, {"websocket": object.remove(ws, ["port"])}))), "NATS-AUTH-012")
	not fires(fx.input_with(fx.server(object.union(fx.good_config, {"websocket": object.union(ws, {"jwt_cookie": 5})}))), "NATS-AUTH-012")
	not fires(fx.input_with(fx.server(object.union(fx.good_config, {"websocket": object.union(ws, {"jwt_cookie": ""})}))), "NATS-AUTH-012")
	not fires(fx.input_with(fx.server(object.union(fx.good_config, {"websocket": object.union(ws, {"allowed_origins": ["https://app.example.com"]})}))), "NATS-AUTH-012")
}

test_auth_012_live_conditions if {
	w := {"host": "0.0.0.0", "port": 443, "jwt_cookie": "jwt"}
	fires(fx.input_with(fx.live_server(fx.varz({"websocket": w}))), "NATS-AUTH-012")
	not fires(fx.input_with(both(fx.good_config, fx.varz({"websocket": w}))), "NATS-AUTH-012")
	not fires(fx.input_with(fx.live_server(fx.varz({"websocket": object.union(w, {"jwt_cookie": ""})}))), "NATS-AUTH-012")
	not fires(fx.input_with(fx.live_server(fx.varz({"websocket": object.union(w, {"jwt_cookie": 5})}))), "NATS-AUTH-012")
	not fires(fx.input_with(fx.live_server(fx.varz({"websocket": object.union(w, {"same_origin": true})}))), "NATS-AUTH-012")
}

test_auth_004_live_users_must_be_names if {
	# authorized_user 7 (a hostile /connz) is not a user name.
	conns := [{"cid": 1, "authorized_user": 7}, {"cid": 2, "authorized_user": 7}, {"cid": 3, "authorized_user": 7}]
	not fires(live_connz(fx.varz({"auth_required": true}), conns), "NATS-AUTH-004")
}

# The Rego fallback of natsaudit.perms_open (_open), on the shapes nats.conf
# sources produce, agrees with the builtin (_open_bool); on shapes the
# builtin does not judge (a direction that is not an object, a deny that is
# not a list) _open_bool falls back to _open: issue 20 mutation.
test_auth_open_fallback_table if {
	cases := [
		[null, "publish", true],
		[{}, "publish", true],
		[{"allow_responses": true}, "publish", false],
		[{"allow_responses": true}, "subscribe", true],
		[{"publish": {}, "allow_responses": {"max": 1}}, "publish", false],
		[{"publish": {"allow": [">"]}, "allow_responses": true}, "publish", true],
		[{"publish": {"deny": ["a"]}}, "publish", false],
		[{"publish": {"allow": ["a"]}}, "publish", false],
		[{"publish": {"allow": [">"]}}, "publish", true],
		[{"publish": {"allow": []}}, "publish", true],
		[{"publish": {"allow": ["a"]}}, "subscribe", true],
	]
	bad := [c | some c in cases; _open_of(c[0], c[1]) != c[2]]
	bad == []
	bad_go := [c | some c in cases; auth._open_bool(c[0], c[1]) != c[2]]
	bad_go == []
}

_open_of(p, dir) if auth._open(p, dir)

else := false

test_auth_open_bool_falls_back_for_other_shapes if {
	# deny is a string: not a list perms_open judges; _open counts its
	# characters as entries, so the direction is restricted.
	auth._open_bool({"publish": {"allow": [">"], "deny": "x"}}, "publish") == false
	auth._open_bool({"publish": {"allow": [">"], "deny": ""}}, "publish") == true
	natsaudit.perms_open({"publish": {"allow": [">"], "deny": "x"}}) == null
}
