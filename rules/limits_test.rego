package natsaudit.rules.limits_test

import data.natsaudit.rules.limits
import data.natsaudit.test.helpers

# Live fragments follow testdata/live/single.json (real nats-server 2.15.2).

findings(servers) := fs if {
	fs := limits.deny with input as {"servers": servers, "streams": [], "consumers": [], "errors": []}
}

by_id(servers, id) := helpers.hits(findings(servers), id)

srv(cfg) := {"ref": "servers/0", "name": "nats-1", "sources": ["config"], "config": cfg, "config_env": {}}

# Recorded varz values of a default server.
varz_default := {
	"server_id": "NCHZBP4EQ3WW74CL6A2GBT2NQRGKQDHYVA6ZXHTC7DJORHKLXHIYKNZE", "server_name": "single-1",
	"cluster": {}, "gateway": {}, "leaf": {},
	"connections": 1, "max_connections": 65536, "max_payload": 1048576, "max_pending": 67108864,
	"ping_interval": 120000000000, "ping_max": 2, "write_deadline": 10000000000,
	"slow_consumers": 0, "slow_consumer_stats": {"clients": 0, "gateways": 0, "leafs": 0, "routes": 0},
}

live(v) := {"ref": "servers/0", "name": "single-1", "sources": ["live"], "config": null, "config_env": {}, "live": {"varz": object.union(varz_default, v)}}

mb(n) := n * 1048576

# --- NATS-LIM-001 ---------------------------------------------------------

# LIM-001's fix: a stream made for larger messages is a conflict (its
# publishers would be refused); without one, the value and where it goes.
lim_stream(name, size, linked) := {"ref": "streams/0", "name": name, "source": "file", "linked_servers": linked, "config": {"max_msg_size": size}}

test_lim_001_fix_conflict_with_stream_max_msg_size if {
	fs := limits.deny with input as {"servers": [object.union(srv({"max_payload": mb(16)}), {"config_file": "nats.conf"})], "streams": [lim_stream("BLOBS", mb(12), ["servers/0"]), lim_stream("ELSEWHERE", mb(16), ["servers/7"])], "consumers": [], "errors": []}
	[f] := helpers.hits(fs, "NATS-LIM-001")
	f.remediation == "Conflict: the max_msg_size of stream BLOBS allows messages up to 12 MiB, so its publishers may send more than 8 MiB; once max_payload is lowered those publishes are refused (maximum payload exceeded). First move those payloads to the Object Store (`nats object put`) or chunk them, and lower that max_msg_size to 8 MiB; then set `max_payload: 8MB` in nats.conf."
}

test_lim_001_fix_account_limit_without_big_streams if {
	fs := limits.deny with input as {"servers": [srv({"accounts": {"APP": {"limits": {"max_payload": mb(9)}}}})], "streams": [lim_stream("SMALL", mb(1), [])], "consumers": [], "errors": []}
	[f] := helpers.hits(fs, "NATS-LIM-001")
	startswith(f.remediation, "Set `max_payload: 8MB` or less (1MB is the default) in the limits of account APP in the server's config. No stream defined for it accepts larger messages,")
}

# Two streams made for larger messages are listed together; a stream at
# exactly the recommended size is no conflict.
test_lim_001_fix_conflict_lists_streams if {
	fs := limits.deny with input as {"servers": [srv({"max_payload": mb(16)})], "streams": [lim_stream("B", mb(12), []), lim_stream("A", mb(9), []), lim_stream("EXACT", mb(8), [])], "consumers": [], "errors": []}
	[f] := helpers.hits(fs, "NATS-LIM-001")
	startswith(f.remediation, "Conflict: the max_msg_size of streams A, B allows messages up to 12 MiB,")
	endswith(f.remediation, "then set `max_payload: 8MB` in the server's config.")
}

