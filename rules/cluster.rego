package natsaudit.rules.cluster

import data.natsaudit.lib
import data.natsaudit.lib.clustering
import data.natsaudit.lib.livedocs
import data.natsaudit.lib.subjects

# METADATA
# title: JetStream cluster too small or even-sized
# description: >-
#   JetStream replicates through RAFT and needs a majority (size/2 + 1) of its
#   servers. A single server cannot replicate at all, two servers stop when
#   either fails, and an even size tolerates no more failures than the odd
#   size below it. The size comes from the live meta group, else from the
#   cluster routes and the servers of the inventory sharing a cluster name.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering
# custom:
#   id: NATS-CLU-001
#   severity: high
#   category: reliability
#   facets: [config, deployment, live]
#   remediation: |-
#     Run 3 (or 5) JetStream servers, spread over failure domains, with the
#     same cluster name and routes to each other:
#
#         server_name: nats-1
#         cluster {
#           name: nats
#           listen: 0.0.0.0:6222
#           routes: [nats://nats-1:6222, nats://nats-2:6222, nats://nats-3:6222]
#         }
#         jetstream { store_dir: /data, unique_tag: "az:" }
deny contains f if {
	some s in input.servers
	n := clustering.cluster_size(s)
	_bad_size(n)
	f := lib.finding_sev(rego.metadata.rule(), s, _size_path(s), _size_msg(s, n), _size_sev(n))
}

_bad_size(n) if n < lib.params.cluster.min_size

_bad_size(n) if n % 2 == 0

_size_sev(2) := "high"

_size_sev(n) := "medium" if n != 2

_size_msg(s, 1) := sprintf("%s runs JetStream on a single server: streams cannot be replicated and every restart or crash of this server stops JetStream", [lib.server_label(s)])

_size_msg(s, 2) := sprintf("%s is in a JetStream cluster of 2 servers: the RAFT quorum needs both, so losing either one stops JetStream", [lib.server_label(s)])

_size_msg(s, n) := msg if {
	n > 2
	n % 2 == 1
	msg := sprintf("%s is in a JetStream cluster of %d servers, below the %d this audit asks for (cluster.min_size)", [lib.server_label(s), n, lib.params.cluster.min_size])
}

_size_msg(s, n) := msg if {
	n > 2
	n % 2 == 0
	subjects.super_cluster(s)
	msg := sprintf("%s (cluster %s) is in a super-cluster, and its JetStream meta group spans every cluster joined by gateways: %d servers, an even size that tolerates no more failures than %d servers (quorum %d). Make the total odd: add a server to one cluster (or a third cluster); the cluster names stay as they are", [lib.server_label(s), livedocs.live_varz(s).gateway.name, n, n - 1, floor(n / 2) + 1])
}

_size_msg(s, n) := msg if {
	n > 2
	n % 2 == 0
	not subjects.super_cluster(s)
	msg := sprintf("%s is in a JetStream cluster of %d servers: an even size tolerates no more failures than %d servers (quorum %d)", [lib.server_label(s), n, n - 1, floor(n / 2) + 1])
}

_size_path(s) := sprintf("%s/cluster_size", [livedocs.live_meta_path(s)]) if {
	livedocs.live_meta(s)
} else := "live/varz/jetstream" if {
	livedocs.live_js_enabled(s)
} else := "deployment/replicas" if {
	lib.num(s.deployment.replicas) > 0
	clustering.clustered_config(s)
} else := "config/cluster/routes" if {
	count(clustering.routes_of(s)) > 0
} else := "config/cluster" if {
	clustering.clustered_config(s)
} else := "config/jetstream/enabled"

