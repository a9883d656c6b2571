# Tests of NATS-JS-013 and NATS-JS-014 (issue 17, second round: JetStream
# ingest queue and catchup window values).
package natsaudit.rules.hygiene_i17_test

import data.natsaudit.rules.hygiene
import data.natsaudit.test.helpers
import data.natsaudit.test.security

findings(doc) := fs if {
	fs := hygiene.deny with input as object.union({"scan": {"now_ns": 0, "sources": ["config"]}, "servers": [], "streams": [], "consumers": [], "errors": [], "files": []}, doc)
}

by_id(doc, id) := helpers.hits(findings(doc), id)

srv(cfg) := security.server(cfg)

js(j) := {"jetstream": object.union({"enabled": true, "store_dir": "/data"}, j)}

versioned(s, v) := object.union(s, {"version": {"value": v, "semver": v, "series": substring(v, 0, 4), "source": "image_tag"}})

one(cfg, id) := f if [f] := by_id({"servers": [srv(cfg)]}, id)

none(cfg, id) if count(by_id({"servers": [srv(cfg)]}, id)) == 0

# --- NATS-JS-013 ----------------------------------------------------------

test_js_013_fires_buffer_below_default_payload if {
	f := one(js({"max_buffered_size": 65536}), "NATS-JS-013")
	f.path == "config/jetstream/max_buffered_size"
	helpers.sev(f) == "default"
	f.msg == "server nats-1: jetstream.max_buffered_size (64 KiB) is not larger than max_payload (1 MiB): every stream drops the messages larger than its ingest queue, which the server accepts"
}

test_js_013_fires_buffer_equal_to_payload if {
	# A message of max_payload bytes plus its subject does not fit.
	f := one(object.union(js({"max_buffered_size": 8388608}), {"max_payload": 8388608}), "NATS-JS-013")
	contains(f.msg, "(8 MiB) is not larger than max_payload (8 MiB)")
}

test_js_013_fires_payload_zero_is_default if {
	f := one(object.union(js({"max_buffered_size": 1048576}), {"max_payload": 0}), "NATS-JS-013")
	contains(f.msg, "max_payload (1 MiB)")
}

test_js_013_quiet_buffer_above_payload if {
	none(object.union(js({"max_buffered_size": 8388609}), {"max_payload": 8388608}), "NATS-JS-013")
}

test_js_013_quiet_buffer_zero_default if {
	none(js({"max_buffered_size": 0, "max_buffered_msgs": 0}), "NATS-JS-013")
}

test_js_013_quiet_payload_unknown if {
	none(object.union(js({"max_buffered_size": 65536}), {"max_payload": "$MAX_PAYLOAD"}), "NATS-JS-013")
}

test_js_013_quiet_jetstream_off if {
	none({"jetstream": {"enabled": false, "max_buffered_size": 65536, "max_buffered_msgs": -1}}, "NATS-JS-013")
}

test_js_013_quiet_old_version_js009 if {
	# 2.10 refuses the option: NATS-JS-009's finding, not this one.
	s := versioned(srv(js({"max_buffered_size": 65536, "max_buffered_msgs": -1})), "2.10.24")
	count(by_id({"servers": [s]}, "NATS-JS-013")) == 0
}

test_js_013_fires_on_211 if {
	s := versioned(srv(js({"max_buffered_size": 65536})), "2.11.0")
	[_] := by_id({"servers": [s]}, "NATS-JS-013")
}

test_js_013_fires_negative_msgs_low if {
	f := one(js({"max_buffered_msgs": -1}), "NATS-JS-013")
	f.path == "config/jetstream/max_buffered_msgs"
	f.severity == "low"
	contains(f.msg, "jetstream.max_buffered_msgs is negative (-1)")
}

test_js_013_fires_negative_size_low if {
	f := one(js({"max_buffered_size": -1}), "NATS-JS-013")
	f.path == "config/jetstream/max_buffered_size"
	f.severity == "low"
}

test_js_013_quiet_positive_msgs if {
	none(js({"max_buffered_msgs": 1}), "NATS-JS-013")
}

# --- NATS-JS-014 ----------------------------------------------------------

# cjs(j): a clustered JetStream server.
cjs(j) := object.union(js(j), {"server_name": "n1", "cluster": {"name": "c1", "port": 6222}})

test_js_014_fires_negative_high if {
	f := one(cjs({"max_outstanding_catchup": -1}), "NATS-JS-014")
	f.path == "config/jetstream/max_outstanding_catchup"
	f.severity == "high"
	contains(f.msg, "refuses to start")
}

test_js_014_fires_below_payload if {
	f := one(cjs({"max_outstanding_catchup": 524288}), "NATS-JS-014")
	helpers.sev(f) == "default"
	f.msg == "server nats-1: jetstream.max_outstanding_catchup (512 KiB) is not larger than max_payload (1 MiB): replicas catching up receive large messages one at a time"
}

test_js_014_fires_equal_payload if {
	[_] := by_id({"servers": [srv(object.union(cjs({"max_outstanding_catchup": 2097152}), {"max_payload": 2097152}))]}, "NATS-JS-014")
}

test_js_014_quiet_zero_default if {
	none(cjs({"max_outstanding_catchup": 0}), "NATS-JS-014")
}

test_js_014_quiet_above_payload if {
	none(object.union(cjs({"max_outstanding_catchup": 2097153}), {"max_payload": 2097152}), "NATS-JS-014")
}

test_js_014_quiet_unknown_value if {
	none(cjs({"max_outstanding_catchup": "$CATCHUP"}), "NATS-JS-014")
}

test_js_014_quiet_standalone if {
	# Not clustered: nats-server neither validates nor uses the value.
	none(js({"max_outstanding_catchup": -1}), "NATS-JS-014")
	none(object.union(js({"max_outstanding_catchup": 1024}), {"cluster": {"name": "c1", "routes": ["nats://a:6222"]}}), "NATS-JS-014")
}

test_js_014_fires_cluster_listen if {
	f := one(object.union(js({"max_outstanding_catchup": -5}), {"cluster": {"listen": "0.0.0.0:6222"}}), "NATS-JS-014")
	f.severity == "high"
}

test_js_014_quiet_jetstream_off if {
	none({"jetstream": {"enabled": false, "max_outstanding_catchup": -1}, "cluster": {"name": "c1", "port": 6222}}, "NATS-JS-014")
}
