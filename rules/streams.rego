package natsaudit.rules.streams

import data.natsaudit.lib.livedocs

import data.natsaudit.lib
import data.natsaudit.lib.clustering
import data.natsaudit.lib.subjects

# Stream rules run unchanged on stream definition files, NACK manifests and
# live streams: all of them have `config` in the jsz StreamConfig shape.

# METADATA
# title: Stream replica count unsafe for the cluster
# description: >-
#   A stream with one replica in a JetStream cluster of 3 or more servers
#   lives on one server: it is unavailable while that server is down and lost
#   with its disk. An even replica count (R2, R4) costs an extra copy without
#   tolerating more failures than the odd count below it. Live streams use
#   the cluster size they report; definition files use the largest JetStream
#   cluster among the servers of their directory (or, linked to none, of the
#   inventory; or streams.assumed_cluster_size).
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering
# custom:
#   id: NATS-STR-001
#   severity: high
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Use 3 replicas (5 for the most critical data):
#
#         nats stream edit ORDERS --replicas 3
#
#     or `"num_replicas": 3` in the stream definition (NACK: `replicas: 3`).
deny contains f if {
	some h in _str_001
	f := object.union(lib.finding_of(rego.metadata.rule(), h), {"remediation": h.fix})
}

_str_001 contains h if {
	some st in input.streams
	lib.num(object.get(st.config, "num_replicas", 1)) <= 1
	size := _cluster_size(st)
	size >= lib.params.cluster.min_size
	not _r1_allowed(st)
	h := {
		"obj": st, "path": "config/num_replicas", "fix": _str001_fix(st, 1, 3, size),
		"msg": sprintf("stream %s has a single replica in a JetStream cluster of %d servers: it is unavailable, and can be lost, when its server fails", [st.name, size]),
	}
}

_str_001 contains h if {
	some st in input.streams
	r := lib.num(st.config.num_replicas)
	r > 0
	r % 2 == 0
	h := {"obj": st, "path": "config/num_replicas", "fix": _str001_even_fix(st, r), "msg": sprintf("stream %s has %d replicas: an even count tolerates no more failures than %d replicas", [st.name, r, r - 1]), "sev": "low"}
}

# NATS-STR-001's fixes, checked against the cluster: an odd replica count
# the cluster can place (nats-server refuses more replicas than servers),
# and the file reservation the new replicas need (each holds max_bytes).
_str001_even_fix(st, r) := _str001_fix(st, r, r + 1, size) if {
	size := _cluster_size(st)
	size >= r + 1
} else := sprintf("Conflict: the JetStream cluster has %d servers, so %d replicas cannot be placed. Lower it to %d replicas, which tolerate as many failures as %d: %s.", [size, r + 1, r - 1, r, _str001_how(st, r - 1)]) if {
	size := _cluster_size(st)
	size > 0
} else := sprintf("Use %d replicas if the cluster has %d servers (nats-server refuses more replicas than servers), else %d: %s.", [r + 1, r + 1, r - 1, _str001_how(st, r + 1)])

_str001_fix(st, from, to, size) := sprintf("Conflict: %s, but %d replicas of its max_bytes %s reserve %s more, so nats-server refuses the change (error 10047). First lower other streams' max_bytes or raise max_file_store (NATS-JS-012), then give %s %d replicas (the cluster has %d servers): %s.", [
	r.why, to, lib.human_bytes(b), lib.human_bytes((to - from) * b), st.name, to, size, _str001_how(st, to),
]) if {
	b := lib.num(st.config.max_bytes)
	b > 0
	r := _str001_tightest(st)
	r.free < (to - from) * b
} else := sprintf("Give %s %d replicas (the cluster has %d servers): %s.%s", [st.name, to, size, _str001_how(st, to), _str001_cost(st, from, to)])

# How this stream is changed: its definition file, or the CLI for a live
# stream.
_str001_how(st, n) := sprintf("`replicas: %d` in %s (NACK)", [n, st.file]) if {
	st.source == "nack"
} else := sprintf("`\"num_replicas\": %d` in %s", [n, st.file]) if {
	st.source == "file"
} else := sprintf("`nats stream edit %s --replicas %d`", [st.name, n])

