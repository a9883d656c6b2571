package natsaudit.rules.kv_test

import data.natsaudit.rules.kv
import data.natsaudit.test.helpers

findings(doc) := fs if {
	fs := kv.deny with input as object.union({"servers": [], "streams": [], "consumers": [], "errors": []}, doc)
}

by_id(doc, id) := helpers.hits(findings(doc), id)

# bucket(name, cfg): a NACK KeyValue as the stream source maps it.
bucket(name, cfg) := {"ref": "streams/0", "name": sprintf("KV_%s", [name]), "account": "", "source": "nack", "file": "kv.yaml", "config": object.union({"name": sprintf("KV_%s", [name]), "subjects": [sprintf("$KV.%s.>", [name])], "retention": "limits", "discard": "new", "max_msgs_per_subject": 1, "max_age": 0, "max_bytes": -1, "max_msgs": -1, "num_replicas": 1, "storage": "file", "deny_delete": true, "allow_rollup_hdrs": true}, cfg)}

objects(name, cfg) := {"ref": "streams/0", "name": sprintf("OBJ_%s", [name]), "account": "APP", "source": "live", "cluster_size": 3, "config": object.union({"name": sprintf("OBJ_%s", [name]), "subjects": [sprintf("$O.%s.C.>", [name]), sprintf("$O.%s.M.>", [name])], "discard": "new", "max_bytes": -1, "max_age": 0, "num_replicas": 3}, cfg)}

three_node_live := [{"ref": "servers/0", "name": "n1", "live": {"varz": {"jetstream": {"config": {}, "meta": {"cluster_size": 3}}}}}]

# --- NATS-KV-001 ----------------------------------------------------------

test_kv_001_fires_history_1_r1_in_cluster_medium if {
	[f] := by_id({"servers": three_node_live, "streams": [bucket("config", {"max_bytes": 1048576})]}, "NATS-KV-001")
	helpers.sev(f) == "medium"
	f.path == "config/num_replicas"
}

test_kv_001_fires_low_on_single_server if {
	[f] := by_id({"streams": [bucket("config", {"max_bytes": 1048576})]}, "NATS-KV-001")
	helpers.sev(f) == "low"
}

test_kv_001_quiet_with_history if {
	count(by_id({"streams": [bucket("config", {"max_msgs_per_subject": 5})]}, "NATS-KV-001")) == 0
}

test_kv_001_quiet_replicated if {
	count(by_id({"streams": [bucket("config", {"num_replicas": 3})]}, "NATS-KV-001")) == 0
}

test_kv_001_quiet_plain_stream_named_kv if {
	count(by_id({"streams": [object.union(bucket("config", {}), {"config": {"subjects": ["kv.>"], "max_msgs_per_subject": 1, "num_replicas": 1}})]}, "NATS-KV-001")) == 0
}

# --- NATS-KV-002 ----------------------------------------------------------

test_kv_002_fires_session_bucket_without_ttl if {
	[f] := by_id({"streams": [bucket("sessions", {})]}, "NATS-KV-002")
	f.path == "config/max_age"
}

test_kv_002_quiet_session_bucket_with_ttl if {
	count(by_id({"streams": [bucket("sessions", {"max_age": 86400000000000})]}, "NATS-KV-002")) == 0
}

test_kv_002_quiet_config_bucket if {
	count(by_id({"streams": [bucket("config", {})]}, "NATS-KV-002")) == 0
}

# --- NATS-KV-003 ----------------------------------------------------------

test_kv_003_fires_unbounded_bucket if {
	[f] := by_id({"streams": [bucket("config", {})]}, "NATS-KV-003")
	contains(f.msg, "bucket config")
}

# KV-003's fix, checked against the file reservations of the linked server.
kv_server(max_file) := {"ref": "servers/0", "name": "nats-1", "config": {"server_name": "nats-1", "jetstream": {"enabled": true, "store_dir": "/data", "max_file_store": max_file}}}

dlq(max_bytes) := {"ref": "streams/1", "name": "DLQ", "source": "file", "linked_servers": ["servers/0"], "config": {"storage": "file", "max_bytes": max_bytes, "num_replicas": 1}}

