# Tests of the authentication helpers' Rego paths.
package natsaudit.lib.authconf_test

import data.natsaudit.lib.authconf

# The implicit anonymous user is not added in operator mode.
test_implicit_no_auth_not_in_operator_mode if {
	authconf.implicit_no_auth({"accounts": {"$SYS": {}}})
	not authconf.implicit_no_auth({"accounts": {"$SYS": {}}, "operator": "op.jwt"})
	not authconf.implicit_no_auth({"accounts": {"$SYS": {}}, "no_auth_user": "u"})
	not authconf.implicit_no_auth({"accounts": {"$SYS": {}, "A": {}}})
}

# Users that are not objects are skipped (hand-written input).
test_app_users_objects_only if {
	c := {"accounts": {"A": {"users": ["x", {"user": "a"}]}}, "authorization": {"users": [1, {"user": "b"}]}}
	{u.user | some [_, u, _] in authconf.app_users(c)} == {"a", "b"}
	count(authconf.app_users(c)) == 2
}

# Empty values do not authenticate anyone.
test_client_auth_needs_nonempty_values if {
	not authconf.client_auth({"authorization": {"user": ""}})
	authconf.client_auth({"authorization": {"user": "u"}})
	not authconf.client_auth({"authorization": {"users": []}})
	authconf.client_auth({"authorization": {"users": [{"user": "u"}]}})
	not authconf.client_auth({"accounts": {"A": {"users": []}}})
	authconf.client_auth({"accounts": {"A": {"users": [{"user": "u"}]}}})
}

test_operator_mode_nonempty_only if {
	not authconf.operator_mode({"trusted_keys": "", "resolver": ""})
	not authconf.operator_mode({"operator": 5})
	not authconf.operator_mode({"trusted_keys": []})
	authconf.operator_mode({"trusted_keys": ["OABC"]})
	authconf.operator_mode({"resolver": "MEMORY"})
	authconf.operator_mode({"resolver": {"type": "full"}})
}

test_system_account_name_default if {
	authconf.system_account_name({"system_account": ""}) == "$SYS"
	authconf.system_account_name({"system_account": 5}) == "$SYS"
	authconf.system_account_name({"system_account": "SYS"}) == "SYS"
	not authconf.sys_only_accounts({"accounts": {"A": {}}})
	authconf.sys_only_accounts({"system_account": "SYS", "accounts": {"SYS": {}}})
}

# authorization.users bound to the system account are not app users.
test_app_users_skip_system_account if {
	c := {"authorization": {"users": [{"user": "s", "account": "$SYS"}, {"user": "a"}]}}
	{u.user | some [_, u, _] in authconf.app_users(c)} == {"a"}
	c2 := {"accounts": {"$SYS": {"users": ["x", {"user": "s"}]}}}
	[[_, u]] := [x | some x in authconf.system_users(c2)]
	u.user == "s"
}

test_user_label_types if {
	authconf.user_label({"user": "bob"}) == "user \"bob\""
	authconf.user_label({"user": 5, "nkey": "UA"}) == "nkey user UA"
	authconf.user_label({"nkey": 5}) == "a user"
}

# Client certificates authenticate only with TLS on, verification on and
# no plain-text fallback; the CA file decides which of the two it is.
test_cert_auth if {
	authconf.cert_auth({"tls": {"verify": true, "ca_file": "ca.pem"}})
	not authconf.cert_auth({"tls": {"verify": true}})
	not authconf.cert_auth({"tls": {"ca_file": "ca.pem"}})
	not authconf.cert_auth({"tls": {"verify": true, "ca_file": "ca.pem", "enabled": false}})
	not authconf.cert_auth({"tls": {"verify": true, "ca_file": "ca.pem"}, "allow_non_tls": true})
	authconf.cert_auth_any_ca({"tls": {"verify": true}})
	not authconf.cert_auth_any_ca({"tls": {"verify": true, "ca_file": "ca.pem"}})
	not authconf.cert_auth_any_ca({"tls": {}})
	not authconf.cert_auth_any_ca({"tls": {"verify": true, "enabled": false}})
}
