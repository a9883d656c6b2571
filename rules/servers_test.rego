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