test_kv_003_fix_conflict_when_store_is_reserved if {
	b := object.union(bucket("sessions", {}), {"linked_servers": ["servers/0"]})
	[f] := by_id({"servers": [kv_server(10737418240)], "streams": [b, dlq(10737418240)]}, "NATS-KV-003")
	f.remediation == "Conflict: the file streams defined for server nats-1 already reserve all of its max_file_store 10 GiB, so nats-server refuses any size limit for bucket sessions (error 10047, insufficient storage resources). First lower the max_bytes of DLQ, or raise max_file_store together with the volume under it. Meanwhile bound it by age if its keys may expire (a TTL reserves nothing, but deletes every key not written within it): `ttl: 24h` in kv.yaml (NACK KeyValue)."
}

test_kv_003_fix_within_free_reservation if {
	b := object.union(bucket("sessions", {}), {"linked_servers": ["servers/0"], "source": "file"})
	[f] := by_id({"servers": [kv_server(10737418240)], "streams": [b, dlq(8589934592)]}, "NATS-KV-003")
	f.remediation == "Bound bucket sessions within what max_file_store of server nats-1 has not reserved yet (2 GiB of 10 GiB; nats-server refuses a larger size, error 10047): `nats kv edit sessions --max-bucket-size 2147483648`."
}

test_kv_003_fix_without_reservation_facts if {
	[f] := by_id({"streams": [bucket("config", {})]}, "NATS-KV-003")
	f.remediation == "Bound bucket config within the JetStream file store its servers have not reserved for other streams: `maxBytes: 1073741824` in kv.yaml (NACK KeyValue)."
}

# A memory bucket reserves no file store: the generic fix, not the file
# conflict of its full server.
test_kv_003_fix_memory_bucket_ignores_file_reservation if {
	b := object.union(bucket("sessions", {"storage": "memory"}), {"linked_servers": ["servers/0"]})
	[f] := by_id({"servers": [kv_server(10737418240)], "streams": [b, dlq(10737418240)]}, "NATS-KV-003")
	startswith(f.remediation, "Bound bucket sessions within the JetStream file store its servers have not reserved")
}

# Linked to two servers: the tighter one bounds it; under 1 MiB free the
# bound is 1 MiB (nats kv edit takes whole MiB here).
test_kv_003_fix_tightest_server_and_one_mib_floor if {
	b := object.union(bucket("sessions", {}), {"linked_servers": ["servers/0", "servers/1"], "source": "file"})
	s1 := object.union(kv_server(10737418240), {"ref": "servers/1", "name": "nats-2", "config": {"server_name": "nats-2", "jetstream": {"enabled": true, "store_dir": "/data", "max_file_store": 10737418240}}})
	d := object.union(dlq(10737418240 - 524288), {"linked_servers": ["servers/1"]})
	[f] := by_id({"servers": [kv_server(10737418240), s1], "streams": [b, d]}, "NATS-KV-003")
	contains(f.remediation, "max_file_store of server nats-2 has not reserved yet (512 KiB of 10 GiB")
	endswith(f.remediation, "`nats kv edit sessions --max-bucket-size 1048576`.")
}

test_kv_003_quiet_with_max_bytes if {
	count(by_id({"streams": [bucket("config", {"max_bytes": 1073741824})]}, "NATS-KV-003")) == 0
}

test_kv_003_quiet_with_ttl if {
	count(by_id({"streams": [bucket("config", {"max_age": 3600000000000})]}, "NATS-KV-003")) == 0
}

# --- NATS-KV-004 ----------------------------------------------------------

test_kv_004_fires_live_object_store_unbounded if {
	[f] := by_id({"streams": [objects("blobs", {})]}, "NATS-KV-004")
	f.path == "config/max_bytes"
}

test_kv_004_quiet_bounded if {
	count(by_id({"streams": [objects("blobs", {"max_bytes": 53687091200})]}, "NATS-KV-004")) == 0
}

# --- NATS-KV-005 ----------------------------------------------------------

test_kv_005_fires_history_65 if {
	[f] := by_id({"streams": [bucket("audit", {"max_msgs_per_subject": 65})]}, "NATS-KV-005")
	contains(f.msg, "history 65")
}

test_kv_005_quiet_history_64 if {
	count(by_id({"streams": [bucket("audit", {"max_msgs_per_subject": 64})]}, "NATS-KV-005")) == 0
}

# --- Mutation survivors (issue 20): what makes a bucket a bucket ---------

