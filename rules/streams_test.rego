package natsaudit.rules.streams_test

import data.natsaudit.rules.streams
import data.natsaudit.test.helpers

# Live stream fragments are trimmed from testdata/live/cluster-*.json and
# single.json (real nats-server 2.15.2, recorded by testdata/live/record).

findings(inp) := fs if {
	fs := streams.deny with input as object.union({"servers": [], "streams": [], "consumers": [], "errors": []}, inp)
}

by_id(inp, id) := helpers.hits(findings(inp), id)

# Server defaults as the stream sources apply them.
defaults := {"retention": "limits", "storage": "file", "discard": "old", "num_replicas": 1, "max_msgs": -1, "max_bytes": -1, "max_age": 0, "max_msgs_per_subject": -1, "max_consumers": -1, "max_msg_size": -1}

file_stream(name, cfg) := {"ref": "streams/0", "name": name, "account": "", "source": "file", "file": "streams/s.json", "config": object.union(object.union(defaults, {"name": name}), cfg), "cluster_size": 0}

live_stream(name, cfg, state, cluster, size) := {"ref": "streams/0", "name": name, "account": "APP", "source": "live", "config": object.union(object.union(defaults, {"name": name}), cfg), "state": state, "cluster": cluster, "servers": ["n1", "n2", "n3"], "cluster_size": size}

js_server(i, cfg) := {"ref": sprintf("servers/%d", [i]), "name": sprintf("nats-%d", [i + 1]), "sources": ["config"], "config_env": {}, "config": object.union({"jetstream": {"enabled": true, "store_dir": "/data"}}, cfg)}

# Three compose services of one JetStream cluster.
three_node := [js_server(i, {"server_name": "$SERVER_NAME", "cluster": {"name": "c", "port": 6222}}) | some i in numbers.range(0, 2)]

# Recorded: EVENTS (R3) as its leader n2 reports it in a healthy cluster.
events_cluster := {"leader": "n2", "leader_since": "2026-11-23T23:20:28.270937207Z", "name": "audit", "raft_group": "S-R3F-6QSkQTuc", "replicas": [
	{"active": 1071708589, "current": true, "name": "n1", "peer": "fjFyEjc1"},
	{"active": 1072253069, "current": true, "name": "n3", "peer": "BXScrY9i"},
]}

events_state := {"bytes": 870, "consumer_count": 1, "first_seq": 1, "first_ts": "2026-11-23T23:20:28.274091582Z", "last_seq": 20, "last_ts": "2026-11-23T23:20:28.280208957Z", "messages": 20, "num_subjects": 20}

# with_cluster replaces the cluster object (object.union would merge it).
with_cluster(st, c) := object.union(object.remove(st, ["cluster"]), {"cluster": c})

events := live_stream("EVENTS", {"num_replicas": 3, "max_bytes": 1048576, "subjects": ["events.>"]}, events_state, events_cluster, 3)

# --- NATS-STR-001 ---------------------------------------------------------

test_str_001_fires_r1_live_stream_in_three_node_cluster if {
	# Recorded: CACHE is R1 in the 3-node cluster.
	st := live_stream("CACHE", {"storage": "memory", "subjects": ["cache.>"]}, {"messages": 0, "bytes": 0}, {"leader": "n2", "name": "audit"}, 3)
	[f] := by_id({"streams": [st]}, "NATS-STR-001")
	f.path == "config/num_replicas"
	helpers.sev(f) == "default"
}

test_str_001_quiet_r3_live_stream if {
	count(by_id({"streams": [events]}, "NATS-STR-001")) == 0
}

test_str_001_fires_r1_file_stream_with_three_compose_nodes if {
	[f] := by_id({"servers": three_node, "streams": [file_stream("ORDERS", {})]}, "NATS-STR-001")
	contains(f.msg, "cluster of 3")
}

