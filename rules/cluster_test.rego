package natsaudit.rules.cluster_test

import data.natsaudit.rules.cluster
import data.natsaudit.test.helpers

# Live fragments are trimmed from testdata/live/*.json (recorded from real
# nats-server 2.15.2 processes by testdata/live/record).

srv(i, cfg) := {"ref": sprintf("servers/%d", [i]), "name": sprintf("nats-%d", [i + 1]), "sources": ["config"], "config": cfg, "config_env": {}}

live(i, name, doc) := {"ref": sprintf("servers/%d", [i]), "name": name, "sources": ["live"], "config": null, "config_env": {}, "live": doc}

findings(servers) := fs if {
	fs := cluster.deny with input as {"servers": servers, "streams": [], "consumers": [], "errors": []}
}

by_id(servers, id) := helpers.hits(findings(servers), id)

js := {"enabled": true, "store_dir": "/data", "max_memory_store": 268435456, "max_file_store": 10737418240}

routes3 := ["nats://nats-1:6222", "nats://nats-2:6222", "nats://nats-3:6222"]

# Recorded: single-server varz.jetstream (no meta group).
varz_single := {
	"server_id": "NCHZBP4EQ3WW74CL6A2GBT2NQRGKQDHYVA6ZXHTC7DJORHKLXHIYKNZE", "server_name": "single-1",
	"cluster": {}, "gateway": {}, "routes": 0,
	"jetstream": {
		"config": {"compress_ok": true, "max_memory": 268435456, "max_storage": 1073741824, "store_dir": "/data/jetstream", "strict": true, "sync_interval": 120000000000},
		"stats": {"accounts": 2, "api": {"errors": 0, "level": 5, "total": 4}, "ha_assets": 0, "memory": 0, "reserved_memory": 0, "reserved_storage": 0, "storage": 3390},
	},
}

# Recorded: meta group seen by the leader n2 of a healthy 3-node cluster.
meta_healthy_leader := {
	"cluster_size": 3, "leader": "n2", "name": "audit", "peer": "44jzkV9D", "pending": 0, "quorum_needed": 2,
	"replicas": [
		{"active": 1055510450, "current": true, "name": "n1", "peer": "fjFyEjc1"},
		{"active": 1059768708, "current": true, "name": "n3", "peer": "BXScrY9i"},
	],
}

# Recorded: the same cluster seen by follower n1 (followers do not track
# each other: n3 shows current false, active 0).
meta_healthy_follower := {
	"cluster_size": 3, "leader": "n2", "name": "audit", "peer": "44jzkV9D", "pending": 0, "quorum_needed": 2,
	"replicas": [
		{"active": 1056990333, "current": true, "name": "n2", "peer": "44jzkV9D"},
		{"active": 0, "current": false, "name": "n3", "peer": "BXScrY9i"},
	],
}

# Recorded: leader n2 after n3 was shut down.
meta_degraded_leader := {
	"cluster_size": 3, "leader": "n2", "name": "audit", "peer": "44jzkV9D", "pending": 0, "quorum_needed": 2,
	"replicas": [
		{"active": 225246296, "current": true, "name": "n1", "peer": "fjFyEjc1"},
		{"active": 7084335206, "current": true, "name": "n3", "offline": true, "peer": "BXScrY9i"},
	],
}

# Recorded: n1 alone after n2 and n3 were shut down (no leader).
meta_noquorum := {
	"cluster_size": 3, "name": "audit", "pending": 0, "quorum_needed": 2,
	"replicas": [
		{"active": 39686069, "current": true, "name": "n1", "peer": "fjFyEjc1"},
		{"active": 0, "current": false, "name": "n2", "offline": true, "peer": "44jzkV9D"},
		{"active": 0, "current": false, "name": "n3", "offline": true, "peer": "BXScrY9i"},
	],
}

