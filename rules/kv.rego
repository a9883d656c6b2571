package natsaudit.rules.kv

import data.natsaudit.lib
import data.natsaudit.lib.clustering

# Key-value and object store buckets: NACK KeyValue/ObjectStore resources
# (mapped by the stream source onto the KV_<bucket>/OBJ_<bucket> streams the
# clients create) and live KV_/OBJ_ streams.

_kv(st) if {
	startswith(st.name, "KV_")
	some s in object.get(st.config, "subjects", [])
	startswith(s, "$KV.")
}

_obj(st) if {
	startswith(st.name, "OBJ_")
	some s in object.get(st.config, "subjects", [])
	startswith(s, "$O.")
}

_bucket(st) := substring(st.name, count(split(st.name, "_")[0]) + 1, -1)

_cache_like(st) if regex.match(lib.params.kv.cache_name_pattern, _bucket(st))

_cluster_size(st) := n if {
	st.source == "live"
	n := lib.num(st.cluster_size)
	n > 0
} else := clustering.inventory_cluster_size

# METADATA
# title: Key-value bucket with one replica and no history
# description: >-
#   A key-value bucket keeping only the latest revision (history 1) on a
#   single replica has one copy of its state and nothing to go back to: a
#   lost disk or a bad write cannot be undone. In a JetStream cluster it is
#   also unavailable whenever its server is down.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/key-value-store
# custom:
#   id: NATS-KV-001
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Replicate the bucket and keep a few revisions:
#
#         nats kv add CONFIG --replicas 3 --history 5
#
#     (NACK KeyValue: `replicas: 3`, `history: 5`).
deny contains f if {
	some st in input.streams
	_kv(st)
	not _cache_like(st)
	lib.num(object.get(st.config, "max_msgs_per_subject", -1)) == 1
	lib.num(object.get(st.config, "num_replicas", 1)) <= 1
	f := lib.finding_sev(rego.metadata.rule(), st, "config/num_replicas", sprintf("key-value bucket %s keeps one revision on one replica: its state has a single copy and no history", [_bucket(st)]), _kv_001_sev(st))
}

_kv_001_sev(st) := "medium" if {
	_cluster_size(st) >= 3
} else := "low"

# METADATA
# title: Cache-like key-value bucket without TTL
# description: >-
#   A bucket named like a cache, session or lock store has no TTL (max_age):
#   entries that nobody deletes stay forever, the bucket only grows, and
#   stale sessions or locks outlive their owners.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/key-value-store
# custom:
#   id: NATS-KV-002
#   severity: low
#   category: performance
#   facets: [streams, live]
#   remediation: |-
#     Give the bucket a TTL that matches the data's lifetime:
#
#         nats kv add SESSIONS --ttl 24h
#
#     (NACK KeyValue: `ttl: 24h`).
deny contains f if {
	some st in input.streams
	_kv(st)
	_cache_like(st)
	lib.num(object.get(st.config, "max_age", 0)) == 0
	f := lib.finding(rego.metadata.rule(), st, "config/max_age", sprintf("key-value bucket %s looks like a cache, session or lock store but has no TTL: entries never expire", [_bucket(st)]))
}

# METADATA
# title: Key-value bucket without a size limit
# description: >-
#   A key-value bucket without max_bytes and without TTL grows with every
#   new key until the account or server storage is full, and then every
#   stream sharing that storage fails.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/key-value-store
# custom:
#   id: NATS-KV-003
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Bound the bucket:
#
#         nats kv add CONFIG --max-bucket-size 1GB
#
#     (NACK KeyValue: `maxBytes: 1073741824`).
deny contains f if {
	some st in input.streams
	_kv(st)
	lib.num(object.get(st.config, "max_bytes", -1)) <= 0
	lib.num(object.get(st.config, "max_age", 0)) == 0
	f := object.union(
		lib.finding(rego.metadata.rule(), st, "config", sprintf("key-value bucket %s has no size limit and no TTL: it grows until storage is full", [_bucket(st)])),
		{"remediation": _kv003_fix(st)},
	)
}