test_str_001_quiet_r1_file_stream_single_node if {
	count(by_id({"servers": [js_server(0, {"server_name": "n1"})], "streams": [file_stream("ORDERS", {})]}, "NATS-STR-001")) == 0
}

test_str_001_quiet_r1_file_stream_without_servers if {
	count(by_id({"streams": [file_stream("ORDERS", {})]}, "NATS-STR-001")) == 0
}

test_str_001_fires_with_assumed_cluster_size if {
	fs := by_id({"streams": [file_stream("ORDERS", {})]}, "NATS-STR-001") with data.natsaudit.params.streams.assumed_cluster_size as 3
	count(fs) == 1
}

test_str_001_quiet_allow_listed_r1 if {
	fs := by_id({"servers": three_node, "streams": [file_stream("SESSION_CACHE", {})]}, "NATS-STR-001") with data.natsaudit.params.streams.r1_allowed_patterns as ["(?i)cache"]
	count(fs) == 0
}

test_str_001_fires_even_replicas_low if {
	[f] := by_id({"servers": three_node, "streams": [file_stream("ORDERS", {"num_replicas": 2})]}, "NATS-STR-001")
	helpers.sev(f) == "low"
}

test_str_001_quiet_r3_file_stream_with_three_nodes if {
	count(by_id({"servers": three_node, "streams": [file_stream("ORDERS", {"num_replicas": 3})]}, "NATS-STR-001")) == 0
}

# STR-001's fix names the stream, its file and the replica count the
# cluster can place.
test_str_001_fix_r1_file_stream if {
	[f] := by_id({"servers": three_node, "streams": [file_stream("ORDERS", {"max_bytes": 1073741824})]}, "NATS-STR-001")
	f.remediation == "Give ORDERS 3 replicas (the cluster has 3 servers): `\"num_replicas\": 3` in streams/s.json. Each new replica reserves its max_bytes (1 GiB) on another server: 2 GiB more in all, which fits what max_file_store leaves free."
}

test_str_001_fix_live_memory_stream_has_no_reservation if {
	st := live_stream("CACHE", {"storage": "memory", "subjects": ["cache.>"], "max_bytes": 1048576}, {"messages": 0, "bytes": 0}, {"leader": "n2", "name": "audit"}, 3)
	[f] := by_id({"streams": [st]}, "NATS-STR-001")
	f.remediation == "Give CACHE 3 replicas (the cluster has 3 servers): `nats stream edit CACHE --replicas 3`."
}

# The new replicas do not fit the file store the linked cluster has left:
# the fix states the conflict and what to do first.
test_str_001_fix_conflict_with_file_reservation if {
	store := {"jetstream": {"enabled": true, "store_dir": "/data", "max_file_store": 1073741824}, "server_name": "$SERVER_NAME", "cluster": {"name": "c", "port": 6222}}
	servers := [js_server(i, store) | some i in numbers.range(0, 2)]
	orders := object.union(file_stream("ORDERS", {"max_bytes": 1073741824}), {"linked_servers": ["servers/0"]})
	big := object.union(file_stream("BIG", {"max_bytes": 629145600, "num_replicas": 3}), {"ref": "streams/1", "linked_servers": ["servers/0"]})
	[f] := by_id({"servers": servers, "streams": [orders, big]}, "NATS-STR-001")
	f.remediation == "Conflict: the cluster of server nats-1 has 248 MiB of file store left, but 3 replicas of its max_bytes 1 GiB reserve 2 GiB more, so nats-server refuses the change (error 10047). First lower other streams' max_bytes or raise max_file_store (NATS-JS-012), then give ORDERS 3 replicas (the cluster has 3 servers): `\"num_replicas\": 3` in streams/s.json."
}