# live_bucket(name, cfg, size): a KV_ stream as a live probe reports it,
# seen by servers of a meta cluster of size (0: unknown).
live_bucket(name, cfg, size) := object.union(object.union(bucket(name, cfg), {"source": "live", "cluster_size": size}), {"file": ""})

# A stream capturing $KV subjects but not named KV_<bucket> is a plain
# stream (a KV mirror named CONFIG_BACKUP): no key-value rule judges it.
test_kv_quiet_kv_subjects_without_kv_name if {
	st := object.union(bucket("config", {}), {"name": "CONFIG_BACKUP"})
	count(findings({"streams": [st]})) == 0
}

# An object store needs both its OBJ_ name and $O. subjects.
test_kv_004_quiet_object_subjects_without_obj_name if {
	st := object.union(objects("blobs", {}), {"name": "BLOBS"})
	count(by_id({"streams": [st]}, "NATS-KV-004")) == 0
}

test_kv_004_quiet_obj_name_without_object_subjects if {
	st := objects("blobs", {"subjects": ["blobs.>"]})
	count(by_id({"streams": [st]}, "NATS-KV-004")) == 0
}

# A live bucket is judged by the cluster its servers report, not by the
# inventory (here none: a lone probe of one node of a 3-node cluster).
test_kv_001_live_bucket_uses_reported_cluster_size if {
	[f] := by_id({"streams": [live_bucket("config", {"max_bytes": 1048576}, 3)]}, "NATS-KV-001")
	helpers.sev(f) == "medium"
}

# A live bucket whose cluster size is unknown (0) falls back to the
# inventory's cluster.
test_kv_001_live_bucket_unknown_size_uses_inventory if {
	[f] := by_id({"servers": three_node_live, "streams": [live_bucket("config", {"max_bytes": 1048576}, 0)]}, "NATS-KV-001")
	helpers.sev(f) == "medium"
}

# A cache-like bucket is NATS-KV-002's (TTL), not NATS-KV-001's, even with
# history 1 on one replica.
test_kv_001_quiet_cache_like_bucket if {
	fs := findings({"streams": [bucket("sessions", {"max_bytes": 1048576})]})
	count(helpers.hits(fs, "NATS-KV-001")) == 0
	count(helpers.hits(fs, "NATS-KV-002")) == 1
}

# An object store named like a cache is no key-value bucket: no TTL finding.
test_kv_002_quiet_object_store_named_sessions if {
	count(by_id({"streams": [objects("sessions", {})]}, "NATS-KV-002")) == 0
}

# An unbounded object store is NATS-KV-004's, not the key-value NATS-KV-003.
test_kv_003_quiet_object_store if {
	fs := findings({"streams": [objects("blobs", {})]})
	count(helpers.hits(fs, "NATS-KV-003")) == 0
	count(helpers.hits(fs, "NATS-KV-004")) == 1
}

# max_bytes 0 is no limit (nats kv add's default), as -1 is.
test_kv_003_fires_max_bytes_zero if {
	count(by_id({"streams": [bucket("config", {"max_bytes": 0})]}, "NATS-KV-003")) == 1
}

test_kv_004_fires_max_bytes_zero if {
	count(by_id({"streams": [objects("blobs", {"max_bytes": 0})]}, "NATS-KV-004")) == 1
}

# An unbounded key-value bucket is NATS-KV-003's, not the object store's.
test_kv_004_quiet_kv_bucket if {
	fs := findings({"streams": [bucket("config", {})]})
	count(helpers.hits(fs, "NATS-KV-004")) == 0
	count(helpers.hits(fs, "NATS-KV-003")) == 1
}

# History above 64 is refused by the NACK controller's KV API only: a live
# KV_ stream with max_msgs_per_subject 100 exists, and a NACK Stream (no
# bucket) may keep 100 messages per subject.
test_kv_005_quiet_live_bucket if {
	count(by_id({"streams": [live_bucket("audit", {"max_msgs_per_subject": 100}, 3)]}, "NATS-KV-005")) == 0
}

test_kv_005_quiet_nack_stream if {
	st := object.union(bucket("audit", {"max_msgs_per_subject": 100}), {"name": "AUDIT", "config": {"name": "AUDIT", "subjects": ["audit.>"]}})
	count(by_id({"streams": [st]}, "NATS-KV-005")) == 0
}
