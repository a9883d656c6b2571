package natsaudit.rules.ops_test

import data.natsaudit.rules.ops
import data.natsaudit.test.helpers

# Live fragments are trimmed from testdata/live/*.json (real nats-server
# 2.15.2, recorded by testdata/live/record).

findings(inp) := fs if {
	fs := ops.deny with input as object.union({"servers": [], "streams": [], "consumers": [], "errors": []}, inp)
}

by_id(inp, id) := helpers.hits(findings(inp), id)

srv(cfg) := {"ref": "servers/0", "name": "nats-1", "sources": ["config"], "config": cfg, "config_env": {}}

composed(cfg, d) := object.union(srv(cfg), {"sources": ["config", "compose"], "deployment": object.union({"kind": "compose", "service": "nats", "memory_limit": 0, "stop_grace_period": 0, "stop_signal": ""}, d)})

live(i, name, doc) := {"ref": sprintf("servers/%d", [i]), "name": name, "sources": ["live"], "config": null, "config_env": {}, "live": doc}

varz_member(name, digest) := {"server_name": name, "server_id": name, "cluster": {"name": "audit", "cluster_port": 6222}, "config_digest": digest}

# --- NATS-OPS-001 ---------------------------------------------------------

test_ops_001_fires_debug_true if {
	[f] := by_id({"servers": [srv({"debug": true, "trace": false})]}, "NATS-OPS-001")
	f.path == "config/debug"
}

test_ops_001_fires_trace_from_compose_flag if {
	# `-DV` on the command line sets both.
	fs := by_id({"servers": [composed({"debug": true, "trace": true}, {"flag_names": ["DV"]})]}, "NATS-OPS-001")
	count(fs) == 2
}

test_ops_001_quiet_debug_false if {
	count(by_id({"servers": [srv({"debug": false, "trace": false, "logtime": true})]}, "NATS-OPS-001")) == 0
}

# --- NATS-OPS-002 ---------------------------------------------------------

test_ops_002_fires_logfile_without_limit if {
	[f] := by_id({"servers": [srv({"logfile": "/var/log/nats.log"})]}, "NATS-OPS-002")
	f.path == "config/logfile"
}

test_ops_002_fires_unlimited_rotated_files if {
	[f] := by_id({"servers": [srv({"logfile": "/var/log/nats.log", "logfile_size_limit": 104857600})]}, "NATS-OPS-002")
	f.path == "config/logfile_size_limit"
}

test_ops_002_quiet_rotated_and_bounded if {
	count(by_id({"servers": [srv({"logfile": "/var/log/nats.log", "logfile_size_limit": 104857600, "logfile_max_num": 10})]}, "NATS-OPS-002")) == 0
}

test_ops_002_quiet_with_size_limit_from_the_environment if {
	# logfile_size_limit: $LOG_LIMIT: set, value unknown (not "absent").
	count(by_id({"servers": [srv({"logfile": "/var/log/nats.log", "logfile_size_limit": "$LOG_LIMIT", "logfile_max_num": "$LOG_MAX"})]}, "NATS-OPS-002")) == 0
}

test_ops_002_quiet_stdout_logging if {
	count(by_id({"servers": [srv({"debug": false})]}, "NATS-OPS-002")) == 0
}

# --- NATS-OPS-003 ---------------------------------------------------------

test_ops_003_fires_recorded_no_quorum_critical if {
	# Recorded: n1 alone, HTTP 503.
	h := {"errors": [{"error": "JetStream has not established contact with a meta leader", "type": "JETSTREAM"}], "status": "error"}
	[f] := by_id({"servers": [live(0, "n1", {"healthz": h, "healthz_status": 503})]}, "NATS-OPS-003")
	helpers.sev(f) == "critical"
	contains(f.msg, "JETSTREAM JetStream has not established contact")
}

test_ops_003_fires_consumer_error_high if {
	h := {"errors": [{"account": "APP", "consumer": "worker", "error": "consumer not current", "stream": "ORDERS", "type": "CONSUMER"}], "status": "error"}
	[f] := by_id({"servers": [live(0, "n1", {"healthz": h, "healthz_status": 503})]}, "NATS-OPS-003")
	helpers.sev(f) == "high"
}

test_ops_003_fires_stream_error_critical if {
	# A stream in error is data that can't be read or written: critical like
	# JetStream itself, not high like a consumer. The shape is nats-server's
	# healthz?details=true error for a stream without a current leader.
	h := {"errors": [{"account": "APP", "error": "JetStream stream 'APP > ORDERS' is not current", "stream": "ORDERS", "type": "STREAM"}], "status": "error"}
	[f] := by_id({"servers": [live(0, "n1", {"healthz": h, "healthz_status": 503})]}, "NATS-OPS-003")
	helpers.sev(f) == "critical"
	contains(f.msg, "STREAM JetStream stream 'APP > ORDERS' is not current")
}

test_ops_003_fires_stream_among_consumer_errors_critical if {
	# One stream error among consumer errors decides the severity.
	h := {
		"errors": [
			{"account": "APP", "consumer": "worker", "error": "consumer not current", "stream": "ORDERS", "type": "CONSUMER"},
			{"account": "APP", "error": "JetStream stream 'APP > ORDERS' is not current", "stream": "ORDERS", "type": "STREAM"},
		],
		"status": "error",
	}
	[f] := by_id({"servers": [live(0, "n1", {"healthz": h, "healthz_status": 503})]}, "NATS-OPS-003")
	helpers.sev(f) == "critical"
}