# New replicas that exactly fill what the linked cluster has left fit
# (the stream's own replica is reserved: 3 x 1 GiB - 1 GiB = 2 GiB free).
test_str_001_fix_fits_exactly_the_free_file_store if {
	store := {"jetstream": {"enabled": true, "store_dir": "/data", "max_file_store": 1073741824}, "server_name": "$SERVER_NAME", "cluster": {"name": "c", "port": 6222}}
	servers := [js_server(i, store) | some i in numbers.range(0, 2)]
	orders := object.union(file_stream("ORDERS", {"max_bytes": 1073741824}), {"linked_servers": ["servers/0"]})
	[f] := by_id({"servers": servers, "streams": [orders]}, "NATS-STR-001")
	startswith(f.remediation, "Give ORDERS 3 replicas (the cluster has 3 servers): `\"num_replicas\": 3` in streams/s.json. Each new replica reserves its max_bytes (1 GiB)")
}

# A memory stream takes no file store: no file conflict, no reservation
# sentence; neither for a stream without a size (max_bytes 0).
test_str_001_fix_memory_stream_ignores_full_file_store if {
	store := {"jetstream": {"enabled": true, "store_dir": "/data", "max_file_store": 1073741824}, "server_name": "$SERVER_NAME", "cluster": {"name": "c", "port": 6222}}
	servers := [js_server(i, store) | some i in numbers.range(0, 2)]
	cache := object.union(file_stream("CACHE", {"max_bytes": 1073741824, "storage": "memory"}), {"linked_servers": ["servers/0"]})
	big := object.union(file_stream("BIG", {"max_bytes": 1073741824, "num_replicas": 3}), {"ref": "streams/1", "linked_servers": ["servers/0"]})
	[f] := by_id({"servers": servers, "streams": [cache, big]}, "NATS-STR-001")
	f.remediation == "Give CACHE 3 replicas (the cluster has 3 servers): `\"num_replicas\": 3` in streams/s.json."
}

test_str_001_fix_zero_max_bytes_has_no_reservation if {
	[f] := by_id({"servers": three_node, "streams": [file_stream("ORDERS", {"max_bytes": 0})]}, "NATS-STR-001")
	f.remediation == "Give ORDERS 3 replicas (the cluster has 3 servers): `\"num_replicas\": 3` in streams/s.json."
}

# Even counts: one more when the cluster has the servers, else one less.
test_str_001_fix_even_count_raised if {
	st := object.union(file_stream("ORDERS", {"num_replicas": 2}), {"source": "nack", "file": "k8s/orders.yaml"})
	[f] := by_id({"servers": three_node, "streams": [st]}, "NATS-STR-001")
	f.remediation == "Give ORDERS 3 replicas (the cluster has 3 servers): `replicas: 3` in k8s/orders.yaml (NACK)."
}

test_str_001_fix_even_count_above_cluster_size if {
	st := live_stream("WIDE", {"num_replicas": 4}, {"messages": 0, "bytes": 0}, {"leader": "n2", "name": "audit"}, 3)
	[f] := by_id({"streams": [st]}, "NATS-STR-001")
	f.remediation == "Conflict: the JetStream cluster has 3 servers, so 5 replicas cannot be placed. Lower it to 3 replicas, which tolerate as many failures as 4: `nats stream edit WIDE --replicas 3`."
}

test_str_001_fix_even_count_cluster_unknown if {
	[f] := by_id({"streams": [file_stream("ORDERS", {"num_replicas": 2})]}, "NATS-STR-001")
	f.remediation == "Use 3 replicas if the cluster has 3 servers (nats-server refuses more replicas than servers), else 1: `\"num_replicas\": 3` in streams/s.json."
}

# --- NATS-STR-003 ---------------------------------------------------------

test_str_003_fires_no_leader_critical if {
	# Recorded: EVENTS seen by n1 after n2 and n3 went down.
	c := {"name": "audit", "raft_group": "S-R3F-6QSkQTuc", "replicas": [
		{"active": 8003175367, "current": true, "name": "n1", "peer": "fjFyEjc1"},
		{"active": 0, "current": false, "name": "n2", "offline": true, "peer": "44jzkV9D"},
		{"active": 0, "current": false, "name": "n3", "offline": true, "peer": "BXScrY9i"},
	]}
	st := with_cluster(events, c)
	[f] := by_id({"streams": [st]}, "NATS-STR-003")
	helpers.sev(f) == "critical"
	f.path == "cluster/leader"
}

