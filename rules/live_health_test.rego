package natsaudit.rules.live_health_test

import data.natsaudit.rules.live_health

doc(servers, streams, consumers, accounts) := {"servers": servers, "streams": streams, "consumers": consumers, "live_accounts": accounts, "errors": []}

by_id(input_doc, id) := [f | some f in live_health.deny with input as input_doc; f.rule_id == id]

live(name, doc) := {"ref": sprintf("servers/%s", [name]), "name": name, "sources": ["live"], "config": null, "config_env": {}, "live": doc}

# Shapes as nats-server 2.15.2 reports them (rules/live_health_test.go).
offline_stream := {"ref": "streams/0", "name": "ONLY3", "account": "APP", "source": "live", "config": {"num_replicas": 1}, "servers": [], "offline": "no server hosting it answered (its replicas: n3)"}

test_hlt_001_fires_offline_stream if {
	[f] := by_id(doc([], [offline_stream], [], []), "NATS-HLT-001")
	f.msg == "stream ONLY3 (account APP, R1) is offline: no server hosting it answered (its replicas: n3)"
}

test_hlt_001_quiet_online_or_file if {
	count(by_id(doc([], [object.remove(offline_stream, ["offline"])], [], []), "NATS-HLT-001")) == 0
	count(by_id(doc([], [object.union(offline_stream, {"offline": ""})], [], []), "NATS-HLT-001")) == 0
	count(by_id(doc([], [object.union(offline_stream, {"source": "file"})], [], []), "NATS-HLT-001")) == 0
}

acct(streams, max_streams, storage, max_storage) := {"ref": "live_accounts/0", "name": "APP", "info": {
	"streams": streams, "consumers": 0, "memory": 0, "storage": storage,
	"limits": {"max_streams": max_streams, "max_consumers": -1, "max_memory": -1, "max_storage": max_storage},
}}

test_hlt_002_fires_near_limits if {
	fs := by_id(doc([], [], [], [acct(9, 10, 850, 1000)]), "NATS-HLT-002")
	count(fs) == 2
	some f in fs
	f.severity == "high"
	contains(f.msg, "account APP uses 90% of its JetStream max_streams (9 of 10)")
	some g in fs
	g.severity == "medium"
	contains(g.msg, "max_storage (850 of 1000)")
}

test_hlt_002_quiet_below_or_unlimited if {
	count(by_id(doc([], [], [], [acct(7, 10, 0, -1)]), "NATS-HLT-002")) == 0
	count(by_id(doc([], [], [], [acct(9, -1, 0, 0)]), "NATS-HLT-002")) == 0
	count(by_id(doc([], [], [], [acct(9, 10, 0, -1)]), "NATS-HLT-002")) == 0 with data.natsaudit.params.health.account_usage_medium as 0.95
}

member(name, cluster, extra) := live(name, {"varz": object.union({"server_name": name, "cluster": {"name": cluster}, "version": "2.15.2", "max_payload": 1048576, "auth_required": true, "jetstream": {"config": {"max_memory": 100, "max_storage": 1000}}}, extra)})

test_hlt_003_fires_drift if {
	fs := by_id(doc([member("n1", "c", {}), member("n2", "c", {"max_payload": 8388608}), member("n3", "c", {"auth_required": false, "version": "2.10.24"})], [], [], []), "NATS-HLT-003")
	count(fs) == 3
	some f in fs
	f.ref == "servers/n1"
	f.msg == "cluster c: servers differ in max_payload: 1048576 on n1, n3; 8388608 on n2"
	some g in fs
	g.msg == "cluster c: servers differ in version series: 2.10 on n3; 2.15 on n1, n2"
	some h in fs
	contains(h.msg, "auth_required: false on n3; true on n1, n2")
}

test_hlt_003_fires_gateways_differ if {
	[f] := by_id(doc([member("a1", "east", {"gateway": {"gateways": [{"name": "west"}]}}), member("a2", "east", {"gateway": {"gateways": []}})], [], [], []), "NATS-HLT-003")
	contains(f.msg, "gateways: [] on a2; [west] on a1")
}

test_hlt_003_quiet_same_or_other_cluster if {
	count(by_id(doc([member("n1", "c", {}), member("n2", "c", {"version": "2.15.3"})], [], [], []), "NATS-HLT-003")) == 0
	count(by_id(doc([member("n1", "c", {}), member("m1", "d", {"max_payload": 1})], [], [], []), "NATS-HLT-003")) == 0
	count(by_id(doc([member("n1", "", {}), member("m1", "", {"max_payload": 1})], [], [], []), "NATS-HLT-003")) == 0
}

mem(name, m) := member(name, "c", {"mem": m})

test_hlt_004_fires_memory_outlier if {
	[f] := by_id(doc([mem("n1", 100 * 1048576), mem("n2", 100 * 1048576), mem("n3", 400 * 1048576)], [], [], []), "NATS-HLT-004")
	f.ref == "servers/n3"
	f.msg == "server n3 uses 400 MiB of memory, 2 times the mean of cluster c (200 MiB)"
}