varz_cluster(name, id, routes) := {
	"server_id": id, "server_name": name, "routes": routes, "gateway": {},
	"cluster": {"addr": "127.0.0.1", "auth_timeout": 2, "cluster_port": 6222, "name": "audit", "pool_size": 3, "tls_timeout": 2, "urls": ["127.0.0.1:6222", "127.0.0.1:6223", "127.0.0.1:6224"]},
	"jetstream": {"config": {"max_memory": 268435456, "max_storage": 1073741824, "store_dir": "/data/jetstream", "sync_interval": 120000000000}},
}

route(id, name) := {"did_solicit": true, "is_configured": true, "remote_id": id, "remote_name": name, "rid": 14, "pending_size": 0}

# --- NATS-CLU-001 ---------------------------------------------------------

test_clu_001_fires_single_jetstream_server if {
	[f] := by_id([srv(0, {"server_name": "nats-1", "jetstream": js})], "NATS-CLU-001")
	f.path == "config/jetstream/enabled"
	helpers.sev(f) == "medium"
	contains(f.msg, "single server")
}

test_clu_001_fires_two_node_cluster_high if {
	cfg := {"server_name": "nats-1", "jetstream": js, "cluster": {"name": "c", "port": 6222, "routes": ["nats://nats-1:6222", "nats://nats-2:6222"]}}
	[f] := by_id([srv(0, cfg)], "NATS-CLU-001")
	helpers.sev(f) == "high"
	f.path == "config/cluster/routes"
}

test_clu_001_fires_four_compose_services_sharing_a_cluster if {
	servers := [srv(i, {"server_name": "$SERVER_NAME", "jetstream": js, "cluster": {"name": "c", "port": 6222}}) | some i in numbers.range(0, 3)]
	fs := by_id(servers, "NATS-CLU-001")
	count(fs) == 4
	every f in fs {
		helpers.sev(f) == "medium"
		contains(f.msg, "cluster of 4")
	}
}

test_clu_001_quiet_three_node_routes_including_self if {
	cfg := {"server_name": "nats-1", "jetstream": js, "cluster": {"name": "c", "port": 6222, "routes": routes3}}
	count(by_id([srv(0, cfg)], "NATS-CLU-001")) == 0
}

test_clu_001_quiet_routes_to_two_other_members if {
	cfg := {"server_name": "nats-a", "jetstream": js, "cluster": {"name": "c", "port": 6222, "routes": ["nats://10.0.0.2:6222", "nats://10.0.0.3:6222"]}}
	count(by_id([srv(0, cfg)], "NATS-CLU-001")) == 0
}

test_clu_001_quiet_env_server_name_template if {
	# One template for all members: server_name from $SERVER_NAME, routes list all three.
	cfg := {"server_name": "$SERVER_NAME", "jetstream": js, "cluster": {"name": "c", "port": 6222, "routes": routes3}}
	count(by_id([srv(0, cfg)], "NATS-CLU-001")) == 0
}

test_clu_001_quiet_three_compose_services if {
	servers := [srv(i, {"server_name": "$SERVER_NAME", "jetstream": js, "cluster": {"name": "c", "port": 6222, "routes": routes3}}) | some i in numbers.range(0, 2)]
	count(by_id(servers, "NATS-CLU-001")) == 0
}

test_clu_001_fires_three_nodes_with_min_size_five if {
	cfg := {"server_name": "nats-1", "jetstream": js, "cluster": {"name": "c", "port": 6222, "routes": routes3}}
	[f] := by_id([srv(0, cfg)], "NATS-CLU-001") with data.natsaudit.params.cluster.min_size as 5
	contains(f.msg, "below the 5")
}

test_clu_001_quiet_without_jetstream if {
	count(by_id([srv(0, {"server_name": "nats-1", "port": 4222})], "NATS-CLU-001")) == 0
}

test_clu_001_fires_live_standalone_jetstream if {
	[f] := by_id([live(0, "single-1", {"varz": varz_single})], "NATS-CLU-001")
	f.path == "live/varz/jetstream"
	helpers.sev(f) == "medium"
}

