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

# Duration thresholds of the monitoring metadata (JETSTREAM_004/005).

now_rfc(offset_s) := time.format([now_ns + (offset_s * 1000000000), "UTC", "2006-01-02T15:04:05.999999999Z07:00"])

with_now_doc(d) := object.union(d, {"scan": {"now_ns": now_ns}})

test_hlt_009_fires_durations_and_sources if {
	st := object.union(
		mon_stream({"io.nats.monitor.peer-seen-critical": "10s", "io.nats.monitor.seen-critical": "1m", "io.nats.monitor.lag-critical": "100", "io.nats.monitor.min-sources": "3"}, {}, {"leader": "n1", "replicas": [{"name": "n2", "active": 30000000000}, {"name": "n3", "active": 1000000}]}),
		{"sources": [{"name": "A", "lag": 500, "active": 120000000000}, {"name": "B", "lag": 0, "active": 1000}]},
	)
	fs := by_id(with_now_doc(doc([], [st], [], [])), "NATS-HLT-009")
	msgs := {f.msg | some f in fs}
	msgs == {
		"stream ORDERS (account APP): replica n2 was last seen 30s ago, more than its io.nats.monitor.peer-seen-critical 10s",
		"stream ORDERS (account APP): its source A lags 500 messages, at or above its io.nats.monitor.lag-critical 100",
		"stream ORDERS (account APP): its source A was last heard from 2m ago, at or above its io.nats.monitor.seen-critical 1m",
		"stream ORDERS (account APP) has 2 sources, fewer than its io.nats.monitor.min-sources 3",
	}
}

test_hlt_009_mirror_days_and_bad_duration if {
	st := object.union(mon_stream({"io.nats.monitor.seen-critical": "2d", "io.nats.monitor.peer-seen-critical": "soon"}, {}, {}), {"mirror": {"name": "ORIGIN", "lag": 0, "active": (3 * day_s) * 1000000000}})
	fs := by_id(with_now_doc(doc([], [st], [], [])), "NATS-HLT-009")
	count(fs) == 2
	some f in fs
	f.msg == "stream ORDERS (account APP): its mirror ORIGIN was last heard from 3d ago, at or above its io.nats.monitor.seen-critical 2d"
	some g in fs
	g.severity == "medium"
	g.msg == "stream ORDERS (account APP): io.nats.monitor.peer-seen-critical \"soon\" is not a duration (like 90s, 1h30m, 2d): the threshold is not checked (the NATS CLI's check fails on it)"
}

test_hlt_009_durations_quiet if {
	st := object.union(
		mon_stream({"io.nats.monitor.peer-seen-critical": "1m", "io.nats.monitor.seen-critical": "1w", "io.nats.monitor.lag-critical": "1000", "io.nats.monitor.max-sources": "2"}, {}, {"leader": "n1", "replicas": [{"name": "n2", "active": 30000000000}]}),
		{"sources": [{"name": "A", "lag": 999, "active": 120000000000}]},
	)
	count(by_id(with_now_doc(doc([], [st], [], [])), "NATS-HLT-009")) == 0
}

test_hlt_010_fires_last_delivery_and_ack if {
	c := mon_consumer({"io.nats.monitor.last-delivery-critical": "5m", "io.nats.monitor.last-ack-critical": "1h"}, {"delivered": {"consumer_seq": 4, "last_active": now_rfc(-600)}, "ack_floor": {"consumer_seq": 0}})
	fs := by_id(with_now_doc(doc([], [], [c], [])), "NATS-HLT-010")
	{f.msg | some f in fs} == {
		"consumer ORDERS/worker (account APP): last delivery 10m ago, at or above its io.nats.monitor.last-delivery-critical 5m",
		"consumer ORDERS/worker (account APP): no acknowledgement yet, and its io.nats.monitor.last-ack-critical is 1h",
	}
}