# METADATA
# title: No JetStream meta leader
# description: >-
#   The JetStream meta group has no leader, so the JetStream API is down: no
#   stream or consumer can be created, changed or looked up, and clients get
#   timeouts. It usually means the cluster lost quorum.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering/administration
# custom:
#   id: NATS-CLU-002
#   severity: critical
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Restore quorum: bring the offline servers back (or fix the routes
#     between them), then check with `nats server report jetstream`. Only
#     if a server is gone for good, remove it with
#     `nats server cluster peer-remove <server>`.
deny contains f if {
	some s in livedocs.live_servers
	m := livedocs.live_meta(s)
	object.get(m, "leader", "") == ""
	offline := {r.name | some r in object.get(m, "replicas", []); r.offline == true}
	f := lib.finding(rego.metadata.rule(), s, sprintf("%s/leader", [livedocs.live_meta_path(s)]), sprintf(
		"%s sees no JetStream meta leader in cluster %s (size %v, quorum %v; offline peers: %s): the JetStream API is unavailable",
		[lib.server_label(s), object.get(m, "name", ""), object.get(m, "cluster_size", "?"), object.get(m, "quorum_needed", "?"), _names(offline)],
	))
}

_names(set) := "none" if {
	count(set) == 0
} else := concat(", ", sort(set))

# METADATA
# title: Routes or JetStream meta peers down
# description: >-
#   A cluster member is offline, not current with the meta leader, or not
#   connected by a route. The cluster runs with less redundancy than it was
#   built for, and one more failure can cost the quorum.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/monitoring
# custom:
#   id: NATS-CLU-003
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Bring the missing servers back, or fix what keeps them apart: DNS of
#     the route URLs, firewalls on port 6222, route credentials/TLS. Check
#     with `nats server list` and `nats server report jetstream`.
deny contains f if {
	some h in _clu_003
	f := lib.finding_of(rego.metadata.rule(), h)
}

_clu_003 contains h if {
	some s in livedocs.live_servers
	m := livedocs.live_meta(s)
	_authoritative(s, m)
	down := {r.name | some r in object.get(m, "replicas", []); r.offline == true}
	count(down) > 0
	h := {"obj": s, "path": sprintf("%s/replicas", [livedocs.live_meta_path(s)]), "msg": sprintf(
		"JetStream meta peers offline in cluster %s: %s (%d of %v servers), seen from %s",
		[object.get(m, "name", ""), concat(", ", sort(down)), count(down), object.get(m, "cluster_size", "?"), lib.server_label(s)],
	)}
}

_clu_003 contains h if {
	some s in livedocs.live_servers
	m := livedocs.live_meta(s)
	m.leader == livedocs.live_varz(s).server_name
	behind := {r.name | some r in object.get(m, "replicas", []); r.current == false; not r.offline == true}
	count(behind) > 0
	h := {"obj": s, "path": sprintf("%s/replicas", [livedocs.live_meta_path(s)]), "msg": sprintf(
		"JetStream meta peers not current with the meta leader %s in cluster %s: %s",
		[lib.server_label(s), object.get(m, "name", ""), concat(", ", sort(behind))],
	)}
}

_clu_003 contains h if {
	some s in livedocs.live_servers
	expected := _expected_route_peers(s)
	connected := _route_peer_count(s)
	connected < expected
	h := {"obj": s, "path": "live/varz/routes", "msg": sprintf(
		"%s has routes to %d of the %d other cluster members%s",
		[lib.server_label(s), connected, expected, _missing(s)],
	)}
}

# The meta leader's view counts; without a probed leader, every view does.
_authoritative(s, m) if m.leader == livedocs.live_varz(s).server_name

_authoritative(_, m) if {
	not _leader_probed(m)
}

_leader_probed(m) if {
	some t in livedocs.live_servers
	m.leader != ""
	livedocs.live_varz(t).server_name == m.leader
}

# Expected route peers: routes join the servers of one cluster name; in a
# super-cluster the meta group spans gateways too, so the peers are the
# probed servers of the same cluster (an unprobed one that is down shows up
# as an offline meta peer). Otherwise the meta group size minus this server;
# without JetStream clustering, at least one peer when several route URLs
# are set.
_expected_route_peers(s) := count(peers) if {
	subjects.super_cluster(s)
	peers := subjects.same_cluster_peers(s)
	count(peers) > 0
} else := n - 1 if {
	not subjects.super_cluster(s)
	n := lib.num(livedocs.live_meta(s).cluster_size)
	n > 1
} else := 1 if {
	count(object.get(livedocs.live_varz(s).cluster, "urls", [])) > 1
}

# Route peers: distinct remote servers in routez (routes are pooled: several
# connections per peer). Without routez, varz only tells "no route at all".
_route_peer_count(s) := count({r.remote_id | some r in object.get(s.live.routez, "routes", [])}) if {
	is_object(s.live.routez)
} else := 0 if {
	livedocs.live_varz(s).routes == 0
}

_missing(s) := sprintf(" (not connected: %s)", [concat(", ", sort(missing))]) if {
	subjects.super_cluster(s)
	is_object(s.live.routez)
	connected := {r.remote_name | some r in object.get(s.live.routez, "routes", [])}
	missing := subjects.same_cluster_peers(s) - connected
	count(missing) > 0
} else := sprintf(" (not connected: %s)", [concat(", ", sort(missing))]) if {
	not subjects.super_cluster(s)
	is_object(s.live.routez)
	connected := {r.remote_name | some r in object.get(s.live.routez, "routes", [])}
	missing := {r.name | some r in livedocs.live_meta(s).replicas} - connected
	count(missing) > 0
} else := ""

# METADATA
# title: Server name or cluster name not set
# description: >-
#   Without server_name a server is known by its random ID in monitoring,
#   advisories and RAFT peer lists; without cluster.name the cluster name is
#   generated. A JetStream cluster refuses to start without both.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/cluster_config
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering
# custom:
#   id: NATS-CLU-004
#   severity: medium
#   category: operations
#   facets: [config, deployment, live]
#   remediation: |-
#     Give every server a unique, stable name and the cluster a name (an
#     environment variable is fine):
#
#         server_name: $SERVER_NAME
#         cluster { name: nats, ... }
deny contains f if {
	some h in _clu_004
	f := lib.finding_of(rego.metadata.rule(), h)
}

_clu_004 contains h if {
	some s in lib.configured_servers
	clustering.clustered_config(s)
	some k in ["server_name", "cluster/name"]
	_unset(s.config, k)
	h := {"obj": s, "path": _name_path(k), "msg": _name_msg(s, k), "sev": _name_sev(s)}
}

_clu_004 contains h if {
	some s in livedocs.live_servers
	not lib.has_config(s)
	v := livedocs.live_varz(s)
	lib.num(v.cluster.cluster_port) > 0
	v.server_name == v.server_id
	h := {"obj": s, "path": "live/varz/server_name", "msg": sprintf("%s is clustered but has no server_name: peers and dashboards only see its ID %s", [lib.server_label(s), v.server_id])}
}

_unset(cfg, "server_name") if object.get(cfg, "server_name", null) == null

_unset(cfg, "cluster/name") if object.get(cfg.cluster, "name", null) == null

_name_path("server_name") := "config/server_name"

_name_path("cluster/name") := "config/cluster"

_name_sev(s) := "high" if lib.jetstream_enabled(s)

_name_sev(s) := "medium" if not lib.jetstream_enabled(s)

_name_msg(s, k) := sprintf("%s is clustered with JetStream but %s is not set: the server refuses to start (\"jetstream cluster requires `%s` to be set\")", [lib.server_label(s), _key(k), _key(k)]) if {
	lib.jetstream_enabled(s)
} else := sprintf("%s is clustered but %s is not set", [lib.server_label(s), _key(k)])

_key("server_name") := "server_name"

_key("cluster/name") := "cluster.name"

# METADATA
# title: Gateway accepts unknown clusters
# description: >-
#   Without reject_unknown_cluster, a gateway accepts connections from any
#   cluster that can reach it, not only the ones listed in gateways[].
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/gateways/gateway
# custom:
#   id: NATS-CLU-005
#   severity: low
#   category: reliability
#   facets: [config, live]
#   remediation: |-
#     Accept only the clusters listed in `gateways`:
#
#         gateway {
#           name: east
#           listen: 0.0.0.0:7222
#           reject_unknown_cluster: true
#           gateways: [ ... ]
#         }
deny contains f if {
	some h in _clu_005
	f := lib.finding_of(rego.metadata.rule(), h)
}

_clu_005 contains h if {
	some s in lib.configured_servers
	g := s.config.gateway
	is_object(g)
	_listens(g)
	not lib.true_or_unknown(object.get(g, "reject_unknown_cluster", false))
	h := {"obj": s, "path": "config/gateway", "msg": sprintf("%s: gateway %s accepts connections from clusters it does not list", [lib.server_label(s), object.get(g, "name", "")])}
}

_clu_005 contains h if {
	some s in livedocs.live_servers
	not lib.has_config(s)
	g := livedocs.live_varz(s).gateway
	lib.num(g.port) > 0
	not g.reject_unknown == true
	h := {"obj": s, "path": "live/varz/gateway", "msg": sprintf("%s: gateway %s accepts connections from clusters it does not list", [lib.server_label(s), object.get(g, "name", "")])}
}

_listens(g) if object.get(g, "port", null) != null

_listens(g) if object.get(g, "listen", null) != null