test_clu_001_quiet_live_jetstream_disabled if {
	# A server without JetStream: varz.jetstream is empty, jsz says disabled
	# but still carries a (zero) config object.
	v := object.union(object.remove(varz_single, ["jetstream"]), {"jetstream": {}})
	j := {"disabled": true, "config": {"max_memory": 0, "max_storage": 0, "store_dir": "", "sync_interval": 0}, "server_id": "N"}
	count(by_id([live(0, "plain", {"varz": v, "jsz": j})], "NATS-CLU-001")) == 0
	count(by_id([live(0, "plain", {"jsz": j})], "NATS-CLU-001")) == 0
}

test_clu_001_fires_live_two_node_meta if {
	m := object.union(meta_healthy_leader, {"cluster_size": 2, "quorum_needed": 2})
	[f] := by_id([live(0, "n2", {"varz": varz_cluster("n2", "N2", 4), "jsz": {"meta_cluster": m}})], "NATS-CLU-001")
	f.path == "live/jsz/meta_cluster/cluster_size"
	helpers.sev(f) == "high"
}

test_clu_001_quiet_live_three_node_meta if {
	count(by_id([live(0, "n2", {"varz": varz_cluster("n2", "N2", 8), "jsz": {"meta_cluster": meta_healthy_leader}})], "NATS-CLU-001")) == 0
}

test_clu_001_live_wins_over_config if {
	# The config alone looks like a single node; the live meta group says 3.
	s := object.union(srv(0, {"server_name": "n2", "jetstream": js}), {"live": {"varz": varz_cluster("n2", "N2", 8), "jsz": {"meta_cluster": meta_healthy_leader}}})
	count(by_id([s], "NATS-CLU-001")) == 0
}

# --- NATS-CLU-002 ---------------------------------------------------------

test_clu_002_fires_without_meta_leader if {
	[f] := by_id([live(0, "n1", {"varz": varz_cluster("n1", "N1", 0), "jsz": {"meta_cluster": meta_noquorum}})], "NATS-CLU-002")
	f.path == "live/jsz/meta_cluster/leader"
	contains(f.msg, "n2, n3")
}

test_clu_002_fires_from_varz_meta if {
	v := object.union(varz_cluster("n1", "N1", 0), {"jetstream": {"meta": meta_noquorum}})
	[f] := by_id([live(0, "n1", {"varz": v})], "NATS-CLU-002")
	f.path == "live/varz/jetstream/meta/leader"
}

test_clu_002_quiet_with_meta_leader if {
	count(by_id([live(0, "n1", {"varz": varz_cluster("n1", "N1", 4), "jsz": {"meta_cluster": meta_degraded_leader}})], "NATS-CLU-002")) == 0
}

# --- NATS-CLU-003 ---------------------------------------------------------

test_clu_003_fires_meta_peer_offline if {
	s := live(0, "n2", {"varz": varz_cluster("n2", "N2", 4), "jsz": {"meta_cluster": meta_degraded_leader}, "routez": {"routes": [route("N1", "n1")]}})
	fs := by_id([s], "NATS-CLU-003")
	some f in fs
	f.path == "live/jsz/meta_cluster/replicas"
	contains(f.msg, "n3")
}

test_clu_003_fires_route_peer_missing if {
	s := live(0, "n1", {"varz": varz_cluster("n1", "N1", 4), "jsz": {"meta_cluster": meta_healthy_follower}, "routez": {"routes": [route("N2", "n2"), route("N2", "n2")]}})
	[f] := by_id([s], "NATS-CLU-003")
	f.path == "live/varz/routes"
	contains(f.msg, "routes to 1 of the 2")
	contains(f.msg, "not connected: n3")
}