test_hlt_010_durations_quiet if {
	c := mon_consumer({"io.nats.monitor.last-delivery-critical": "15m", "io.nats.monitor.last-ack-critical": "0s", "io.nats.monitor.redelivery-critical": "0"}, {"delivered": {"last_active": now_rfc(-600)}, "ack_floor": {}, "num_redelivered": 5})
	count(by_id(with_now_doc(doc([], [], [c], [])), "NATS-HLT-010")) == 0
}

test_hlt_010_bad_duration if {
	c := mon_consumer({"io.nats.monitor.last-ack-critical": "5 minutes"}, {"delivered": {}, "ack_floor": {}})
	[f] := by_id(with_now_doc(doc([], [], [c], [])), "NATS-HLT-010")
	f.severity == "medium"
	startswith(f.msg, "consumer ORDERS/worker (account APP): io.nats.monitor.last-ack-critical \"5 minutes\" is not a duration")
}

# NATS-HLT-011: users' JWT claims read from /connz before masking.

conn(sub, name, exp) := {"cid": 1, "account": "AAPP", "jwt": "[REDACTED]", "jwt_claims": {"sub": sub, "name": name, "iss": "AISSUER", "exp": exp, "iat": 1, "type": "user"}}

connz_server(name, conns) := live(name, {"varz": {"server_name": name}, "connz": {"connections": conns}})

test_hlt_011_fires_user_jwt_expiring if {
	soon := ((now_ns / 1000000000) + (2 * day_s)) + 60
	[f] := by_id(with_now([connz_server("n2", [conn("UBOB", "bob", soon)]), connz_server("n1", [conn("UBOB", "bob", soon), conn("UBOB", "bob", soon)])]), "NATS-HLT-011")
	f.ref == "servers/n1"
	f.severity == "high"
	f.msg == "the JWT of user bob (UBOB) (account AAPP, issued by AISSUER) expires in 2 days; 3 connection(s) use it on n1, n2"
	[g] := by_id(with_now([connz_server("n1", [conn("UAL", "", (now_ns / 1000000000) - 60)])]), "NATS-HLT-011")
	g.msg == "the JWT of user UAL (account AAPP, issued by AISSUER) expired 0 days ago; 1 connection(s) use it on n1"
	[h] := by_id(with_now([connz_server("n1", [conn("UAL", "al", ((now_ns / 1000000000) + (20 * day_s)) + 60)])]), "NATS-HLT-011")
	h.severity == "medium"
}

test_hlt_011_quiet_far_never_or_no_claims if {
	count(by_id(with_now([connz_server("n1", [conn("UAL", "al", (now_ns / 1000000000) + (40 * day_s))])]), "NATS-HLT-011")) == 0
	count(by_id(with_now([connz_server("n1", [conn("UAL", "al", 0)])]), "NATS-HLT-011")) == 0
	count(by_id(with_now([connz_server("n1", [{"cid": 1, "account": "AAPP"}])]), "NATS-HLT-011")) == 0
}

# NATS-HLT-012: mirror/source lag and activity from /jsz.

copy_stream(extra) := object.union({"ref": "streams/1", "name": "COPY", "account": "APP", "source": "live", "config": {}}, extra)

test_hlt_012_fires_inactive_and_lagging if {
	[f] := by_id(doc([], [copy_stream({"mirror": {"name": "ORIGIN", "lag": 0, "active": 90000000000, "error": {"code": 503, "description": "stream not found"}}})], [], []), "NATS-HLT-012")
	f.severity == "high"
	f.msg == "stream COPY (account APP): its mirror ORIGIN was last heard from 1m ago (stream not found)"
	fs := by_id(doc([], [copy_stream({"sources": [{"name": "A", "lag": 5000, "active": 1000000, "external": {"api": "$JS.hub.API"}}, {"name": "B", "lag": 10, "active": 0}]})], [], []), "NATS-HLT-012")
	[g] := fs
	g.severity == "medium"
	g.msg == "stream COPY (account APP): its source A (via $JS.hub.API) is 5000 messages behind its origin"
}

