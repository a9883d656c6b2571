# NATS subjects: wildcard matching and overlap.
package natsaudit.lib.subjects

import data.natsaudit.lib.livedocs

# subjects_overlap(a, b): some subject matches both filters (tokens are
# separated by ".", "*" matches one token, ">" one or more at the end).
# Computed in Go (internal/engine/builtins.go): one call instead of a walk
# over both filters' tokens, asked tens of thousands of times per scan.
subjects_overlap(a, b) if natsaudit.subjects_overlap(a, b)

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