test_clu_003_fires_leader_sees_peer_not_current if {
	m := object.union(meta_healthy_leader, {"replicas": [
		{"active": 1055510450, "current": true, "name": "n1"},
		{"active": 95000000000, "current": false, "name": "n3"},
	]})
	s := live(0, "n2", {"varz": varz_cluster("n2", "N2", 8), "jsz": {"meta_cluster": m}, "routez": {"routes": [route("N1", "n1"), route("N3", "n3")]}})
	[f] := by_id([s], "NATS-CLU-003")
	contains(f.msg, "not current")
}

test_clu_003_quiet_follower_view_when_leader_probed if {
	# n1's view lists n3 as not current (normal for a follower); the leader
	# n2 sees every peer current, and all routes are up.
	n1 := live(0, "n1", {"varz": varz_cluster("n1", "N1", 8), "jsz": {"meta_cluster": meta_healthy_follower}, "routez": {"routes": [route("N2", "n2"), route("N3", "n3")]}})
	n2 := live(1, "n2", {"varz": varz_cluster("n2", "N2", 8), "jsz": {"meta_cluster": meta_healthy_leader}, "routez": {"routes": [route("N1", "n1"), route("N3", "n3")]}})
	count(by_id([n1, n2], "NATS-CLU-003")) == 0
}

test_clu_003_quiet_without_routez_when_routes_exist if {
	s := live(0, "n2", {"varz": varz_cluster("n2", "N2", 8), "jsz": {"meta_cluster": meta_healthy_leader}})
	count(by_id([s], "NATS-CLU-003")) == 0
}

# --- NATS-CLU-004 ---------------------------------------------------------

test_clu_004_fires_jetstream_cluster_without_server_name if {
	cfg := {"jetstream": js, "cluster": {"name": "c", "port": 6222, "routes": routes3}}
	[f] := by_id([srv(0, cfg)], "NATS-CLU-004")
	f.path == "config/server_name"
	helpers.sev(f) == "high"
	contains(f.msg, "refuses to start")
}

test_clu_004_fires_cluster_without_name if {
	cfg := {"server_name": "nats-1", "cluster": {"port": 6222, "routes": routes3}}
	[f] := by_id([srv(0, cfg)], "NATS-CLU-004")
	f.path == "config/cluster"
	helpers.sev(f) == "medium"
}

test_clu_004_quiet_server_name_from_env if {
	cfg := {"server_name": "$SERVER_NAME", "jetstream": js, "cluster": {"name": "c", "port": 6222, "routes": routes3}}
	count(by_id([srv(0, cfg)], "NATS-CLU-004")) == 0
}

test_clu_004_quiet_standalone_without_names if {
	count(by_id([srv(0, {"jetstream": js})], "NATS-CLU-004")) == 0
}

test_clu_004_fires_live_server_named_by_id if {
	v := varz_cluster("NDAMGOERBEJ6LSOWUVKII5BNBQKVXTSLJGLWSLGRCZEFY2J33SINAXCS", "NDAMGOERBEJ6LSOWUVKII5BNBQKVXTSLJGLWSLGRCZEFY2J33SINAXCS", 8)
	[f] := by_id([live(0, "NDAMGOERBEJ6", {"varz": v})], "NATS-CLU-004")
	f.path == "live/varz/server_name"
}

test_clu_004_quiet_live_named_server if {
	count(by_id([live(0, "n1", {"varz": varz_cluster("n1", "NDAMGOERBEJ6", 8)})], "NATS-CLU-004")) == 0
}

# --- NATS-CLU-005 ---------------------------------------------------------

test_clu_005_fires_gateway_without_reject_unknown if {
	cfg := {"server_name": "n1", "gateway": {"name": "east", "port": 7222, "gateways": [{"name": "west", "urls": ["nats://w:7222"]}]}}
	[f] := by_id([srv(0, cfg)], "NATS-CLU-005")
	f.path == "config/gateway"
}

test_clu_005_quiet_gateway_rejecting_unknown if {
	cfg := {"server_name": "n1", "gateway": {"name": "east", "port": 7222, "reject_unknown_cluster": true}}
	count(by_id([srv(0, cfg)], "NATS-CLU-005")) == 0
}