test_hlt_012_fires_never_heard if {
	st := copy_stream({"created": now_rfc(-120), "mirror": {"name": "TYPO", "lag": 0, "active": -1}})
	[f] := by_id(with_now_doc(doc([], [st], [], [])), "NATS-HLT-012")
	f.msg == "stream COPY (account APP): its mirror TYPO has never been heard from (the stream was created 2m ago)"
	young := copy_stream({"created": now_rfc(-5), "mirror": {"name": "TYPO", "lag": 0, "active": -1}})
	count(by_id(with_now_doc(doc([], [young], [], [])), "NATS-HLT-012")) == 0
}

test_hlt_012_quiet if {
	count(by_id(doc([], [copy_stream({"mirror": {"name": "ORIGIN", "lag": 999, "active": 59000000000}})], [], []), "NATS-HLT-012")) == 0
	count(by_id(doc([], [copy_stream({})], [], []), "NATS-HLT-012")) == 0
	count(by_id(doc([], [copy_stream({"mirror": {"name": "ORIGIN", "lag": 5000, "active": 90000000000}, "source": "file"})], [], []), "NATS-HLT-012")) == 0
}

# NATS-HLT-013: leaders elected recently, not at creation.

led_stream(created_off, elected_off) := {"ref": "streams/0", "name": "ORDERS", "account": "APP", "source": "live", "config": {}, "created": now_rfc(created_off), "cluster": {"leader": "n2", "leader_since": now_rfc(elected_off)}}

led_consumer(name, created_off, elected_off) := {"ref": sprintf("consumers/%s", [name]), "name": name, "stream": "ORDERS", "account": "APP", "source": "live", "config": {}, "created": now_rfc(created_off), "cluster": {"leader": "n3", "leader_since": now_rfc(elected_off)}}

test_hlt_013_fires_recent_leaders if {
	fs := by_id(with_now_doc(doc([], [led_stream(-3600, -90)], [led_consumer("w1", -3600, -30), led_consumer("w2", -3600, -3000)], [])), "NATS-HLT-013")
	{f.msg | some f in fs} == {
		"stream ORDERS (account APP): leader n2 elected 1m ago, after the stream was created",
		"stream ORDERS (account APP): 1 consumer leader(s) elected in the last 5m, after the consumer was created: w1 (n3, 30s ago)",
	}
}

test_hlt_013_consumers_counted_for_their_own_stream if {
	# The consumers index is keyed by [account, stream]: a consumer of a
	# stream of the same name in another account, or of another stream,
	# is not this stream's.
	other_acc := object.union(led_consumer("x1", -3600, -30), {"account": "OTHER"})
	other_stream := object.union(led_consumer("x2", -3600, -30), {"stream": "PAYMENTS"})
	fs := by_id(with_now_doc(doc([], [led_stream(-3600, -7000)], [led_consumer("w1", -3600, -30), other_acc, other_stream], [])), "NATS-HLT-013")
	{f.msg | some f in fs} == {"stream ORDERS (account APP): 1 consumer leader(s) elected in the last 5m, after the consumer was created: w1 (n3, 30s ago)"}
}

meta_server(state, started_off, elected_off) := {"ref": "servers/0", "name": "n2", "live": {
	"varz": {"start": now_rfc(started_off)},
	"raftz": {"$SYS": {"_meta_": {"state": state, "term": 7, "leader": "S1Nunr6R", "leader_since": now_rfc(elected_off)}}},
}}

test_hlt_013_fires_meta_leader_recent if {
	[f] := by_id(with_now_doc(doc([meta_server("LEADER", -3600, -40)], [], [], [])), "NATS-HLT-013")
	f.severity == "low"
	f.ref == "servers/0"
	f.msg == "the JetStream meta leader n2 was elected 40s ago (Raft term 7), 59m after it started"
}

