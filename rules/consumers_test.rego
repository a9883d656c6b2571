package natsaudit.rules.consumers_test

import data.natsaudit.rules.consumers
import data.natsaudit.test.helpers

# Live consumer fragments are trimmed from testdata/live/single.json (real
# nats-server 2.15.2, recorded by testdata/live/record).

findings(cs) := fs if {
	fs := consumers.deny with input as {"servers": [], "streams": [], "consumers": cs, "errors": []}
}

by_id(cs, id) := helpers.hits(findings(cs), id)

file_consumer(cfg) := {"ref": "consumers/0", "name": "billing-worker", "stream": "SAHOOL_EVENTS", "account": "", "source": "file", "config": cfg}

# Recorded: "worker" (explicit ack, max_deliver unset, max_ack_pending 10,
# fetched twice without acking) and "pusher" (push, nobody subscribed).
worker_config := {"ack_policy": "explicit", "ack_wait": 500000000, "deliver_policy": "all", "durable_name": "worker", "max_ack_pending": 10, "max_deliver": -1, "max_waiting": 512, "name": "worker", "num_replicas": 0, "replay_policy": "instant"}

worker_state := {"ack_floor": {"consumer_seq": 0, "stream_seq": 0}, "delivered": {"consumer_seq": 20, "last_active": "2026-11-23T23:20:27.085690463Z", "stream_seq": 10}, "num_ack_pending": 10, "num_pending": 75, "num_redelivered": 10, "num_waiting": 0}

pusher_config := {"ack_policy": "explicit", "ack_wait": 30000000000, "deliver_policy": "all", "deliver_subject": "deliver.pusher", "durable_name": "pusher", "max_ack_pending": 1000, "max_deliver": 5, "name": "pusher", "num_replicas": 0, "replay_policy": "instant"}

pusher_state := {"ack_floor": {"consumer_seq": 0, "stream_seq": 0}, "delivered": {"consumer_seq": 0, "stream_seq": 0}, "num_ack_pending": 0, "num_pending": 85, "num_redelivered": 0, "num_waiting": 0}

live_consumer(name, cfg, state) := {"ref": "consumers/0", "name": name, "stream": "ORDERS", "account": "APP", "source": "live", "config": cfg, "state": state}

worker(state) := live_consumer("worker", worker_config, object.union(worker_state, state))

# --- NATS-CON-001 ---------------------------------------------------------

test_con_001_fires_file_consumer_without_max_deliver if {
	# As the sahool billing-worker.json: no max_deliver, defaulted to -1.
	[f] := by_id([file_consumer({"durable_name": "billing-worker", "ack_policy": "explicit", "max_ack_pending": 1000, "max_deliver": -1})], "NATS-CON-001")
	f.path == "config/max_deliver"
	contains(f.msg, "billing-worker")
}

test_con_001_fires_recorded_live_worker if {
	count(by_id([worker({})], "NATS-CON-001")) == 1
}

test_con_001_quiet_with_max_deliver if {
	count(by_id([file_consumer({"durable_name": "billing-worker", "ack_policy": "explicit", "max_deliver": 5})], "NATS-CON-001")) == 0
}

test_con_001_quiet_ack_none if {
	count(by_id([file_consumer({"durable_name": "tail", "ack_policy": "none", "max_deliver": -1})], "NATS-CON-001")) == 0
}

# --- NATS-CON-002 ---------------------------------------------------------

test_con_002_fires_10001_pending_medium if {
	[f] := by_id([worker({"num_pending": 10001})], "NATS-CON-002")
	helpers.sev(f) == "medium"
	f.path == "state/num_pending"
}

test_con_002_fires_over_a_million_high if {
	[f] := by_id([worker({"num_pending": 1500000})], "NATS-CON-002")
	helpers.sev(f) == "high"
}

test_con_002_quiet_10000_pending if {
	count(by_id([worker({"num_pending": 10000})], "NATS-CON-002")) == 0
}

test_con_002_quiet_recorded_worker if {
	count(by_id([worker({})], "NATS-CON-002")) == 0
}

# --- NATS-CON-003 ---------------------------------------------------------

test_con_003_fires_recorded_worker_at_limit if {
	# Recorded: 10 of max_ack_pending 10.
	[f] := by_id([worker({})], "NATS-CON-003")
	f.path == "state/num_ack_pending"
	contains(f.msg, "10 of max_ack_pending 10")
}

test_con_003_fires_90_percent if {
	c := live_consumer("w", object.union(worker_config, {"max_ack_pending": 1000}), object.union(worker_state, {"num_ack_pending": 900}))
	count(by_id([c], "NATS-CON-003")) == 1
}

test_con_003_quiet_89_percent if {
	c := live_consumer("w", object.union(worker_config, {"max_ack_pending": 1000}), object.union(worker_state, {"num_ack_pending": 899}))
	count(by_id([c], "NATS-CON-003")) == 0
}

test_con_003_quiet_unlimited if {
	c := live_consumer("w", object.union(worker_config, {"max_ack_pending": -1}), object.union(worker_state, {"num_ack_pending": 50000}))
	count(by_id([c], "NATS-CON-003")) == 0
}

# --- NATS-CON-004 ---------------------------------------------------------

test_con_004_fires_101_redelivered if {
	[f] := by_id([worker({"num_redelivered": 101})], "NATS-CON-004")
	f.path == "state/num_redelivered"
}

test_con_004_quiet_100_redelivered if {
	count(by_id([worker({"num_redelivered": 100})], "NATS-CON-004")) == 0
}

test_con_004_quiet_recorded_worker if {
	count(by_id([worker({})], "NATS-CON-004")) == 0
}

# --- NATS-CON-005 ---------------------------------------------------------

test_con_005_fires_recorded_unbound_push_consumer if {
	# Recorded: push_bound is omitted when false.
	[f] := by_id([live_consumer("pusher", pusher_config, pusher_state)], "NATS-CON-005")
	contains(f.msg, "deliver.pusher")
}

test_con_005_quiet_bound_push_consumer if {
	count(by_id([live_consumer("pusher", pusher_config, object.union(pusher_state, {"push_bound": true}))], "NATS-CON-005")) == 0
}

test_con_005_quiet_unbound_without_pending if {
	count(by_id([live_consumer("pusher", pusher_config, object.union(pusher_state, {"num_pending": 0}))], "NATS-CON-005")) == 0
}

test_con_005_quiet_pull_consumer if {
	count(by_id([worker({})], "NATS-CON-005")) == 0
}