test_clu_005_quiet_when_reject_unknown_comes_from_the_environment if {
	cfg := {"server_name": "n1", "gateway": {"name": "east", "port": 7222, "reject_unknown_cluster": "$GW_REJECT"}}
	count(by_id([srv(0, cfg)], "NATS-CLU-005")) == 0
}

test_clu_005_fires_live_gateway if {
	v := object.union(varz_single, {"gateway": {"name": "east", "host": "0.0.0.0", "port": 7222}})
	[f] := by_id([live(0, "single-1", {"varz": v})], "NATS-CLU-005")
	f.path == "live/varz/gateway"
}

test_clu_005_quiet_live_without_gateway if {
	count(by_id([live(0, "single-1", {"varz": varz_single})], "NATS-CLU-005")) == 0
}

# FP-CLUSTER-BY-NAME: servers sharing a cluster name in different cluster
# groups (unrelated directories) are not one cluster.
test_clu_001_quiet_two_groups_sharing_a_name if {
	servers := [object.union(srv(i, {"server_name": "$SERVER_NAME", "jetstream": js, "cluster": {"name": "C1", "port": 6222}}), {"cluster_group": sprintf("C1@servers/%d", [floor(i / 3) * 3])}) | some i in numbers.range(0, 5)]
	count(by_id(servers, "NATS-CLU-001")) == 0
}

test_clu_001_fires_when_the_name_alone_would_join_them if {
	# The same six servers without groups: one cluster of 6 by name.
	servers := [srv(i, {"server_name": "$SERVER_NAME", "jetstream": js, "cluster": {"name": "C1", "port": 6222}}) | some i in numbers.range(0, 5)]
	fs := by_id(servers, "NATS-CLU-001")
	count(fs) == 6
	every f in fs {
		contains(f.msg, "cluster of 6")
	}
}

# ------------------------------------------- conditions, one by one (issue 20)

lv(name, cluster, gateway) := live(0, name, {"varz": {"server_name": name, "server_id": upper(name), "cluster": {"name": cluster, "cluster_port": 6222}, "gateway": gateway}})

test_clu_001_size_messages if {
	# One message per size: 2, odd, even, even in a super-cluster (the meta
	# group spans the gateways); two matching at once is an error.
	plain := lv("n1", "c1", {})
	super := lv("n1", "east", {"name": "east"})
	contains(cluster._size_msg(plain, 2), "cluster of 2 servers")
	contains(cluster._size_msg(plain, 3), "cluster of 3 servers, below the")
	m4 := cluster._size_msg(plain, 4)
	contains(m4, "an even size tolerates no more failures than 3 servers (quorum 3)")
	not contains(m4, "super-cluster")
	contains(cluster._size_msg(super, 4), "(cluster east) is in a super-cluster")
}

test_clu_001_path_of_compose_replicas if {
	cfg := {"server_name": "nats-1", "jetstream": js, "cluster": {"name": "c", "port": 6222, "routes": routes3}}
	s := object.union(srv(0, cfg), {"deployment": {"kind": "kubernetes", "replicas": 4}})
	cluster._size_path(s) == "deployment/replicas"
	cluster._size_path(object.union(srv(0, cfg), {"deployment": {"kind": "kubernetes", "replicas": 0}})) == "config/cluster/routes"
	single := object.union(srv(0, {"server_name": "nats-1", "jetstream": js}), {"deployment": {"kind": "kubernetes", "replicas": 4}})
	cluster._size_path(single) == "config/jetstream/enabled"
}

test_clu_002_lists_only_offline_peers if {
	meta := object.union(meta_noquorum, {"replicas": [
		{"active": 0, "current": false, "name": "n2", "offline": true, "peer": "44jzkV9D"},
		{"active": 0, "current": false, "name": "n3", "peer": "BXScrY9i"},
	]})
	[f] := by_id([live(0, "n1", {"varz": varz_cluster("n1", "N1", 0), "jsz": {"meta_cluster": meta}})], "NATS-CLU-002")
	contains(f.msg, "offline peers: n2)")
}