test_lim_001_fix_stream_at_recommended_size_is_no_conflict if {
	fs := limits.deny with input as {"servers": [srv({"max_payload": mb(16)})], "streams": [lim_stream("EXACT", mb(8), [])], "consumers": []}
	[f] := helpers.hits(fs, "NATS-LIM-001")
	startswith(f.remediation, "Set `max_payload: 8MB` or less")
}

# Live: the live streams the server hosts count, not those of other
# servers; a definition linked to no server counts for every server.
test_lim_001_fix_live_stream_on_this_server if {
	big := {"ref": "streams/0", "name": "LIVEBIG", "source": "live", "servers": ["single-1"], "config": {"max_msg_size": mb(12)}}
	fs := limits.deny with input as {"servers": [live({"max_payload": mb(64)})], "streams": [big], "consumers": []}
	[f] := helpers.hits(fs, "NATS-LIM-001")
	startswith(f.remediation, "Conflict: the max_msg_size of stream LIVEBIG allows messages up to 12 MiB,")
	endswith(f.remediation, "then set `max_payload: 8MB` in the server's config.")
}

test_lim_001_fix_live_stream_of_other_server_not_counted if {
	other := {"ref": "streams/1", "name": "LIVEBIG", "source": "live", "servers": ["other-1"], "config": {"max_msg_size": mb(12)}}
	fs := limits.deny with input as {"servers": [srv({"max_payload": mb(16)})], "streams": [lim_stream("FILEBIG", mb(12), []), other], "consumers": []}
	[f] := helpers.hits(fs, "NATS-LIM-001")
	startswith(f.remediation, "Conflict: the max_msg_size of stream FILEBIG allows")
}

test_lim_001_fires_9mb if {
	[f] := by_id([srv({"max_payload": mb(9)})], "NATS-LIM-001")
	f.path == "config/max_payload"
	contains(f.msg, "9 MiB")
}

test_lim_001_quiet_exactly_8mb if {
	count(by_id([srv({"max_payload": mb(8)})], "NATS-LIM-001")) == 0
}

test_lim_001_quiet_unresolved_variable if {
	count(by_id([srv({"max_payload": "$MAX_PAYLOAD"})], "NATS-LIM-001")) == 0
}

test_lim_001_fires_account_limit if {
	[f] := by_id([srv({"accounts": {"APP": {"limits": {"max_payload": mb(16)}}}})], "NATS-LIM-001")
	f.path == "config/accounts/APP/limits/max_payload"
}

test_lim_001_quiet_account_limit_8mb if {
	count(by_id([srv({"accounts": {"APP": {"limits": {"max_payload": mb(8)}}}})], "NATS-LIM-001")) == 0
}

test_lim_001_fires_live if {
	[f] := by_id([live({"max_payload": mb(64)})], "NATS-LIM-001")
	f.path == "live/varz/max_payload"
}

test_lim_001_quiet_live_default if {
	count(by_id([live({})], "NATS-LIM-001")) == 0
}

test_lim_001_live_not_repeated_when_config_flags_it if {
	s := object.union(srv({"max_payload": mb(64)}), {"live": {"varz": object.union(varz_default, {"max_payload": mb(64)})}})
	[f] := by_id([s], "NATS-LIM-001")
	f.path == "config/max_payload"
}

# --- NATS-LIM-002 ---------------------------------------------------------

test_lim_002_fires_payload_above_pending if {
	[f] := by_id([srv({"max_payload": mb(32), "max_pending": mb(16)})], "NATS-LIM-002")
	contains(f.msg, "refuses to start")
}

test_lim_002_fires_payload_above_default_pending if {
	count(by_id([srv({"max_payload": mb(65)})], "NATS-LIM-002")) == 1
}

test_lim_002_quiet_payload_equal_pending if {
	count(by_id([srv({"max_payload": mb(64)})], "NATS-LIM-002")) == 0
}

test_lim_002_fires_short_lame_duck if {
	[f] := by_id([srv({"lame_duck_duration": 20000000000})], "NATS-LIM-002")
	f.path == "config/lame_duck_duration"
	contains(f.msg, "20s")
}