test_str_003_fires_offline_replica if {
	# Recorded: the leader n2's view after n3 was shut down.
	c := object.union(events_cluster, {"replicas": [
		{"active": 107080970, "current": true, "name": "n1", "peer": "fjFyEjc1"},
		{"active": 7096818717, "current": true, "name": "n3", "offline": true, "peer": "BXScrY9i"},
	]})
	[f] := by_id({"streams": [with_cluster(events, c)]}, "NATS-STR-003")
	contains(f.msg, "n3 offline")
}

test_str_003_fires_unseen_replica_as_offline if {
	# The leader has not heard from n3 for 12s (a crashed server is not
	# flagged offline at once): offline, not "not current".
	c := object.union(events_cluster, {"replicas": [
		{"active": 107080970, "current": true, "name": "n1"},
		{"active": 12000000000, "current": false, "name": "n3"},
	]})
	[f] := by_id({"streams": [with_cluster(events, c)]}, "NATS-STR-003")
	contains(f.msg, "n3 offline (not seen by the leader for 12s)")
}

test_str_003_quiet_recently_seen_replica_not_offline if {
	c := object.union(events_cluster, {"replicas": [
		{"active": 107080970, "current": true, "name": "n1"},
		{"active": 2000000000, "current": false, "name": "n3"},
	]})
	[f] := by_id({"streams": [with_cluster(events, c)]}, "NATS-STR-003")
	not contains(f.msg, "offline")
	contains(f.msg, "n3 not current")
}

test_str_003_fires_lagging_replica if {
	c := object.union(events_cluster, {"replicas": [
		{"active": 1071708589, "current": true, "name": "n1"},
		{"active": 1072253069, "current": false, "name": "n3", "lag": 25000},
	]})
	[f] := by_id({"streams": [with_cluster(events, c)]}, "NATS-STR-003")
	contains(f.msg, "lagging by 25000")
}

test_str_003_quiet_follower_view if {
	# Recorded: follower n1's view (no leader_since): the other follower
	# is listed as not current, which is normal.
	c := {"leader": "n2", "name": "audit", "raft_group": "S-R3F-6QSkQTuc", "replicas": [
		{"active": 1069698368, "current": true, "name": "n2", "peer": "44jzkV9D"},
		{"active": 0, "current": false, "name": "n3", "peer": "BXScrY9i"},
	]}
	count(by_id({"streams": [with_cluster(events, c)]}, "NATS-STR-003")) == 0
}

test_str_003_quiet_healthy_leader_view if {
	count(by_id({"streams": [events]}, "NATS-STR-003")) == 0
}

test_str_003_fires_replicas_above_cluster_size if {
	[f] := by_id({"servers": [js_server(0, {"server_name": "n1"})], "streams": [file_stream("ORDERS", {"num_replicas": 3})]}, "NATS-STR-003")
	contains(f.msg, "cannot be placed")
}

test_str_003_quiet_replicas_fit_cluster if {
	count(by_id({"servers": three_node, "streams": [file_stream("ORDERS", {"num_replicas": 3})]}, "NATS-STR-003")) == 0
}

# --- NATS-STR-004 ---------------------------------------------------------

test_str_004_fires_unbounded_nack_stream if {
	st := object.union(file_stream("SAHOOL_EVENTS", {"subjects": ["sahool.events.>"]}), {"source": "nack"})
	[f] := by_id({"streams": [st]}, "NATS-STR-004")
	f.path == "config"
}

test_str_004_quiet_with_max_age if {
	count(by_id({"streams": [file_stream("EVENTS", {"max_age": 2592000000000000})]}, "NATS-STR-004")) == 0
}