meta_follower_n3_offline := object.union(meta_healthy_follower, {"replicas": [
	{"active": 1, "current": true, "name": "n2", "peer": "44jzkV9D"},
	{"active": 0, "current": false, "name": "n3", "offline": true, "peer": "BXScrY9i"},
]})

offline_msgs(servers) := [f.msg | some f in by_id(servers, "NATS-CLU-003"); contains(f.msg, "offline")]

test_clu_003_offline_peers_from_the_leader_when_probed if {
	# n1 (follower) and n2 (leader) both see n3 offline: reported once, from
	# the leader; with the leader not probed, the follower's view counts.
	n1 := live(0, "n1", {"varz": varz_cluster("n1", "N1", 2), "jsz": {"meta_cluster": meta_follower_n3_offline}, "routez": {"routes": [route("N2", "n2"), route("N3", "n3")]}})
	n2 := object.union(live(1, "n2", {"varz": varz_cluster("n2", "N2", 2), "jsz": {"meta_cluster": meta_degraded_leader}, "routez": {"routes": [route("N1", "n1"), route("N3", "n3")]}}), {"ref": "servers/1"})
	[m] := offline_msgs([n1, n2])
	endswith(m, "seen from server n2")
	[m1] := offline_msgs([n1])
	endswith(m1, "seen from server n1")
}

test_clu_003_offline_peer_is_not_also_behind if {
	meta := object.union(meta_degraded_leader, {"replicas": [
		{"active": 1, "current": true, "name": "n1", "peer": "fjFyEjc1"},
		{"active": 0, "current": false, "name": "n3", "offline": true, "peer": "BXScrY9i"},
	]})
	s := live(0, "n2", {"varz": varz_cluster("n2", "N2", 2), "jsz": {"meta_cluster": meta}, "routez": {"routes": [route("N1", "n1"), route("N3", "n3")]}})
	every f in by_id([s], "NATS-CLU-003") {
		not contains(f.msg, "not current")
	}
}

varz_super(name, id, routes) := object.union(varz_cluster(name, id, routes), {"gateway": {"name": "east"}, "cluster": object.union(varz_cluster(name, id, routes).cluster, {"name": "east"})})

route_msgs(servers) := [f.msg | some f in by_id(servers, "NATS-CLU-003"); contains(f.msg, "has routes to")]

test_clu_003_routes_in_a_super_cluster_count_probed_peers if {
	# Expected peers in a super-cluster: the probed servers of the same
	# cluster (the meta group spans every cluster).
	n1 := live(0, "n1", {"varz": varz_super("n1", "N1", 0), "routez": {"routes": []}})
	n2 := object.union(live(1, "n2", {"varz": varz_super("n2", "N2", 1), "routez": {"routes": [route("N1", "n1")]}}), {"ref": "servers/1"})
	[m] := route_msgs([n1, n2])
	m == "server n1 has routes to 0 of the 1 other cluster members (not connected: n2)"
}

test_clu_003_routes_of_a_lone_super_cluster_server if {
	# No other member probed: its /varz cluster URLs say it has peers.
	[m] := route_msgs([live(0, "n1", {"varz": varz_super("n1", "N1", 0), "routez": {"routes": []}})])
	m == "server n1 has routes to 0 of the 1 other cluster members"
	[m2] := route_msgs([live(0, "n1", {"varz": varz_super("n1", "N1", 0)})])
	m2 == "server n1 has routes to 0 of the 1 other cluster members"
}

test_clu_003_routes_against_the_meta_group if {
	s := live(0, "n1", {"varz": varz_cluster("n1", "N1", 1), "jsz": {"meta_cluster": meta_healthy_follower}, "routez": {"routes": [route("N2", "n2")]}})
	[m] := route_msgs([s])
	m == "server n1 has routes to 1 of the 2 other cluster members (not connected: n3)"
}

