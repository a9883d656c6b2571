# Tests of the subject and super-cluster helpers' Rego paths.
package natsaudit.lib.subjects_test

import data.natsaudit.lib.subjects

test_cluster_name_string_only if {
	subjects.cluster_name({"live": {"varz": {"cluster": {"name": "east"}}}}) == "east"
	subjects.cluster_name({"live": {"varz": {"cluster": {"name": 5}}}}) == ""
	subjects.cluster_name({"live": {"varz": {}}}) == ""
}

test_super_cluster_needs_gateway_name if {
	subjects.super_cluster({"live": {"varz": {"gateway": {"name": "g"}}}})
	not subjects.super_cluster({"live": {"varz": {"gateway": {}}}})
	not subjects.super_cluster({"live": {"varz": {"gateway": "g"}}})
}

test_same_cluster_peers if {
	a := {"name": "a", "live": {"varz": {"cluster": {"name": "east"}}}}
	b := {"name": "b", "live": {"varz": {"cluster": {"name": "east"}}}}
	c := {"name": "c", "live": {"varz": {"cluster": {"name": "west"}}}}
	d := {"name": "d", "live": {"varz": {}}}
	e := {"name": "e", "live": {"varz": {}}}
	doc := {"servers": [a, b, c, d, e]}
	subjects.same_cluster_peers(a) == {"b"} with input as doc
	subjects.same_cluster_peers(d) == set() with input as doc
}
