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