test_str_004_quiet_with_max_msgs_per_subject if {
	count(by_id({"streams": [file_stream("KV_config", {"max_msgs_per_subject": 1})]}, "NATS-STR-004")) == 0
}

test_str_004_quiet_workqueue if {
	count(by_id({"streams": [file_stream("JOBS", {"retention": "workqueue"})]}, "NATS-STR-004")) == 0
}

# --- NATS-STR-005 ---------------------------------------------------------

orders(messages) := live_stream("ORDERS", {"max_msgs": 100, "discard": "new", "subjects": ["orders.>"]}, {"messages": messages, "bytes": 3390, "first_seq": 1, "last_seq": messages}, {"leader": "single-1"}, 0)

test_str_005_fires_81_percent_medium if {
	[f] := by_id({"streams": [orders(81)]}, "NATS-STR-005")
	helpers.sev(f) == "medium"
	f.path == "state/messages"
	contains(f.msg, "publishes will fail")
}

test_str_005_fires_recorded_85_percent if {
	# Recorded: ORDERS with max_msgs 100 and 85 messages.
	[f] := by_id({"streams": [orders(85)]}, "NATS-STR-005")
	contains(f.msg, "85%")
}

test_str_005_fires_91_percent_high if {
	[f] := by_id({"streams": [orders(91)]}, "NATS-STR-005")
	helpers.sev(f) == "high"
}

test_str_005_quiet_79_percent if {
	count(by_id({"streams": [orders(79)]}, "NATS-STR-005")) == 0
}

test_str_005_fires_bytes_discard_old if {
	st := live_stream("EVENTS", {"max_bytes": 1048576}, {"messages": 20, "bytes": 1000000}, events_cluster, 3)
	[f] := by_id({"streams": [st]}, "NATS-STR-005")
	contains(f.msg, "deleted silently")
}

test_str_005_quiet_file_stream_without_state if {
	count(by_id({"streams": [file_stream("ORDERS", {"max_msgs": 100})]}, "NATS-STR-005")) == 0
}

# --- NATS-STR-006 ---------------------------------------------------------

dlq := file_stream("SAHOOL_DLQ", {"subjects": ["sahool.dlq.>"], "max_msgs": 100000, "max_bytes": 10737418240, "max_age": 2592000000000000, "discard": "old"})

test_str_006_fires_dlq_discard_old if {
	[f] := by_id({"streams": [dlq]}, "NATS-STR-006")
	f.path == "config/discard"
	contains(f.msg, "max_msgs 100000")
	contains(f.msg, "max_bytes 10 GiB")
	contains(f.msg, "max_age 30d")
}

test_str_006_quiet_dlq_discard_new if {
	count(by_id({"streams": [object.union(dlq, {"config": object.union(dlq.config, {"discard": "new"})})]}, "NATS-STR-006")) == 0
}

test_str_006_quiet_dlq_without_limits if {
	st := file_stream("SAHOOL_DLQ", {"subjects": ["sahool.dlq.>"]})
	count(by_id({"streams": [st]}, "NATS-STR-006")) == 0
}

test_str_006_fires_advisory_capture if {
	# Recorded: DLQ capturing the MAX_DELIVERIES advisories, max_msgs 1000.
	st := live_stream("ADVISORIES", {"subjects": ["$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>"], "max_msgs": 1000}, {"messages": 0, "bytes": 0}, {"leader": "single-1"}, 0)
	count(by_id({"streams": [st]}, "NATS-STR-006")) == 1
}

test_str_006_fires_wildcard_advisory_capture if {
	st := file_stream("EVENTS_AUDIT", {"subjects": ["$JS.EVENT.ADVISORY.CONSUMER.*.ORDERS.*"], "max_age": 86400000000000})
	count(by_id({"streams": [st]}, "NATS-STR-006")) == 1
}

test_str_006_quiet_other_advisories if {
	st := file_stream("EVENTS_AUDIT", {"subjects": ["$JS.EVENT.ADVISORY.STREAM.>"], "max_age": 86400000000000})
	count(by_id({"streams": [st]}, "NATS-STR-006")) == 0
}