test_lim_002_quiet_30s_lame_duck if {
	count(by_id([srv({"lame_duck_duration": 30000000000})], "NATS-LIM-002")) == 0
}

test_lim_002_fires_grace_not_shorter if {
	[f] := by_id([srv({"lame_duck_duration": 60000000000, "lame_duck_grace_period": 60000000000})], "NATS-LIM-002")
	f.path == "config/lame_duck_grace_period"
}

test_lim_002_fires_grace_above_default_duration if {
	count(by_id([srv({"lame_duck_grace_period": 180000000000})], "NATS-LIM-002")) == 1
}

test_lim_002_quiet_grace_shorter if {
	count(by_id([srv({"lame_duck_duration": 60000000000, "lame_duck_grace_period": 59000000000})], "NATS-LIM-002")) == 0
}

# --- NATS-LIM-003 ---------------------------------------------------------

test_lim_003_fires_zero_connections_high if {
	[f] := by_id([srv({"max_connections": 0})], "NATS-LIM-003")
	helpers.sev(f) == "high"
}

test_lim_003_quiet_zero_before_2_14 if {
	# 0 meant the default (65536) before 2.14.
	s := object.union(srv({"max_connections": 0}), {"version": {"value": "2.12.15", "semver": "2.12.15", "series": "2.12", "source": "image_tag"}})
	count(by_id([s], "NATS-LIM-003")) == 0
}

test_lim_003_fires_negative_before_2_14_medium if {
	s := object.union(srv({"max_connections": -1}), {"version": {"value": "2.12.15", "semver": "2.12.15", "series": "2.12", "source": "image_tag"}})
	[f] := by_id([s], "NATS-LIM-003")
	helpers.sev(f) == "default"
	contains(f.msg, "removes the connection limit")
}

test_lim_003_fires_huge_limit if {
	[f] := by_id([srv({"max_connections": 5000000})], "NATS-LIM-003")
	helpers.sev(f) == "default"
}

test_lim_003_quiet_sized_limit if {
	count(by_id([srv({"max_connections": 1000})], "NATS-LIM-003")) == 0
}

test_lim_003_fires_live_91_percent if {
	[f] := by_id([live({"connections": 910, "max_connections": 1000})], "NATS-LIM-003")
	helpers.sev(f) == "high"
}

test_lim_003_fires_live_81_percent if {
	[f] := by_id([live({"connections": 810, "max_connections": 1000})], "NATS-LIM-003")
	helpers.sev(f) == "medium"
}

test_lim_003_quiet_live_79_percent if {
	count(by_id([live({"connections": 790, "max_connections": 1000})], "NATS-LIM-003")) == 0
}

test_lim_003_fires_live_refusing_all if {
	[f] := by_id([live({"max_connections": -1})], "NATS-LIM-003")
	f.path == "live/varz/max_connections"
}

# --- NATS-LIM-004 ---------------------------------------------------------

test_lim_004_fires_raised_max_pending if {
	[f] := by_id([srv({"max_pending": mb(128)})], "NATS-LIM-004")
	f.path == "config/max_pending"
}

test_lim_004_quiet_default_max_pending if {
	count(by_id([srv({"max_pending": mb(64)})], "NATS-LIM-004")) == 0
}

test_lim_004_fires_live if {
	count(by_id([live({"max_pending": mb(256)})], "NATS-LIM-004")) == 1
}

test_lim_004_quiet_live_default if {
	count(by_id([live({})], "NATS-LIM-004")) == 0
}

# --- NATS-LIM-005 ---------------------------------------------------------

test_lim_005_fires_long_write_deadline if {
	[f] := by_id([srv({"write_deadline": 120000000000})], "NATS-LIM-005")
	f.path == "config/write_deadline"
}

test_lim_005_fires_short_cluster_write_deadline if {
	[f] := by_id([srv({"cluster": {"port": 6222, "write_deadline": 500000000}})], "NATS-LIM-005")
	f.path == "config/cluster/write_deadline"
}

