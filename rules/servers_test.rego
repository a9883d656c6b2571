package natsaudit.rules.servers_test

import data.natsaudit.rules.servers

live(name, doc) := {"ref": "servers/0", "name": name, "sources": ["live"], "config": null, "config_env": {}, "live": doc}

by_id(list, id) := [f | some f in servers.deny with input as {"servers": list, "streams": [], "consumers": [], "errors": []}; f.rule_id == id]

# Shapes as nats-server 2.15.2 reports them (rules/live_super_test.go).
gw_varz := {"server_name": "east1", "cluster": {"name": "east"}, "gateway": {"name": "east", "port": 7222, "gateways": [{"name": "east", "urls": ["127.0.0.1:7222"]}, {"name": "west", "urls": ["127.0.0.1:7223"]}]}}

test_srv_001_fires_gateway_down if {
	fs := by_id([live("east1", {"varz": gw_varz, "gatewayz": {"name": "east", "outbound_gateways": {}, "inbound_gateways": {}}})], "NATS-SRV-001")
	count(fs) == 1
	contains(fs[0].msg, "no gateway connection to west")
}

test_srv_001_quiet_connected_and_own_name if {
	# Its own name in the gateways list is not a gateway to reach.
	count(by_id([live("east1", {"varz": gw_varz, "gatewayz": {"outbound_gateways": {"west": {"configured": true}}}})], "NATS-SRV-001")) == 0

	# Without /gatewayz, nothing is claimed.
	count(by_id([live("east1", {"varz": gw_varz})], "NATS-SRV-001")) == 0
}

leaf_varz := {"server_name": "leaf1", "leaf": {"remotes": [{"urls": ["127.0.0.1:7422"]}, {"local_account": "APP", "urls": ["nats-leaf://u:secret-pw@hub:7422"]}]}}

test_srv_002_fires_remote_not_connected if {
	fs := by_id([live("leaf1", {"varz": leaf_varz, "leafz": {"leafs": [{"account": "$G", "is_spoke": true}]}})], "NATS-SRV-002")
	count(fs) == 1
	contains(fs[0].msg, "1 of 1 leafnode remote(s) of account APP")
	not contains(fs[0].msg, "secret-pw")
}

test_srv_002_quiet_all_connected_or_hub if {
	count(by_id([live("leaf1", {"varz": leaf_varz, "leafz": {"leafs": [{"account": "$G", "is_spoke": true}, {"account": "APP", "is_spoke": true}]}})], "NATS-SRV-002")) == 0

	# A hub's accepted leafnodes (not spokes) do not count as remotes.
	count(by_id([live("hub", {"varz": {"server_name": "hub", "leaf": {"port": 7422}}, "leafz": {"leafs": [{"account": "$G", "is_spoke": false}]}})], "NATS-SRV-002")) == 0
}

ver(name, cluster, v) := object.union(live(name, {"varz": {"server_name": name, "version": v, "cluster": {"name": cluster}}}), {"ref": sprintf("servers/%s", [name])})

test_srv_003_fires_mixed_versions if {
	fs := by_id([ver("n2", "c", "2.10.24"), ver("n1", "c", "2.11.0"), ver("n3", "c", "2.11.0")], "NATS-SRV-003")
	count(fs) == 1
	fs[0].ref == "servers/n1"
	contains(fs[0].msg, "cluster c runs 2 nats-server versions: 2.10.24 on n2; 2.11.0 on n1, n3")
}

test_srv_003_quiet_same_version_per_cluster if {
	# Different clusters may differ; unclustered servers are not compared.
	count(by_id([ver("a1", "a", "2.10.24"), ver("b1", "b", "2.11.0"), ver("x", "", "2.9.0"), ver("y", "", "2.11.0")], "NATS-SRV-003")) == 0
}

js_stats(name, n) := live(name, {"varz": {"server_name": name, "jetstream": {"stats": {"ha_assets": n}}}})

test_srv_004_fires_many_ha_assets if {
	[f] := by_id([js_stats("n1", 1001)], "NATS-SRV-004")
	contains(f.msg, "1001 replicated")
}

test_srv_004_quiet_at_threshold if {
	count(by_id([js_stats("n1", 1000)], "NATS-SRV-004")) == 0
	count(by_id([js_stats("n1", 1001)], "NATS-SRV-004")) == 0 with data.natsaudit.params.servers.ha_assets_max as 2000
}

cpu(c, cores) := live("n1", {"varz": {"server_name": "n1", "cpu": c, "cores": cores}})

test_srv_005_fires_cpu_per_core if {
	[f] := by_id([cpu(190, 2)], "NATS-SRV-005")
	contains(f.msg, "95% per core")
}

test_srv_005_quiet_busy_but_many_cores if {
	# 190% on 4 cores is 47.5% per core (the CLI's server check forgets to divide).
	count(by_id([cpu(190, 4)], "NATS-SRV-005")) == 0
	count(by_id([cpu(95, 0)], "NATS-SRV-005")) == 0
}

stream_subjects(n) := {"ref": "streams/0", "name": "EVENTS", "account": "APP", "source": "live", "state": {"num_subjects": n}}

test_srv_006_fires_many_subjects if {
	fs := [f | some f in servers.deny with input as {"servers": [], "streams": [stream_subjects(1000001)], "consumers": [], "errors": []}; f.rule_id == "NATS-SRV-006"]
	count(fs) == 1
}

test_srv_006_quiet_below if {
	fs := [f | some f in servers.deny with input as {"servers": [], "streams": [stream_subjects(1000000), {"ref": "streams/1", "name": "F", "source": "streams", "state": {"num_subjects": 5000000}}], "consumers": [], "errors": []}; f.rule_id == "NATS-SRV-006"]
	count(fs) == 0
}