test_hlt_004_fraction if {
	[f] := by_id(doc([mem("n1", 100 * 1048576), mem("n2", 100 * 1048576), mem("n3", 100 * 1048576), mem("n4", 500 * 1048576)], [], [], []), "NATS-HLT-004")
	contains(f.msg, "2.5 times the mean of cluster c (200 MiB)")
}

test_hlt_004_quiet_balanced if {
	count(by_id(doc([mem("n1", 100), mem("n2", 120), mem("n3", 140)], [], [], []), "NATS-HLT-004")) == 0
	count(by_id(doc([mem("n1", 100), mem("n3", 400)], [], [], []), "NATS-HLT-004")) == 0 with data.natsaudit.params.health.memory_outlier_factor as 2
}

meta(name, leader) := live(name, {"jsz": {"meta_cluster": {"name": "c", "leader": leader}}})

test_hlt_005_fires_disagreement if {
	[f] := by_id(doc([meta("n1", "n1"), meta("n2", "n1"), meta("n3", "n3")], [], [], []), "NATS-HLT-005")
	f.ref == "servers/n1"
	f.msg == "the servers name 2 different JetStream meta leaders: n1 according to n1, n2; n3 according to n3"
}

test_hlt_005_quiet_agreement_or_no_leader if {
	count(by_id(doc([meta("n1", "n1"), meta("n2", "n1"), meta("n3", "")], [], [], []), "NATS-HLT-005")) == 0
}

test_hlt_006_fires_whitespace if {
	fs := by_id(doc([live("n1", {"varz": {"cluster": {"name": "my cluster"}}, "jsz": {"config": {"domain": "hub\t1"}}, "leafz": {"leafs": [{"name": "leaf 1"}]}})], [], [], []), "NATS-HLT-006")
	count(fs) == 3
	some f in fs
	f.msg == `server n1: the cluster name "my cluster" contains whitespace`
}

test_hlt_006_quiet_clean_names if {
	count(by_id(doc([live("n1", {"varz": {"cluster": {"name": "c1"}}, "jsz": {"config": {"domain": "hub"}}, "leafz": {"leafs": [{"name": "leaf1"}]}})], [], [], []), "NATS-HLT-006")) == 0
}

# /accountz?acc= account_detail as nats-server 2.15.2 reports it in
# operator mode (rules/live_health_test.go).
acc_detail(conns, subs, exp) := {"account_name": "AAPP", "name_tag": "APP", "client_connections": conns, "leafnode_connections": 0, "subscriptions": subs, "decoded_jwt": {"exp": exp, "nats": {"limits": {"conn": 10, "leaf": -1, "subs": 100}}}}

acc_server(name, d) := live(name, {"varz": {"server_name": name}, "account_details": [d]})

now_ns := 1700000000000000000

day_s := 86400

with_now(servers) := object.union(doc(servers, [], [], []), {"scan": {"now_ns": now_ns}})

test_hlt_007_fires_connections_across_servers if {
	# 5 + 4 connections on two servers: 9 of the account's 10.
	[f] := by_id(with_now([acc_server("n2", acc_detail(4, 0, 0)), acc_server("n1", acc_detail(5, 0, 0))]), "NATS-HLT-007")
	f.ref == "servers/n1"
	f.severity == "high"
	f.msg == "account APP (AAPP) has 9 of its 10 connections (90%) on n1, n2"
}

test_hlt_007_fires_subscriptions_per_server if {
	[f] := by_id(with_now([acc_server("n1", acc_detail(0, 85, 0))]), "NATS-HLT-007")
	f.severity == "medium"
	f.msg == "account APP (AAPP) has 85 of its 100 subscriptions (85%) on server n1"
}

test_hlt_007_quiet_below_or_unlimited if {
	count(by_id(with_now([acc_server("n1", acc_detail(7, 79, 0))]), "NATS-HLT-007")) == 0
	unlimited := json.patch(acc_detail(10, 100, 0), [{"op": "replace", "path": "/decoded_jwt/nats/limits", "value": {"conn": -1, "subs": -1}}])
	count(by_id(with_now([acc_server("n1", unlimited)]), "NATS-HLT-007")) == 0
}

test_hlt_008_fires_account_jwt_expiring if {
	[f] := by_id(with_now([acc_server("n1", acc_detail(0, 0, ((now_ns / 1000000000) + (2 * day_s)) + 60))]), "NATS-HLT-008")
	f.severity == "high"
	f.msg == "the JWT of account APP (AAPP) expires in 2 days"
	[g] := by_id(with_now([acc_server("n1", acc_detail(0, 0, ((now_ns / 1000000000) + (20 * day_s)) + 60))]), "NATS-HLT-008")
	g.severity == "medium"
	[h] := by_id(with_now([acc_server("n1", acc_detail(0, 0, (now_ns / 1000000000) - (3 * day_s)))]), "NATS-HLT-008")
	h.msg == "the JWT of account APP (AAPP) expired 3 days ago"
	[i] := by_id(with_now([acc_server("n1", acc_detail(0, 0, (now_ns / 1000000000) + 7200))]), "NATS-HLT-008")
	i.msg == "the JWT of account APP (AAPP) expires in 2 hours"
}

