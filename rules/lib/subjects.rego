# NATS subjects: wildcard matching and overlap.
package natsaudit.lib.subjects

import data.natsaudit.lib.livedocs

# subjects_overlap(a, b): some subject matches both filters (tokens are
# separated by ".", "*" matches one token, ">" one or more at the end).
subjects_overlap(a, b) if {
	ta := split(a, ".")
	tb := split(b, ".")
	count(ta) == count(tb)
	every i, x in ta {
		_rel_token_match(x, tb[i])
	}
}

subjects_overlap(a, b) if {
	ta := split(a, ".")
	tb := split(b, ".")
	some k in _rel_tail_wildcards(ta, tb)
	every i, x in ta {
		_rel_token_before(i, k, x, tb)
	}
}

# _tail_wildcards: indexes of a ">" in either filter with at least one token
# left in the other one.
_rel_tail_wildcards(ta, tb) := {k | some k, x in ta; x == ">"; count(tb) > k} | {k | some k, x in tb; x == ">"; count(ta) > k}

_rel_token_before(i, k, _, _) if i >= k

_rel_token_before(i, k, x, tb) if {
	i < k
	_rel_token_match(x, tb[i])
}

_rel_token_match(x, x)

_rel_token_match("*", _)

_rel_token_match(_, "*")

# super_cluster(s): the live server is joined to other clusters by gateways,
# so its JetStream meta group spans every cluster of the super-cluster.
super_cluster(s) if {
	g := livedocs.live_varz(s).gateway
	is_object(g)
	object.get(g, "name", "") != ""
}

# cluster_name(s): the live server's cluster name ("" when unclustered).
cluster_name(s) := n if {
	n := livedocs.live_varz(s).cluster.name
	is_string(n)
} else := ""

# same_cluster_peers(s): the other probed servers with s's cluster name: in
# a super-cluster, the servers s must have routes to.
same_cluster_peers(s) := {t.name |
	some t in livedocs.live_servers
	t.name != s.name
	cluster_name(s) != ""
	cluster_name(t) == cluster_name(s)
}