test_lim_005_quiet_60s if {
	count(by_id([srv({"write_deadline": 60000000000})], "NATS-LIM-005")) == 0
}

test_lim_005_fires_live if {
	count(by_id([live({"write_deadline": 90000000000})], "NATS-LIM-005")) == 1
}

test_lim_005_quiet_live_default if {
	count(by_id([live({})], "NATS-LIM-005")) == 0
}

# --- NATS-LIM-006 ---------------------------------------------------------

test_lim_006_fires_long_ping_interval if {
	[f] := by_id([srv({"ping_interval": 600000000000})], "NATS-LIM-006")
	contains(f.msg, "10m")
}

test_lim_006_fires_ping_max_1 if {
	[f] := by_id([srv({"ping_max": 1})], "NATS-LIM-006")
	f.path == "config/ping_max"
}

test_lim_006_quiet_sahool_values if {
	count(by_id([srv({"ping_interval": 120000000000, "ping_max": 3})], "NATS-LIM-006")) == 0
}

test_lim_006_fires_live_short_interval if {
	count(by_id([live({"ping_interval": 5000000000})], "NATS-LIM-006")) == 1
}

test_lim_006_quiet_live_default if {
	count(by_id([live({})], "NATS-LIM-006")) == 0
}

# --- NATS-LIM-007 ---------------------------------------------------------

test_lim_007_fires_slow_routes_medium if {
	[f] := by_id([live({"slow_consumers": 3, "slow_consumer_stats": {"clients": 0, "gateways": 0, "leafs": 0, "routes": 3}})], "NATS-LIM-007")
	helpers.sev(f) == "medium"
	f.path == "live/varz/slow_consumer_stats/routes"
}

test_lim_007_fires_slow_clients_low if {
	[f] := by_id([live({"slow_consumers": 7, "slow_consumer_stats": {"clients": 7, "gateways": 0, "leafs": 0, "routes": 0}})], "NATS-LIM-007")
	helpers.sev(f) == "low"
}

test_lim_007_quiet_recorded_zero if {
	count(by_id([live({})], "NATS-LIM-007")) == 0
}

test_lim_007_fires_old_server_total_only if {
	s := {"ref": "servers/0", "name": "old", "config": null, "live": {"varz": object.remove(object.union(varz_default, {"slow_consumers": 4}), ["slow_consumer_stats"])}}
	[f] := by_id([s], "NATS-LIM-007")
	f.path == "live/varz/slow_consumers"
}

# --- NATS-LIM-008 ---------------------------------------------------------

test_lim_008_fires_account_without_limits if {
	cfg := {"system_account": "SYS", "accounts": {"A": {"limits": {"max_connections": 100}}, "B": {}, "SYS": {}}}
	[f] := by_id([srv(cfg)], "NATS-LIM-008")
	f.path == "config/accounts/B"
}

test_lim_008_quiet_single_application_account if {
	cfg := {"system_account": "SYS", "accounts": {"APP": {}, "SYS": {}}}
	count(by_id([srv(cfg)], "NATS-LIM-008")) == 0
}

test_lim_008_quiet_all_accounts_limited if {
	cfg := {"system_account": "SYS", "accounts": {"A": {"limits": {"max_connections": 100}}, "B": {"limits": {"max_payload": 1048576}}, "SYS": {}}}
	count(by_id([srv(cfg)], "NATS-LIM-008")) == 0
}

# ------------------------------------------- conditions, one by one (issue 20)

# both(cfg, v): a server known from its config and its /varz.
both(cfg, v) := {"ref": "servers/0", "name": "nats-1", "sources": ["config", "live"], "config": cfg, "config_env": {}, "live": {"varz": object.union(varz_default, v)}}

versioned(cfg, v) := object.union(srv(cfg), {"version": {"value": v, "semver": v, "series": "2.x", "source": "image_tag", "raw": v}})

test_lim_001_bounds if {
	# Exactly params.limits.max_payload is allowed, live and in the config.
	count(by_id([live({"max_payload": 8388608})], "NATS-LIM-001")) == 0
	[f] := by_id([both({"max_payload": 8388608}, {"max_payload": 16777216})], "NATS-LIM-001")
	f.path == "live/varz/max_payload"
}