test_clu_003_one_cluster_url_is_no_cluster if {
	v := object.union(varz_cluster("n1", "N1", 0), {"cluster": object.union(varz_cluster("n1", "N1", 0).cluster, {"urls": ["127.0.0.1:6222"]})})
	count(route_msgs([live(0, "n1", {"varz": v})])) == 0
}

test_clu_003_routes_expected_from_the_meta_size_not_the_probed_peers if {
	# Outside a super-cluster the meta group's size counts, even when fewer
	# members were probed.
	n1 := live(0, "n1", {"varz": varz_cluster("n1", "N1", 1), "jsz": {"meta_cluster": meta_healthy_follower}, "routez": {"routes": [route("N2", "n2")]}})
	n2 := object.union(live(1, "n2", {"varz": varz_cluster("n2", "N2", 2), "jsz": {"meta_cluster": meta_healthy_leader}, "routez": {"routes": [route("N1", "n1"), route("N3", "n3")]}}), {"ref": "servers/1"})
	[m] := route_msgs([n1, n2])
	m == "server n1 has routes to 1 of the 2 other cluster members (not connected: n3)"
}

# ------------------------------------ conditions, one by one (issue 20), round 2

test_clu_001_size_messages_round2 if {
	# A super-cluster whose meta group has 2 or an odd number of servers gets
	# the plain message: the super-cluster one is for even sizes above 2 only
	# (two matching at once is an error).
	super := lv("n1", "east", {"name": "east"})
	contains(cluster._size_msg(super, 2), "is in a JetStream cluster of 2 servers: the RAFT quorum needs both")
	contains(cluster._size_msg(super, 3), "cluster of 3 servers, below the")
	contains(cluster._size_msg(super, 1), "single server")

	# A gateway block without a name is not a super-cluster.
	m := cluster._size_msg(lv("n1", "c1", {"name": ""}), 4)
	contains(m, "an even size tolerates no more failures than 3 servers")
	not contains(m, "super-cluster")
}

test_clu_004_round2_live_unclustered_or_configured if {
	# An unclustered server without server_name is named by its ID: not a clustering problem.
	v := object.union(varz_single, {"server_name": "NDAMGOERBEJ6", "server_id": "NDAMGOERBEJ6", "cluster": {"cluster_port": 0}})
	count(by_id([live(0, "NDAMGOERBEJ6", {"varz": v})], "NATS-CLU-004")) == 0

	# A server with its config file is judged on the config (server_name set there).
	vc := varz_cluster("NDAMGOERBEJ6", "NDAMGOERBEJ6", 8)
	both := object.union(srv(0, {"server_name": "n1", "cluster": {"name": "C1", "port": 6222}}), {"sources": ["config", "live"], "live": {"varz": vc}})
	count(by_id([both], "NATS-CLU-004")) == 0
}

test_clu_005_round2_listen_port_and_live_reject if {
	# A gateway listening by `listen` only accepts unknown clusters too.
	[f] := by_id([srv(0, {"server_name": "n1", "gateway": {"name": "east", "listen": "0.0.0.0:7222"}})], "NATS-CLU-005")
	f.path == "config/gateway"

	# A gateway block that does not listen (neither port nor listen) is quiet.
	count(by_id([srv(0, {"server_name": "n1", "gateway": {"name": "east"}})], "NATS-CLU-005")) == 0

	# Live: rejecting unknown clusters, or port 0, is quiet.
	v := object.union(varz_single, {"gateway": {"name": "east", "host": "0.0.0.0", "port": 7222, "reject_unknown": true}})
	count(by_id([live(0, "single-1", {"varz": v})], "NATS-CLU-005")) == 0
	v0 := object.union(varz_single, {"gateway": {"name": "", "port": 0}})
	count(by_id([live(0, "single-1", {"varz": v0})], "NATS-CLU-005")) == 0
}