test_ops_003_fires_status_code_only if {
	[f] := by_id({"servers": [live(0, "n1", {"healthz": {"status": "unavailable", "error": "JetStream is not current with the meta leader"}, "healthz_status": 503})]}, "NATS-OPS-003")
	contains(f.msg, "not current with the meta leader")
}

test_ops_003_fires_without_details_for_empty_error if {
	[f] := by_id({"servers": [live(0, "n1", {"healthz": {"status": "unavailable", "error": ""}, "healthz_status": 503})]}, "NATS-OPS-003")
	endswith(f.msg, "(healthz unavailable, HTTP 503)")
}

test_ops_003_fires_without_details_for_non_string_error if {
	# A hostile or broken endpoint: the error is not quoted unless it is text.
	[f] := by_id({"servers": [live(0, "n1", {"healthz": {"status": "unavailable", "error": 42}, "healthz_status": 503})]}, "NATS-OPS-003")
	endswith(f.msg, "(healthz unavailable, HTTP 503)")
}

test_ops_003_quiet_recorded_ok if {
	count(by_id({"servers": [live(0, "n1", {"healthz": {"status": "ok"}, "healthz_status": 200})]}, "NATS-OPS-003")) == 0
}

# --- NATS-OPS-004 ---------------------------------------------------------

test_ops_004_fires_lame_duck_longer_than_default_grace if {
	[f] := by_id({"servers": [composed({"lame_duck_duration": 30000000000}, {})]}, "NATS-OPS-004")
	f.path == "config/lame_duck_duration"
	contains(f.msg, "30s")
	contains(f.msg, "10s")
}

test_ops_004_fires_sigusr2_with_short_grace if {
	[f] := by_id({"servers": [composed({}, {"stop_signal": "SIGUSR2", "stop_grace_period": 60000000000})]}, "NATS-OPS-004")
	f.path == "deployment/stop_grace_period"
	contains(f.msg, "2m")
}

test_ops_004_quiet_grace_covers_lame_duck if {
	count(by_id({"servers": [composed({"lame_duck_duration": 30000000000}, {"stop_signal": "SIGUSR2", "stop_grace_period": 45000000000})]}, "NATS-OPS-004")) == 0
}

test_ops_004_quiet_compose_without_lame_duck_settings if {
	count(by_id({"servers": [composed({"debug": false}, {})]}, "NATS-OPS-004")) == 0
}

# --- NATS-OPS-005 ---------------------------------------------------------

test_ops_005_fires_nats_conf_parse_error if {
	e := {"ref": "errors/0", "file": "config/nats/nats-test.conf", "line": 4, "message": "this block is never closed: the parser reached the end of the file", "kind": "nats_conf"}
	[f] := by_id({"errors": [e]}, "NATS-OPS-005")
	f.ref == "errors/0"
	f.path == ""
	contains(f.msg, "nats-test.conf")
}

test_ops_005_fires_stream_parse_error if {
	e := {"ref": "errors/1", "file": "jetstream/streams/x.json", "line": 3, "message": "invalid character", "kind": "stream"}
	count(by_id({"errors": [e]}, "NATS-OPS-005")) == 1
}

test_ops_005_quiet_probe_error if {
	e := {"ref": "errors/0", "file": "", "message": "GET /varz: connection refused", "kind": "probe"}
	count(by_id({"errors": [e]}, "NATS-OPS-005")) == 0
}

test_ops_005_fires_digest_drift if {
	# Two members share a config (names come from the command line), one differs.
	servers := [
		live(0, "n1", {"varz": varz_member("n1", "sha256:ce07101aab0072b1e1ce03f6e689a81d9561c9480f2c27ca096cb59fef3cf8a5")}),
		live(1, "n2", {"varz": varz_member("n2", "sha256:ce07101aab0072b1e1ce03f6e689a81d9561c9480f2c27ca096cb59fef3cf8a5")}),
		live(2, "n3", {"varz": varz_member("n3", "sha256:be02fced9c610a00b124a94dc9440842e0df953842e9e76eb9e4d8b0d5d51c88")}),
	]
	[f] := by_id({"servers": servers}, "NATS-OPS-005")
	f.ref == "servers/2"
	f.path == "live/varz/config_digest"
}

test_ops_005_quiet_per_member_configs if {
	# Recorded: each member has its own config file, so every digest differs.
	servers := [
		live(0, "n1", {"varz": varz_member("n1", "sha256:ce07101aab0072b1e1ce03f6e689a81d9561c9480f2c27ca096cb59fef3cf8a5")}),
		live(1, "n2", {"varz": varz_member("n2", "sha256:515b67acce02258cf8d0eae93a11f9ff1a53de72d5a5e6cb0e222fdf36d578d7")}),
		live(2, "n3", {"varz": varz_member("n3", "sha256:be02fced9c610a00b124a94dc9440842e0df953842e9e76eb9e4d8b0d5d51c88")}),
	]
	count(by_id({"servers": servers}, "NATS-OPS-005")) == 0
}