# NATS-KV-003's fix for this bucket, checked against the file reservations
# of the servers its definition is linked to: a size within what
# max_file_store has not reserved yet, or, when nothing is left, the
# conflict and a TTL (which reserves nothing) meanwhile.
_kv003_fix(st) := sprintf("Conflict: %s, so nats-server refuses any size limit for bucket %s (error 10047, insufficient storage resources). First lower the max_bytes of %s, or raise max_file_store together with the volume under it. Meanwhile bound it by age if its keys may expire (a TTL reserves nothing, but deletes every key not written within it): %s.", [
	r.why, _bucket(st), r.top, _kv_set(st, "ttl", "24h", "--ttl 24h"),
]) if {
	r := _kv_room(st)
	r.free <= 0
} else := sprintf("Bound bucket %s within what max_file_store of %s has not reserved yet (%s of %s; nats-server refuses a larger size, error 10047): %s.", [
	_bucket(st), r.where, lib.human_bytes(r.free), lib.human_bytes(r.capacity), _kv_set(st, "maxBytes", sprintf("%d", [_kv_mib(r.free)]), sprintf("--max-bucket-size %d", [_kv_mib(r.free)])),
]) if {
	r := _kv_room(st)
	r.free > 0
} else := sprintf("Bound bucket %s within the JetStream file store its servers have not reserved for other streams: %s.", [_bucket(st), _kv_set(st, "maxBytes", "1073741824", "--max-bucket-size 1073741824")])

# How the bucket is changed: its NACK KeyValue field, or the CLI.
_kv_set(st, field, v, flag) := sprintf("`%s: %s` in %s (NACK KeyValue)", [field, v, st.file]) if {
	st.source == "nack"
} else := sprintf("`nats kv edit %s %s`", [_bucket(st), flag])

_kv_mib(b) := max({floor(b / 1048576), 1}) * 1048576

# The tightest file reservation among the servers the definition is linked
# to (live buckets: none, the server judges them itself).
_kv_room(st) := min({r |
	object.get(st.config, "storage", "file") == "file"
	st.source != "live"
	some ref in object.get(st, "linked_servers", [])
	s := _server_at[ref]
	res := clustering.file_reservation(s)
	r := {
		"free": res.capacity - res.reserved, "capacity": res.capacity, "where": lib.server_label(s),
		"why": sprintf("the file streams defined for %s already reserve all of its max_file_store %s", [lib.server_label(s), lib.human_bytes(res.capacity)]),
		"top": _kv_top(res.bounded),
	}
})

_server_at := {s.ref: s | some s in input.servers}

_kv_top(bounded) := concat(", ", [x[1] | some x in array.slice(bounded, 0, 3)]) if {
	count(bounded) > 0
} else := "the streams that reserve it"

# METADATA
# title: Object store bucket without a size limit
# description: >-
#   Object store buckets hold large files; without max_bytes one bucket can
#   fill the JetStream storage the other streams of the account or server
#   need.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/obj_store
# custom:
#   id: NATS-KV-004
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Bound the bucket:
#
#         nats object add BLOBS --max-bucket-size 50GB
#
#     (NACK ObjectStore: `maxBytes: 53687091200`).
deny contains f if {
	some st in input.streams
	_obj(st)
	lib.num(object.get(st.config, "max_bytes", -1)) <= 0
	f := lib.finding(rego.metadata.rule(), st, "config/max_bytes", sprintf("object store bucket %s has no size limit: it can fill the JetStream storage", [_bucket(st)]))
}

# METADATA
# title: Key-value history above the server maximum
# description: >-
#   Key-value history is limited to 64 revisions per key; a bucket asking
#   for more is refused when it is created, so the NACK resource never
#   becomes a bucket.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/key-value-store
# custom:
#   id: NATS-KV-005
#   severity: high
#   category: reliability
#   facets: [streams]
#   remediation: |-
#     Keep history at 64 or below; keep longer histories in a stream with a
#     per-subject limit instead:
#
#         history: 64
deny contains f if {
	some st in input.streams
	st.source == "nack"
	_kv(st)
	h := lib.num(st.config.max_msgs_per_subject)
	h > lib.params.kv.max_history
	f := lib.finding(rego.metadata.rule(), st, "config/max_msgs_per_subject", sprintf("key-value bucket %s asks for history %d, above the maximum of %d: the bucket is not created", [_bucket(st), h, lib.params.kv.max_history]))
}