test_str_006_quiet_name_lookalike if {
	# "dlqueue" or "handled" are not dead-letter names.
	st := file_stream("ORDERS_HANDLED", {"subjects": ["orders.handled.>"], "max_msgs": 1000})
	count(by_id({"streams": [st]}, "NATS-STR-006")) == 0
}

# --- NATS-STR-007 ---------------------------------------------------------

test_str_007_fires_workqueue_discard_old_with_limit if {
	[f] := by_id({"streams": [file_stream("JOBS", {"retention": "workqueue", "max_msgs": 10000})]}, "NATS-STR-007")
	f.path == "config/discard"
}

test_str_007_quiet_workqueue_discard_new if {
	count(by_id({"streams": [file_stream("JOBS", {"retention": "workqueue", "max_msgs": 10000, "discard": "new"})]}, "NATS-STR-007")) == 0
}

test_str_007_quiet_limits_retention if {
	count(by_id({"streams": [file_stream("JOBS", {"max_msgs": 10000})]}, "NATS-STR-007")) == 0
}

# --- NATS-STR-008 ---------------------------------------------------------

test_str_008_fires_r1_memory_stream if {
	[f] := by_id({"streams": [file_stream("CACHE", {"storage": "memory"})]}, "NATS-STR-008")
	f.path == "config/storage"
}

test_str_008_quiet_r3_memory_stream if {
	count(by_id({"streams": [file_stream("CACHE", {"storage": "memory", "num_replicas": 3})]}, "NATS-STR-008")) == 0
}

test_str_008_quiet_r1_file_stream if {
	count(by_id({"streams": [file_stream("CACHE", {})]}, "NATS-STR-008")) == 0
}

# FP-UNLINKED-STREAM: a definition file linked to a single server is judged
# against that server, not against an unrelated 3-node cluster.
test_str_001_quiet_r1_file_stream_linked_to_single_server if {
	solo := js_server(3, {"server_name": "solo"})
	st := object.union(file_stream("STREAM", {}), {"linked_servers": ["servers/3"]})
	count(by_id({"servers": array.concat(three_node, [solo]), "streams": [st]}, "NATS-STR-001")) == 0
}

test_str_001_fires_r1_file_stream_linked_to_the_cluster if {
	solo := js_server(3, {"server_name": "solo"})
	st := object.union(file_stream("STREAM", {}), {"linked_servers": ["servers/0", "servers/1", "servers/2"]})
	[f] := by_id({"servers": array.concat(three_node, [solo]), "streams": [st]}, "NATS-STR-001")
	contains(f.msg, "cluster of 3")
}

# NATS-STR-004's remediation is computed from the deployment: the stream's own
# name, a max_bytes that fits the free reservation, or the conflict when the
# reservation is full (issue 19).

str004_server(store) := js_server(0, {"jetstream": {"enabled": true, "store_dir": "/data", "max_file_store": store}})

str004_linked(st, i) := object.union(st, {"ref": sprintf("streams/%d", [i]), "linked_servers": ["servers/0"]})

test_str_004_fires_with_conflict_when_reservation_full if {
	dlq := str004_linked(file_stream("SAHOOL_DLQ", {"max_bytes": 10737418240}), 0)
	ev := str004_linked(object.union(file_stream("SAHOOL_EVENTS", {}), {"source": "nack", "file": "jetstream/streams/sahool-events.yaml"}), 1)
	[f] := by_id({"servers": [str004_server(10737418240)], "streams": [dlq, ev]}, "NATS-STR-004")
	startswith(f.remediation, "Conflict: the file streams defined for server nats-1 already reserve all of its max_file_store 10 GiB (SAHOOL_DLQ 10 GiB), so nats-server refuses any `--max-bytes` for SAHOOL_EVENTS")
	contains(f.remediation, "lower the max_bytes of SAHOOL_DLQ (halving it frees 5 GiB: `nats stream edit SAHOOL_DLQ --max-bytes 5368709120`)")
	contains(f.remediation, "nats stream edit SAHOOL_EVENTS --max-age 30d")
	contains(f.remediation, "(NACK, in jetstream/streams/sahool-events.yaml: `maxAge: 30d`.)")
	not contains(f.remediation, "EVENTS --max-bytes")
}