test_hlt_013_quiet_meta_leader if {
	# Elected in the server's first seconds (its start, or the cluster's).
	count(by_id(with_now_doc(doc([meta_server("LEADER", -62, -60)], [], [], [])), "NATS-HLT-013")) == 0

	# Long ago.
	count(by_id(with_now_doc(doc([meta_server("LEADER", -7200, -3600)], [], [], [])), "NATS-HLT-013")) == 0

	# A follower's view (it has no leader_since on a real server; one
	# given is not trusted either): the leader reports.
	count(by_id(with_now_doc(doc([meta_server("FOLLOWER", -3600, -40)], [], [], [])), "NATS-HLT-013")) == 0

	# No raftz (nats-server before 2.11, or not clustered), or no leader_since (2.11).
	count(by_id(with_now_doc(doc([{"ref": "servers/0", "name": "n2", "live": {"varz": {"start": now_rfc(-3600)}}}], [], [], [])), "NATS-HLT-013")) == 0
	no_since := json.remove(meta_server("LEADER", -3600, -40), ["live/raftz/$SYS/_meta_/leader_since"])
	count(by_id(with_now_doc(doc([no_since], [], [], [])), "NATS-HLT-013")) == 0
}

test_hlt_013_quiet_first_election_or_old if {
	# Elected when created (a new stream), or long ago.
	count(by_id(with_now_doc(doc([], [led_stream(-60, -59)], [led_consumer("w1", -60, -58)], [])), "NATS-HLT-013")) == 0
	count(by_id(with_now_doc(doc([], [led_stream(-7200, -3600)], [], [])), "NATS-HLT-013")) == 0

	# No leader_since (nats-server before 2.11).
	count(by_id(with_now_doc(doc([], [object.remove(led_stream(-7200, -60), ["cluster"])], [], [])), "NATS-HLT-013")) == 0
}

# NATS-HLT-014: running config vs the repository's.

repo_server(digest, note, cfg, varz) := {"ref": "servers/0", "name": "n1", "sources": ["config", "live"], "config_file": "conf/n1.conf", "config": cfg, "config_env": {}, "config_digest": digest, "config_digest_note": note, "live": {"varz": object.union({"server_name": "n1"}, varz)}}

test_hlt_014_fires_digest_differs if {
	[f] := by_id(doc([repo_server("sha256:aaaaaaaaaaaaaaaa", "", {}, {"config_digest": "sha256:bbbbbbbbbbbbbbbb"})], [], [], []), "NATS-HLT-014")
	f.msg == "server n1 runs a config (digest bbbbbbbbbbbb) whose digest differs from that of conf/n1.conf in the repository"
	not contains(f.msg, "aaaa")
}

test_hlt_014_fires_settings_when_no_digest if {
	cfg := {"max_payload": 1048576, "jetstream": {"max_file_store": 1000}, "system_account": "$SYS_ACC"}
	[f] := by_id(doc([repo_server("", "the config includes other files", cfg, {"config_digest": "sha256:bb", "max_payload": 8388608, "jetstream": {"config": {"max_storage": 1000}}, "system_account": "SYS"})], [], [], []), "NATS-HLT-014")
	f.msg == "server n1 runs settings that differ from conf/n1.conf of the repository: max_payload 8388608 (repository: 1048576) (the digest is not compared: the config includes other files)"
}

test_hlt_014_quiet_same if {
	count(by_id(doc([repo_server("sha256:aa", "", {"max_payload": 1}, {"config_digest": "sha256:aa", "max_payload": 2})], [], [], []), "NATS-HLT-014")) == 0
	count(by_id(doc([repo_server("", "x", {"max_payload": 1}, {"max_payload": 1})], [], [], []), "NATS-HLT-014")) == 0

	# Live only: nothing to compare with.
	count(by_id(doc([live("n1", {"varz": {"server_name": "n1", "config_digest": "sha256:aa"}})], [], [], []), "NATS-HLT-014")) == 0
}

# conditions, one by one (issue 20), round 2