_str001_cost(st, from, to) := sprintf(" Each new replica reserves its max_bytes (%s) on another server: %s more in all, which fits what max_file_store leaves free.", [lib.human_bytes(b), lib.human_bytes((to - from) * b)]) if {
	b := lib.num(st.config.max_bytes)
	b > 0
	object.get(st.config, "storage", "file") == "file"
} else := ""

# The server (of those the definition is linked to) with the least file
# reservation left.
_str001_tightest(st) := min({r |
	object.get(st.config, "storage", "file") == "file"
	some ref in object.get(st, "linked_servers", [])
	some i in object.get(_str004_server_at, ref, set())
	s := input.servers[i]
	res := clustering.file_reservation(s)
	r := {"free": res.capacity - res.reserved, "why": sprintf("the cluster of %s has %s of file store left", [lib.server_label(s), lib.human_bytes(max({res.capacity - res.reserved, 0}))])}
})

_cluster_size(st) := n if {
	st.source == "live"
	n := lib.num(st.cluster_size)
	n > 0
} else := clustering.linked_cluster_size(st)

_r1_allowed(st) if {
	some p in lib.params.streams.r1_allowed_patterns
	regex.match(p, st.name)
}

# METADATA
# title: Stream without leader, or with lagging or offline replicas
# description: >-
#   A replicated stream without a leader accepts no publishes and delivers
#   nothing. Offline or lagging replicas mean the stream runs with less
#   redundancy than configured, and a replica count above the cluster size
#   cannot be placed at all.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering/administration
# custom:
#   id: NATS-STR-003
#   severity: high
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Bring the missing peers back (check `nats stream info <stream>` and
#     `nats server report jetstream`). A stuck leader election can be
#     nudged with `nats stream cluster step-down <stream>`; a replica on a
#     server that is gone for good is moved with
#     `nats stream cluster peer-remove <stream> <server>`.
deny contains f if {
	some h in _str_003
	f := lib.finding_of(rego.metadata.rule(), h)
}

_str_003 contains h if {
	some st in input.streams
	st.source == "live"
	c := st.cluster
	is_object(c)
	object.get(c, "leader", "") == ""
	h := {"obj": st, "path": "cluster/leader", "msg": sprintf("stream %s has no leader: publishes fail and consumers receive nothing", [st.name]), "sev": "critical"}
}

_str_003 contains h if {
	some st in input.streams
	st.source == "live"
	c := st.cluster
	object.get(c, "leader", "") != ""
	problems := {sprintf("%s %s", [r.name, p]) | some r in object.get(c, "replicas", []); p := _replica_problem(c, r)}
	count(problems) > 0
	h := {"obj": st, "path": "cluster/replicas", "msg": sprintf("stream %s (leader %s) has degraded replicas: %s", [st.name, c.leader, concat(", ", sort(problems))])}
}

_str_003 contains h if {
	some st in input.streams
	r := lib.num(st.config.num_replicas)
	size := _cluster_size(st)
	size > 0
	r > size
	h := {"obj": st, "path": "config/num_replicas", "msg": sprintf("stream %s asks for %d replicas but the JetStream cluster has %d server(s): it cannot be placed", [st.name, r, size])}
}

_replica_problem(c, r) := "offline" if {
	r.offline == true
} else := sprintf("offline (not seen by the leader for %ds)", [round(lib.num(r.active) / 1000000000)]) if {
	# A server that died without saying so (crash, network cut) is not
	# flagged offline at once; the leader has just not heard from it. Only
	# the leader's view counts (leader_since), as for "not current". The
	# threshold is the NATS CLI's --replica-seen-critical (5s).
	r.current == false
	c.leader_since
	lib.num(r.active) >= lib.params.streams.replica_offline_after_ns
} else := sprintf("lagging by %d operations", [r.lag]) if {
	lib.num(r.lag) > lib.params.streams.replica_lag_msgs
} else := "not current" if {
	r.current == false

	# Only the leader tracks its followers (it alone reports leader_since);
	# a follower's view lists the other followers as not current.
	c.leader_since
}

# METADATA
# title: Unbounded stream
# description: >-
#   A limits-retention stream without max_bytes, max_msgs, max_msgs_per_subject
#   or max_age keeps every message forever: it grows until it hits the account
#   or server limit, and then every stream sharing that storage fails.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
# custom:
#   id: NATS-STR-004
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Bound it by size and/or age, within what max_file_store has not
#     reserved yet (nats-server refuses a larger max_bytes; each finding
#     computes the free reservation):
#
#         nats stream edit EVENTS --max-bytes 10GB --max-age 30d
#
#     (NACK: `maxBytes: 10737418240`, `maxAge: 30d`).
deny contains f if {
	some st in input.streams
	c := st.config
	object.get(c, "retention", "limits") == "limits"
	not c.sealed == true
	every k in ["max_bytes", "max_msgs", "max_msgs_per_subject"] {
		lib.num(object.get(c, k, -1)) <= 0
	}
	lib.num(object.get(c, "max_age", 0)) == 0
	f := object.union(
		lib.finding(rego.metadata.rule(), st, "config", sprintf("stream %s has no max_bytes, max_msgs, max_msgs_per_subject or max_age: it grows until the account or server storage is full", [st.name])),
		{"remediation": _str004_fix(st)},
	)
}

# METADATA
# title: Stream close to its limit
# description: >-
#   The stream holds 80% (medium) or 90% (high) of its max_msgs or max_bytes.
#   With discard new, publishes start failing at the limit; with discard old,
#   the oldest messages are deleted without any error.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
# custom:
#   id: NATS-STR-005
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Raise the limit (`nats stream edit <stream> --max-bytes ...`), consume
#     or purge what is no longer needed, and alert on usage before it fills.
deny contains f if {
	some st in input.streams
	is_object(st.state)
	some pair in [["messages", "max_msgs"], ["bytes", "max_bytes"]]
	limit := lib.num(st.config[pair[1]])
	limit > 0
	used := lib.num(st.state[pair[0]])
	ratio := used / limit
	ratio >= lib.params.streams.usage_medium
	f := lib.finding_sev(
		rego.metadata.rule(), st, sprintf("state/%s", [pair[0]]), sprintf(
			"stream %s is at %s of %s (%v of %v): %s",
			[st.name, lib.percent(used, limit), pair[1], used, limit, _full_effect(st)],
		),
		_usage_sev(ratio),
	)
}

_full_effect(st) := "publishes will fail when it is full (discard new)" if {
	st.config.discard == "new"
} else := "the oldest messages will be deleted silently when it is full (discard old)"

_usage_sev(r) := "high" if r >= lib.params.streams.usage_high

_usage_sev(r) := "medium" if r < lib.params.streams.usage_high

# METADATA
# title: Dead-letter stream drops failures silently when full
# description: >-
#   A dead-letter-like stream (its name or subjects say DLQ, dead letter,
#   poison or failed, or it captures the MAX_DELIVERIES / MSG_TERMINATED
#   advisories) has a limit and discard old: when it is full, JetStream
#   deletes the oldest dead letters without an error to anyone, so the
#   failures it exists to keep disappear.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
#   - ref: https://docs.nats.io/using-nats/developer/develop_jetstream/consumers
# custom:
#   id: NATS-STR-006
#   severity: high
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Make a full DLQ visible instead of lossy, and alert on its usage:
#
#         "discard": "new",
#         "deny_delete": true,
#         "deny_purge": true
#
#     or keep discard old with limits far above the expected volume and an
#     alert at 80% (NATS-STR-005 reports it in live scans).
deny contains f if {
	some st in input.streams
	_dlq_like(st)
	object.get(st.config, "discard", "old") == "old"
	limits := _set_limits(st.config)
	count(limits) > 0
	f := lib.finding(rego.metadata.rule(), st, "config/discard", sprintf(
		"stream %s is a dead-letter queue with discard old and %s: when full, the oldest dead letters are deleted silently",
		[st.name, concat(", ", limits)],
	))
}

_dlq_like(st) if regex.match(lib.params.streams.dlq_name_pattern, st.name)

_dlq_like(st) if {
	some subj in object.get(st.config, "subjects", [])
	regex.match(lib.params.streams.dlq_name_pattern, subj)
}

_dlq_like(st) if {
	some subj in object.get(st.config, "subjects", [])

	# Cheap guard: only $JS.… or wildcard-first subjects can capture advisories.
	regex.match(`^(\$JS|\*|>)(\.|$)`, subj)
	some adv in lib.params.streams.dlq_advisory_subjects
	subjects.subjects_overlap(subj, adv)
}

_set_limits(c) := [d |
	some k in ["max_msgs", "max_bytes", "max_age", "max_msgs_per_subject"]
	v := lib.num(object.get(c, k, -1))
	v > 0
	d := _describe_limit(k, v)
]

_describe_limit("max_bytes", v) := sprintf("max_bytes %s", [lib.human_bytes(v)])

_describe_limit("max_age", v) := sprintf("max_age %s", [lib.human_duration(v)])

_describe_limit(k, v) := sprintf("%s %d", [k, v]) if k in {"max_msgs", "max_msgs_per_subject"}

# METADATA
# title: Work-queue or interest stream discards unconsumed messages
# description: >-
#   A work-queue or interest stream with a message or byte limit and discard
#   old deletes the oldest messages when the limit is reached, even if no
#   consumer has received them yet: work is lost without an error.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
# custom:
#   id: NATS-STR-007
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Push back on publishers instead of dropping work:
#
#         "discard": "new"
#
#     (`nats stream edit <stream> --discard new`).
deny contains f if {
	some st in input.streams
	st.config.retention in {"workqueue", "interest"}
	object.get(st.config, "discard", "old") == "old"
	some k in ["max_msgs", "max_bytes"]
	lib.num(object.get(st.config, k, -1)) > 0
	f := lib.finding(rego.metadata.rule(), st, "config/discard", sprintf("%s stream %s has %s and discard old: unconsumed messages are deleted when it is full", [st.config.retention, st.name, k]))
}

# METADATA
# title: Memory stream with a single replica
# description: >-
#   A memory-storage stream with one replica keeps its only copy in one
#   server's RAM: every restart or crash of that server empties it.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
# custom:
#   id: NATS-STR-008
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Use file storage, or replicate it (`"num_replicas": 3`) if it must stay
#     in memory. Keep R1 memory streams only for data that may be lost.
deny contains f if {
	some st in input.streams
	st.config.storage == "memory"
	lib.num(object.get(st.config, "num_replicas", 1)) <= 1
	f := lib.finding(rego.metadata.rule(), st, "config/storage", sprintf("stream %s keeps its only copy in memory: it is emptied whenever its server restarts", [st.name]))
}

# NATS-STR-004's remediation for this stream: its own name, and a max_bytes
# that fits what its servers have not reserved yet (nats-server refuses a
# max_bytes above it, error 10047); when nothing is left, the conflict and
# what to change first.
_str004_fix(st) := sprintf("Conflict: %s, so nats-server refuses any `--max-bytes` for %s (error 10047, insufficient storage resources). First make room: %s, or raise max_file_store together with the volume under it. Meanwhile bound it by age, which reserves nothing:\n\n    nats stream edit %s --max-age 30d\n\n%s", [
	r.why, st.name, _str004_make_room(r), st.name, _str004_decl(st, "", "30d"),
]) if {
	r := _str004_room(st)
	r.free <= 0
} else := sprintf("Bound it within what %s has not reserved yet (%s of %s; nats-server refuses a larger max_bytes, error 10047)%s:\n\n    nats stream edit %s --max-bytes %d --max-age 30d\n\n%s", [
	r.where, lib.human_bytes(r.free), r.store, _str004_shared(r), st.name, r.share, _str004_decl(st, sprintf("%d", [r.share]), "30d"),
]) if {
	r := _str004_room(st)
	r.free > 0
} else := sprintf("Bound it by size and/or age, within the free JetStream file store of its servers:\n\n    nats stream edit %s --max-bytes 10GB --max-age 30d\n\n%s", [st.name, _str004_decl(st, "10737418240", "30d")])

# _str004_room(st): the tightest free file reservation among the servers the
# stream is defined for (definitions) or runs on (live).
_str004_room(st) := min(rooms) if {
	rooms := {r | some r in _str004_rooms(st)}
	count(rooms) > 0
}

_str004_rooms(st) := array.concat(_str004_def_rooms(st), _str004_live_rooms(st))

_str004_def_rooms(st) := [r |
	object.get(st.config, "storage", "file") == "file"
	st.source != "live"
	some ref in object.get(st, "linked_servers", [])
	some i in object.get(_str004_server_at, ref, set())
	s := input.servers[i]
	res := clustering.file_reservation(s)
	free := res.capacity - res.reserved
	n := max({count(res.unbounded), 1})
	r := {
		"free": free, "where": lib.server_label(s), "store": sprintf("max_file_store %s", [lib.human_bytes(res.capacity)]),
		"share": _str004_mib(free / n), "n": n, "top": res.bounded,
		"why": sprintf("the file streams defined for %s already reserve all of its max_file_store %s (%s)", [lib.server_label(s), lib.human_bytes(res.capacity), concat(", ", [sprintf("%s %s", [x[1], lib.human_bytes(x[0])]) | some x in array.slice(res.bounded, 0, 3)])]),
	}
]

# _str004_server_at[ref]: the positions of the servers with that ref in
# input.servers, built once, so each stream looks its linked servers up
# instead of scanning every server (which was quadratic: streams × servers).
_str004_server_at := natsaudit.group({[ref, i] |
	some i, s in input.servers
	ref := s.ref
})

_str004_live_rooms(st) := [r |
	st.source == "live"
	object.get(st.config, "storage", "file") == "file"
	some s in livedocs.live_servers
	s.name in object.get(st, "servers", [])
	js := livedocs.live_varz(s).jetstream
	limit := lib.num(js.config.max_storage)
	limit > 0
	free := limit - lib.num(js.stats.reserved_storage)
	r := {
		"free": free, "where": lib.server_label(s), "store": sprintf("its file store %s", [lib.human_bytes(limit)]),
		"share": _str004_mib(free), "n": 1, "top": [],
		"why": sprintf("%s has already reserved all of its file store %s for the max_bytes of its streams", [lib.server_label(s), lib.human_bytes(limit)]),
	}
]

# Whole MiB, at least one: a readable value that still fits.
_str004_mib(b) := max({floor(b / 1048576), 1}) * 1048576

_str004_shared(r) := "" if {
	r.n == 1
} else := sprintf(", shared by its %d unbounded file streams", [r.n])

_str004_make_room(r) := sprintf("lower the max_bytes of %s (halving it frees %s: `nats stream edit %s --max-bytes %d`)", [x[1], lib.human_bytes(x[0] / 2), x[1], _str004_mib(x[0] / 2)]) if {
	x := r.top[0]
} else := "lower the max_bytes of the streams that reserve it"

# How the definition declares it: NACK spec fields or the JSON keys.
_str004_decl(st, bytes, age) := sprintf("(NACK, in %s: %s`maxAge: %s`.)", [st.file, _str004_nack_bytes(bytes), age]) if {
	st.source == "nack"
} else := sprintf("(In %s: %s`\"max_age\"` in nanoseconds.)", [st.file, _str004_json_bytes(bytes)]) if {
	st.source == "file"
} else := ""

_str004_nack_bytes("") := ""

_str004_nack_bytes(b) := sprintf("`maxBytes: %s`, ", [b]) if b != ""

_str004_json_bytes("") := ""

_str004_json_bytes(b) := sprintf("`\"max_bytes\": %s`, ", [b]) if b != ""