test_str_004_fires_with_free_reservation_shared if {
	a := str004_linked(file_stream("ARCHIVE", {"max_bytes": 4294967296}), 0)
	b := str004_linked(file_stream("ORDERS", {}), 1)
	c := str004_linked(file_stream("AUDIT", {}), 2)
	fs := by_id({"servers": [str004_server(10737418240)], "streams": [a, b, c]}, "NATS-STR-004")
	some f in fs
	contains(f.msg, "stream ORDERS")
	contains(f.remediation, "Bound it within what server nats-1 has not reserved yet (6 GiB of max_file_store 10 GiB; nats-server refuses a larger max_bytes, error 10047), shared by its 2 unbounded file streams")
	contains(f.remediation, "nats stream edit ORDERS --max-bytes 3221225472 --max-age 30d")
	contains(f.remediation, "(In streams/s.json: `\"max_bytes\": 3221225472`, `\"max_age\"` in nanoseconds.)")
}

test_str_004_fires_live_with_free_store if {
	v := {"server_name": "n1", "jetstream": {"config": {"max_storage": 2147483648}, "stats": {"reserved_storage": 1073741824}}}
	s := {"ref": "servers/0", "name": "n1", "sources": ["live"], "config": null, "config_env": {}, "live": {"endpoint": "http://n1:8222", "varz": v}}
	st := live_stream("LOGS", {}, {"messages": 1, "bytes": 10}, {}, 1)
	[f] := by_id({"servers": [s], "streams": [st]}, "NATS-STR-004")
	contains(f.remediation, "nats stream edit LOGS --max-bytes 1073741824 --max-age 30d")
	not contains(f.remediation, "NACK")
}

test_str_004_quiet_fix_is_generic_without_a_store if {
	# No max_file_store to compute from: the stream's own name, a generic size.
	[f] := by_id({"streams": [file_stream("TELEMETRY", {})]}, "NATS-STR-004")
	contains(f.remediation, "nats stream edit TELEMETRY --max-bytes 10GB --max-age 30d")
	not contains(f.remediation, "Conflict")
}

test_str_004_quiet_memory_stream_gets_generic_fix if {
	dlq := str004_linked(file_stream("DLQ", {"max_bytes": 10737418240}), 0)
	mem := str004_linked(file_stream("CACHE", {"storage": "memory"}), 1)
	fs := by_id({"servers": [str004_server(10737418240)], "streams": [dlq, mem]}, "NATS-STR-004")
	some f in fs
	contains(f.msg, "stream CACHE")
	contains(f.remediation, "nats stream edit CACHE --max-bytes 10GB")
	not contains(f.remediation, "Conflict")
}

test_str_004_fires_room_of_its_own_server if {
	# servers/0 is full; the stream is defined for servers/1, which has room.
	full := str004_server(1073741824)
	roomy := js_server(1, {"jetstream": {"enabled": true, "store_dir": "/data", "max_file_store": 2147483648}})
	big := object.union(file_stream("BIG", {"max_bytes": 1073741824}), {"ref": "streams/0", "linked_servers": ["servers/0"]})
	ev := object.union(file_stream("EV", {}), {"ref": "streams/1", "linked_servers": ["servers/1"]})
	fs := by_id({"servers": [full, roomy], "streams": [big, ev]}, "NATS-STR-004")
	some f in fs
	contains(f.msg, "stream EV")
	contains(f.remediation, "nats stream edit EV --max-bytes 2147483648 --max-age 30d")
}