# Every stream threshold broken at once: a live, monitored stream reports;
# the same stream from a file, or not monitored, reports nothing.
all_broken_stream := object.union(
	mon_stream(
		{"io.nats.monitor.msgs-critical": "1", "io.nats.monitor.peer-expect": "3", "io.nats.monitor.peer-lag-critical": "1", "io.nats.monitor.peer-seen-critical": "1s", "io.nats.monitor.lag-critical": "1", "io.nats.monitor.seen-critical": "1s", "io.nats.monitor.min-sources": "5"},
		{"messages": 50},
		{"leader": "n1", "replicas": [{"name": "n2", "lag": 50, "active": 60000000000}]},
	),
	{"sources": [{"name": "A", "lag": 50, "active": 60000000000}]},
)

bad_duration_stream := mon_stream({"io.nats.monitor.peer-seen-critical": "soon"}, {}, {})

test_hlt_009_round2_live_and_monitored_only if {
	count(by_id(with_now_doc(doc([], [all_broken_stream], [], [])), "NATS-HLT-009")) == 7
	count(by_id(with_now_doc(doc([], [bad_duration_stream], [], [])), "NATS-HLT-009")) == 1
	every st in [all_broken_stream, bad_duration_stream] {
		count(by_id(with_now_doc(doc([], [object.union(st, {"source": "file"})], [], [])), "NATS-HLT-009")) == 0
		count(by_id(with_now_doc(doc([], [object.union(st, {"config": {"metadata": {"io.nats.monitor.enabled": "false"}}})], [], [])), "NATS-HLT-009")) == 0
	}
}

h9(meta, state, cluster, extra) := by_id(with_now_doc(doc([], [object.union(mon_stream(meta, state, cluster), extra)], [], [])), "NATS-HLT-009")

test_hlt_009_round2_boundaries if {
	# A replica lagging exactly the limit reports; one seen exactly the limit ago does not (more than).
	[a] := h9({"io.nats.monitor.peer-lag-critical": "100"}, {}, {"leader": "n1", "replicas": [{"name": "n2", "lag": 100}]}, {})
	contains(a.msg, "replica n2 lags 100 operations")
	count(h9({"io.nats.monitor.peer-seen-critical": "10s"}, {}, {"leader": "n1", "replicas": [{"name": "n2", "active": 10000000000}]}, {})) == 0

	# A source lagging / silent exactly the limit reports, and the message shows whole days, hours, minutes.
	src := {"sources": [{"name": "A", "lag": 100, "active": 86400000000000}]}
	{f.msg | some f in h9({"io.nats.monitor.lag-critical": "100", "io.nats.monitor.seen-critical": "1d"}, {}, {}, src)} == {
		"stream ORDERS (account APP): its source A lags 100 messages, at or above its io.nats.monitor.lag-critical 100",
		"stream ORDERS (account APP): its source A was last heard from 1d ago, at or above its io.nats.monitor.seen-critical 1d",
	}
	[h] := h9({"io.nats.monitor.seen-critical": "1h"}, {}, {}, {"sources": [{"name": "A", "active": 3600000000000}]})
	contains(h.msg, "last heard from 1h ago")
	[m] := h9({"io.nats.monitor.seen-critical": "1m"}, {}, {}, {"sources": [{"name": "A", "active": 60000000000}]})
	contains(m.msg, "last heard from 1m ago")

	# Zero thresholds are off: lag 0, active 0, no sources.
	count(h9({"io.nats.monitor.lag-critical": "0", "io.nats.monitor.seen-critical": "0s", "io.nats.monitor.max-sources": "0", "io.nats.monitor.min-sources": "0"}, {}, {}, {"sources": [{"name": "A", "lag": 0, "active": 0}]})) == 0

	# Exactly min-sources / max-sources is within the limits; above min is too.
	count(h9({"io.nats.monitor.min-sources": "1", "io.nats.monitor.max-sources": "1"}, {}, {}, {"sources": [{"name": "A"}]})) == 0
	count(h9({"io.nats.monitor.min-sources": "1"}, {}, {}, {"sources": [{"name": "A"}, {"name": "B"}]})) == 0
	[x] := h9({"io.nats.monitor.max-sources": "1"}, {}, {}, {"sources": [{"name": "A"}, {"name": "B"}]})
	x.msg == "stream ORDERS (account APP) has 2 sources, more than its io.nats.monitor.max-sources 1"
}