test_lim_002_bounds_and_defaults if {
	# The hard limit itself is accepted; max_pending 0 means the default.
	count(by_id([srv({"max_payload": 2147483647, "max_pending": 4294967296})], "NATS-LIM-002")) == 0
	count(by_id([srv({"max_payload": 1048576, "max_pending": 0})], "NATS-LIM-002")) == 0
}

test_lim_002_lame_duck_grace_against_duration if {
	# Only the duration set (8 s): too short, and the default grace (10 s)
	# is not shorter than it.
	fs := by_id([srv({"lame_duck_duration": 8000000000})], "NATS-LIM-002")
	count(fs) == 2

	# Only the grace period set (200 s): longer than the default duration.
	[g] := by_id([srv({"lame_duck_grace_period": 200000000000})], "NATS-LIM-002")
	g.path == "config/lame_duck_grace_period"

	# A duration of 0 means the default (120 s): only "too short" is said.
	[z] := by_id([srv({"lame_duck_duration": 0})], "NATS-LIM-002")
	z.path == "config/lame_duck_duration"
}

test_lim_003_versions_and_bounds if {
	count(by_id([versioned({"max_connections": -1}, "2.15.2")], "NATS-LIM-003")) == 1
	count(by_id([versioned({"max_connections": 0}, "2.14.0")], "NATS-LIM-003")) == 1
	count(by_id([versioned({"max_connections": 0}, "2.15.2")], "NATS-LIM-003")) == 1
	count(by_id([srv({"max_connections": 1000000})], "NATS-LIM-003")) == 0
}

test_lim_003_live_usage_thresholds_are_inclusive if {
	[m] := by_id([live({"max_connections": 100, "connections": 80})], "NATS-LIM-003")
	helpers.sev(m) == "medium"
	[h] := by_id([live({"max_connections": 100, "connections": 90})], "NATS-LIM-003")
	helpers.sev(h) == "high"
}

test_lim_003_live_refusal_reported_once if {
	count(by_id([live({"max_connections": 0, "connections": 0})], "NATS-LIM-003")) == 0
	count(by_id([both({"max_connections": -1}, {"max_connections": -1, "connections": 0})], "NATS-LIM-003")) == 1
	count(by_id([both({"max_connections": 0}, {"max_connections": -1, "connections": 0})], "NATS-LIM-003")) == 1
}

test_lim_004_live_reported_once_with_the_config if {
	count(by_id([both({"max_pending": 134217728}, {"max_pending": 134217728})], "NATS-LIM-004")) == 1
	[f] := by_id([both({"max_pending": 67108864}, {"max_pending": 134217728})], "NATS-LIM-004")
	f.path == "live/varz/max_pending"
}

test_lim_005_live_bounds if {
	count(by_id([both({}, {"write_deadline": 500000000})], "NATS-LIM-005")) == 0
	count(by_id([live({"write_deadline": 0})], "NATS-LIM-005")) == 0
	count(by_id([live({"write_deadline": 1000000000})], "NATS-LIM-005")) == 0
}

test_lim_006_bounds if {
	count(by_id([srv({"ping_max": 2})], "NATS-LIM-006")) == 0
	count(by_id([both({}, {"ping_interval": 1000000000})], "NATS-LIM-006")) == 0
	count(by_id([live({"ping_interval": 10000000000})], "NATS-LIM-006")) == 0
	count(by_id([live({"ping_interval": 300000000000})], "NATS-LIM-006")) == 0
}

test_lim_007_no_slow_consumers if {
	v := object.remove(object.union(varz_default, {"slow_consumers": 0}), ["slow_consumer_stats"])
	count(by_id([{"ref": "servers/0", "name": "single-1", "sources": ["live"], "config": null, "config_env": {}, "live": {"varz": v}}], "NATS-LIM-007")) == 0
}