test_str_004_fires_conflict_json_definition if {
	dlq := str004_linked(file_stream("DLQ", {"max_bytes": 10737418240}), 0)
	ev := str004_linked(file_stream("EV", {}), 1)
	fs := by_id({"servers": [str004_server(10737418240)], "streams": [dlq, ev]}, "NATS-STR-004")
	some f in fs
	contains(f.msg, "stream EV")
	endswith(f.remediation, "(In streams/s.json: `\"max_age\"` in nanoseconds.)")
}

live_str004(stream_cfg, servers, max_storage) := {"servers": [{"ref": "servers/0", "name": "n1", "sources": ["live"], "config": null, "config_env": {}, "live": {"endpoint": "http://n1:8222", "varz": {"server_name": "n1", "jetstream": {"config": {"max_storage": max_storage}, "stats": {"reserved_storage": 0}}}}}], "streams": [object.union(live_stream("LOGS", stream_cfg, {"messages": 1, "bytes": 10}, {}, 1), {"servers": servers})]}

test_str_004_quiet_live_fix_generic_without_room_data if {
	# A memory stream, a stream on another server, a server without a store:
	# the generic fix.
	every inp in [live_str004({"storage": "memory"}, ["n1"], 1073741824), live_str004({}, ["n2"], 1073741824), live_str004({}, ["n1"], 0)] {
		[f] := by_id(inp, "NATS-STR-004")
		contains(f.remediation, "nats stream edit LOGS --max-bytes 10GB")
		not contains(f.remediation, "(In ")
	}
}

# conditions, one by one (issue 20), round 2

lead := {"leader": "n2", "leader_since": "2026-11-23T23:20:28.270937207Z", "name": "audit"}

str003(replicas, cluster) := by_id({"streams": [live_stream("EVENTS", {"num_replicas": 3, "max_bytes": 1048576}, {"messages": 1}, object.union(cluster, {"replicas": replicas}), 3)]}, "NATS-STR-003")

test_str_003_round2_replica_problems if {
	# A current replica heard from 6s ago is fine; a lag of exactly the limit too.
	count(str003([{"name": "n1", "current": true, "active": 6000000000, "lag": 1000}], lead)) == 0

	# Not current, exactly the offline threshold: offline; a follower's view
	# (no leader_since) does not count.
	[a] := str003([{"name": "n1", "current": false, "active": 5000000000}], lead)
	a.msg == "stream EVENTS (leader n2) has degraded replicas: n1 offline (not seen by the leader for 5s)"
	count(str003([{"name": "n1", "current": false, "active": 10000000000}], object.remove(lead, ["leader_since"]))) == 0

	# Without a leader only the leader finding, not the replicas'.
	[c] := str003([{"name": "n1", "current": false, "lag": 5000}], {"leader": "", "name": "audit"})
	c.path == "cluster/leader"
}

test_str_003_round2_file_stream_without_cluster if {
	count(by_id({"streams": [file_stream("EVENTS", {"num_replicas": 3})]}, "NATS-STR-003")) == 0
}

test_str_001_round2_zero_replicas if {
	count(by_id({"streams": [file_stream("EVENTS", {"num_replicas": 0})]}, "NATS-STR-001")) == 0
}

test_str_004_round2_sealed_and_zero if {
	count(by_id({"streams": [file_stream("ARCHIVE", {"sealed": true})]}, "NATS-STR-004")) == 0

	# 0 is no limit, as -1.
	count(by_id({"streams": [file_stream("EVENTS", {"max_msgs": 0})]}, "NATS-STR-004")) == 1
}

str005(messages) := by_id({"streams": [live_stream("EVENTS", {"max_msgs": 100}, {"messages": messages, "bytes": 0}, lead, 1)]}, "NATS-STR-005")

test_str_005_round2_boundaries if {
	[a] := str005(80)
	a.severity == "medium"
	[b] := str005(90)
	b.severity == "high"
	[c] := str005(89)
	c.severity == "medium"
	count(str005(79)) == 0
}