test_hlt_009_round2_threshold_directions if {
	# Not inverted: below the critical threshold is quiet, at it is high.
	count(h9({"io.nats.monitor.subjects-critical": "1000"}, {"num_subjects": 5}, {}, {})) == 0
	[a] := h9({"io.nats.monitor.subjects-critical": "1000"}, {"num_subjects": 1000}, {}, {})
	a.severity == "high"

	# Inverted: exactly the critical threshold reports.
	[b] := h9({"io.nats.monitor.msgs-warn": "100", "io.nats.monitor.msgs-critical": "10"}, {"messages": 10}, {}, {})
	b.severity == "high"
	contains(b.msg, "at or below its io.nats.monitor threshold 10")

	# Equal warning and critical are not inverted.
	count(h9({"io.nats.monitor.msgs-warn": "10", "io.nats.monitor.msgs-critical": "10"}, {"messages": 5}, {}, {})) == 0

	# A warning alone is not inverted (no critical to compare with).
	count(h9({"io.nats.monitor.msgs-warn": "100"}, {"messages": 50}, {}, {})) == 0
	[c] := h9({"io.nats.monitor.msgs-warn": "100"}, {"messages": 150}, {}, {})
	c.severity == "medium"
	c.msg == "stream ORDERS (account APP) has 150 msgs, at or above its io.nats.monitor threshold 100"

	# A threshold that is not a string (a hostile /jsz) is not a number.
	count(h9({"io.nats.monitor.msgs-critical": 1}, {"messages": 50}, {}, {})) == 0

	# An empty leader is not a peer.
	[p] := h9({"io.nats.monitor.peer-expect": "2"}, {}, {"leader": "", "replicas": [{"name": "n2"}]}, {})
	contains(p.msg, "has 1 peers")
}

all_broken_consumer := mon_consumer(
	{"io.nats.monitor.outstanding-ack-critical": "1", "io.nats.monitor.last-delivery-critical": "1m"},
	{"num_ack_pending": 5, "delivered": {"last_active": now_rfc(-600)}, "ack_floor": {}},
)

test_hlt_010_round2_live_and_monitored_only if {
	count(by_id(with_now_doc(doc([], [], [all_broken_consumer], [])), "NATS-HLT-010")) == 2
	bad := mon_consumer({"io.nats.monitor.last-ack-critical": "5 minutes"}, {"delivered": {}, "ack_floor": {}})
	count(by_id(with_now_doc(doc([], [], [bad], [])), "NATS-HLT-010")) == 1
	every c in [all_broken_consumer, bad] {
		count(by_id(with_now_doc(doc([], [], [object.union(c, {"source": "file"})], [])), "NATS-HLT-010")) == 0
		count(by_id(with_now_doc(doc([], [], [object.union(c, {"config": {"metadata": {"io.nats.monitor.enabled": "false"}}})], [])), "NATS-HLT-010")) == 0
	}

	# Exactly the last-delivery limit ago reports.
	c := mon_consumer({"io.nats.monitor.last-delivery-critical": "10m"}, {"delivered": {"consumer_seq": 4, "last_active": now_rfc(-600)}, "ack_floor": {"consumer_seq": 4, "last_active": now_rfc(-1)}})
	[f] := by_id(with_now_doc(doc([], [], [c], [])), "NATS-HLT-010")
	contains(f.msg, "last delivery 10m ago")
}

test_hlt_002_round2_exactly_medium if {
	[f] := by_id(doc([], [], [], [acct(8, 10, 0, -1)]), "NATS-HLT-002")
	f.severity == "medium"
	contains(f.msg, "80% of its JetStream max_streams (8 of 10)")
}
