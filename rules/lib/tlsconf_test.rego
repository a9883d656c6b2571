# Tests of the TLS helpers' Rego fallback (inputs without
# s.derived.tls_blocks) and their type guards.
package natsaudit.lib.tlsconf_test

import data.natsaudit.lib.tlsconf

test_has_tls_object_not_disabled if {
	tlsconf.has_tls({"tls": {}})
	tlsconf.has_tls({"tls": {"enabled": true}})
	not tlsconf.has_tls({"tls": {"enabled": false}})
	not tlsconf.has_tls({"tls": "x"})
	not tlsconf.has_tls({})
}

test_tls_verifies_flags if {
	tlsconf.tls_verifies({"verify": true})
	tlsconf.tls_verifies({"verify_and_map": true})
	tlsconf.tls_verifies({"verify_cert_and_check_known_urls": true})
	not tlsconf.tls_verifies({"verify_cert_and_check_known_urls": false})
	not tlsconf.tls_verifies({})
}

# Only tls values that are objects are blocks.
test_tls_blocks_fallback_objects_only if {
	s := {"config": {"tls": {"cert_file": "a"}, "cluster": {"tls": "x"}}}
	tlsconf.tls_blocks(s) == {["config/tls", {"cert_file": "a"}]}
}

# URL values are strings (a non-string entry is skipped).
test_url_values_strings_only if {
	c := {"cluster": {"routes": ["nats://a:6222", {}]}, "gateway": {"gateways": [{"urls": ["nats://g:7222", 5]}]}}
	tlsconf.url_values(c) == {[["cluster", "routes", 0], "nats://a:6222"], [["gateway", "gateways", 0, "urls", 0], "nats://g:7222"]}
}

# Non-object users, accounts and permissions are skipped.
test_all_users_and_permissions_objects_only if {
	c := {
		"authorization": {"users": ["x", {"user": "a", "permissions": {"publish": "p"}}], "default_permissions": "d"},
		"accounts": {"A": {"users": [1, {"user": "b", "permissions": "n"}], "default_permissions": {"subscribe": "s"}}, "B": "x"},
		"leafnodes": {"authorization": {"users": [true, {"user": "c"}]}},
		"cluster": {"permissions": {"import": "i"}},
	}
	[u.user | some u in tlsconf.all_users(c)] == ["a", "b", "c"]
	count(tlsconf.all_permissions(c)) == 3
	{"publish": "p"} in tlsconf.all_permissions(c)
	{"subscribe": "s"} in tlsconf.all_permissions(c)
	{"import": "i"} in tlsconf.all_permissions(c)
}