test_hlt_008_quiet_far_or_never if {
	count(by_id(with_now([acc_server("n1", acc_detail(0, 0, (now_ns / 1000000000) + (40 * day_s)))]), "NATS-HLT-008")) == 0
	count(by_id(with_now([acc_server("n1", acc_detail(0, 0, 0))]), "NATS-HLT-008")) == 0
}

mon_stream(meta, state, cluster) := {"ref": "streams/0", "name": "ORDERS", "account": "APP", "source": "live", "config": {"metadata": object.union({"io.nats.monitor.enabled": "true"}, meta)}, "state": state, "cluster": cluster}

test_hlt_009_fires_too_few_messages_inverted if {
	# critical 10 < warning 100: alert when fewer.
	[f] := by_id(doc([], [mon_stream({"io.nats.monitor.msgs-warn": "100", "io.nats.monitor.msgs-critical": "10"}, {"messages": 5}, {})], [], []), "NATS-HLT-009")
	f.severity == "high"
	f.msg == "stream ORDERS (account APP) has 5 msgs, at or below its io.nats.monitor threshold 10"
	[g] := by_id(doc([], [mon_stream({"io.nats.monitor.msgs-warn": "100", "io.nats.monitor.msgs-critical": "10"}, {"messages": 50}, {})], [], []), "NATS-HLT-009")
	g.severity == "medium"
	contains(g.msg, "at or below its io.nats.monitor threshold 100")
}

test_hlt_009_fires_subjects_peers_lag if {
	fs := by_id(doc([], [mon_stream({"io.nats.monitor.subjects-critical": "1000", "io.nats.monitor.peer-expect": "3", "io.nats.monitor.peer-lag-critical": "100"}, {"num_subjects": 2000}, {"leader": "n1", "replicas": [{"name": "n2", "lag": 500}]})], [], []), "NATS-HLT-009")
	count(fs) == 3
	some a in fs
	a.msg == "stream ORDERS (account APP) has 2000 subjects, at or above its io.nats.monitor threshold 1000"
	some b in fs
	b.msg == "stream ORDERS (account APP) has 2 peers, its io.nats.monitor.peer-expect is 3"
	some c in fs
	contains(c.msg, "replica n2 lags 500 operations")
}

test_hlt_009_quiet if {
	# Within the thresholds; not enabled; a non-numeric threshold.
	count(by_id(doc([], [mon_stream({"io.nats.monitor.msgs-warn": "100", "io.nats.monitor.msgs-critical": "10", "io.nats.monitor.peer-expect": "3"}, {"messages": 500}, {"leader": "n1", "replicas": [{"name": "n2"}, {"name": "n3"}]})], [], []), "NATS-HLT-009")) == 0
	count(by_id(doc([], [mon_stream({"io.nats.monitor.enabled": "false", "io.nats.monitor.msgs-critical": "10"}, {"messages": 500}, {})], [], []), "NATS-HLT-009")) == 0
	count(by_id(doc([], [mon_stream({"io.nats.monitor.subjects-critical": "lots"}, {"num_subjects": 5}, {})], [], []), "NATS-HLT-009")) == 0
}

mon_consumer(meta, state) := {"ref": "consumers/0", "name": "worker", "stream": "ORDERS", "account": "APP", "source": "live", "config": {"metadata": object.union({"io.nats.monitor.enabled": "true"}, meta)}, "state": state}

test_hlt_010_fires_thresholds if {
	fs := by_id(doc([], [], [mon_consumer({"io.nats.monitor.outstanding-ack-critical": "10", "io.nats.monitor.unprocessed-critical": "1000"}, {"num_ack_pending": 10, "num_pending": 5000, "num_waiting": 0, "num_redelivered": 0})], []), "NATS-HLT-010")
	count(fs) == 2
	some f in fs
	f.msg == "consumer ORDERS/worker (account APP) has num_ack_pending 10, at or above its io.nats.monitor.outstanding-ack-critical 10"
}

test_hlt_010_quiet if {
	count(by_id(doc([], [], [mon_consumer({"io.nats.monitor.outstanding-ack-critical": "10", "io.nats.monitor.waiting-critical": "-1"}, {"num_ack_pending": 9, "num_waiting": 3})], []), "NATS-HLT-010")) == 0
	count(by_id(doc([], [], [mon_consumer({"io.nats.monitor.enabled": "no", "io.nats.monitor.outstanding-ack-critical": "1"}, {"num_ack_pending": 9})], []), "NATS-HLT-010")) == 0
}
