package natsaudit.rules.delivery

import data.natsaudit.lib

import data.natsaudit.lib.subjects

# Rules about messages that vanish between publisher and consumer: streams
# the server refuses to create, advisories nobody stores, consumers that
# delete work on delivery. They run on stream/consumer definition files,
# NACK manifests and live streams alike. Subject overlap is computed in Go
# (internal/subject) and arrives as input.facts.

_facts := object.get(input, "facts", {})

_streams_by_ref := {st.ref: st | some st in input.streams}

_consumers_by_ref := {c.ref: c | some c in input.consumers}

# Streams by name; definition files carry no account, so a consumer finds its
# stream by name (and account when both have one).
_streams_by_name[st.name] contains st if some st in input.streams

_same_account(a, b) if a.account == b.account

_same_account(a, _) if a.account == ""

_same_account(_, b) if b.account == ""

# _streams_of(c): the streams a consumer may belong to (a set: the same name
# can exist in several accounts, and a function must have one value).
_streams_of(c) := {st |
	some st in object.get(_streams_by_name, c.stream, set())
	_same_account(c, st)
}

_account_note(st) := sprintf(" in account %s", [st.account]) if {
	st.account != ""
} else := ""

_cname(c) := c.name if {
	c.name != ""
} else := object.get(c.config, "durable_name", "(unnamed)")

_system_stream(st) if regex.match(`^(KV|OBJ)_`, st.name)

# METADATA
# title: Streams with overlapping subjects
# description: >-
#   Two streams of one account capture overlapping subjects (`fulcrum.>` and
#   `fulcrum.audit.>`). nats-server refuses to create the second one
#   ("subjects overlap with an existing stream", err_code 10065), so a setup
#   script or the NACK controller fails to create it and its messages are
#   never stored where the design says. The overlap is computed for `*` and
#   `>` wildcards.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
#   - ref: https://docs.nats.io/nats-concepts/subjects
# custom:
#   id: NATS-STR-009
#   severity: high
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Give the two streams disjoint subject spaces, or make the narrower
#     one a filtered copy of the wider one (publishers then change
#     nothing): remove the shared subjects from it and source them, e.g.
#
#         "sources": [{"name": "EVENTS", "filter_subject": "events.audit.>"}]
#
#     A work-queue stream cannot be the origin of such a copy (the source
#     would take its workers' messages): move one stream's subjects under a
#     prefix the other does not match instead.
deny contains f if {
	some o in object.get(_facts, "stream_overlaps", [])
	a := _streams_by_ref[o.a]
	b := _streams_by_ref[o.b]
	f := object.union(
		lib.finding(rego.metadata.rule(), b, "config/subjects", sprintf(
			"streams %s (%s) and %s (%s) overlap%s: the server refuses to create whichever is added second (err_code 10065)",
			[a.name, o.subject_a, b.name, o.subject_b, _account_note(b)],
		)),
		{"remediation": _str009_fix(a, o.subject_a, b, o.subject_b)},
	)
}

# _str009_fix(a, sa, b, sb): NATS-STR-009's fix for these two streams. When
# one subject lies inside the other, the narrow stream can become a filtered
# copy (a source) of the wide one, so that publishers change nothing; unless
# the wide stream is a work queue, whose source consumer would take the
# messages from its workers.
_str009_fix(a, sa, b, sb) := _str009_copy(a, sa, b, sb) if {
	_str009_within(sa, sb)
} else := _str009_copy(b, sb, a, sa) if {
	_str009_within(sb, sa)
} else := sprintf("Give %s and %s disjoint subject spaces: both capture the subjects that match `%s` and `%s`. Move the subjects of one stream under a prefix the other does not match (a change to every publisher of them), or, to keep a second copy, source or mirror one stream into the other instead of capturing the same subjects twice.", [a.name, b.name, sa, sb])

_str009_copy(n, ns, w, ws) := sprintf("Conflict: %s is a work-queue stream, so a source reading from it would take the messages away from its workers. Move the subjects of %s out of `%s` instead%s; that changes every publisher of `%s`.", [w.name, n.name, ws, _str009_alt(n, ns, ws), ns]) if {
	object.get(w.config, "retention", "limits") == "workqueue"
} else := sprintf("Keep %s capturing `%s` and make %s a filtered copy of it instead of a second capture: remove `%s` from the subjects of %s and source it from %s%s:\n\n    %s\n\nPublishers keep publishing on `%s`; %s stores each message again under its own limits and retention. If the two must stay independent captures, move the subjects of %s out of `%s` instead%s, which changes every publisher of them.", [
	w.name, ws, n.name, ns, n.name, w.name, _str009_in(n), _str009_decl(n, w.name, ns), ns, n.name, n.name, ws, _str009_alt(n, ns, ws),
])

_str009_in(st) := sprintf(" (in %s)", [st.file]) if {
	st.source != "live"
	object.get(st, "file", "") != ""
} else := ""

# How the stream declares the source: NACK spec fields, JSON keys, or the
# nats CLI's JSON config for a live stream.
_str009_decl(n, w, ns) := sprintf("sources: [{name: %s, filterSubject: \"%s\"}]", [w, ns]) if {
	n.source == "nack"
} else := sprintf("\"sources\": [{\"name\": \"%s\", \"filter_subject\": \"%s\"}]", [w, ns]) if {
	n.source != "live"
} else := sprintf("nats stream edit %s --config %s.json   # with \"sources\": [{\"name\": \"%s\", \"filter_subject\": \"%s\"}]", [n.name, lower(n.name), w, ns])

# A prefix for the narrow stream's subjects outside the wide filter: the
# wide filter's literal tokens after the first one dropped
# (sahool.events.audit.> under sahool.events.> becomes sahool.audit.>).
_str009_alt(_, ns, ws) := sprintf(" (e.g. `%s`)", [alt]) if {
	wt := split(ws, ".")
	wt[count(wt) - 1] == ">"
	k := count(wt) - 1
	k >= 2
	nt := split(ns, ".")
	alt := concat(".", array.concat([nt[0]], array.slice(nt, k, count(nt))))
	alt != ns
	not subjects.subjects_overlap(alt, ws)
} else := ""

# _str009_within(n, w): every subject filter n matches, w matches too.
_str009_within(n, w) if {
	nt := split(n, ".")
	wt := split(w, ".")
	count(nt) >= count(wt)
	wt[count(wt) - 1] == ">"
	every i, x in array.slice(wt, 0, count(wt) - 1) {
		_str009_token_within(nt[i], x)
	}
}

_str009_within(n, w) if {
	nt := split(n, ".")
	wt := split(w, ".")
	count(nt) == count(wt)
	every i, x in wt {
		_str009_token_within(nt[i], x)
	}
}

# "*" matches one token, which ">" (one or more) is not within.
_str009_token_within(x, "*") if x != ">"

_str009_token_within(x, x) if x != ">"

# METADATA
# title: Interest stream without consumers
# description: >-
#   An interest-retention stream keeps a message only while a consumer is
#   interested in it. With no consumer, every published message is
#   acknowledged to the publisher and dropped at once.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams#retentionpolicy
# custom:
#   id: NATS-STR-010
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Create the consumers before publishing (as definitions next to the
#     stream), or use limits retention if messages must be kept until
#     someone reads them:
#
#         "retention": "limits",
#         "max_age": 604800000000000
deny contains f if {
	some h in _str_010
	f := lib.finding_of(rego.metadata.rule(), h)
}

_str_010 contains h if {
	some st in input.streams
	st.source == "live"
	st.config.retention == "interest"
	lib.num(st.state.consumer_count) == 0
	h := {"obj": st, "path": "config/retention", "msg": sprintf("interest stream %s has no consumers: every message published to it is dropped at once", [st.name])}
}

# Definition files: only when the repository manages consumers as files (some
# are defined) and none is defined for this stream.
_str_010 contains h if {
	some st in input.streams
	st.source != "live"
	st.config.retention == "interest"
	_file_consumers
	not _consumed_streams[st.name]
	h := {"obj": st, "path": "config/retention", "msg": sprintf("interest stream %s has no consumer defined in the repository: messages published before one exists are dropped", [st.name])}
}

_file_consumers if {
	some c in input.consumers
	c.source != "live"
}

_consumed_streams contains c.stream if some c in input.consumers

# METADATA
# title: discard new with a per-subject limit
# description: >-
#   discard new is meant to refuse publishes rather than lose messages, but
#   max_msgs_per_subject is enforced separately: without
#   discard_new_per_subject the oldest messages of a subject are still
#   deleted silently when it reaches the limit. With discard_new_per_subject,
#   publishes to a full subject fail and publishers must handle the error.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams#discardpolicy
# custom:
#   id: NATS-STR-011
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Decide which loss you accept. To refuse publishes per subject:
#
#         "discard": "new",
#         "discard_new_per_subject": true
#
#     and handle the publish error; otherwise drop discard new and document
#     that each subject keeps only its latest messages.
deny contains f if {
	some st in input.streams
	not _system_stream(st)
	st.config.discard == "new"
	n := lib.num(st.config.max_msgs_per_subject)
	n > 0
	msg := _str_011_msg(st, n, object.get(st.config, "discard_new_per_subject", false))
	f := lib.finding_sev(rego.metadata.rule(), st, "config/max_msgs_per_subject", msg.msg, msg.sev)
}

_str_011_msg(st, n, true) := {"sev": "low", "msg": sprintf("stream %s refuses publishes to any subject that already holds %d messages (discard new per subject): publishers must handle the error", [st.name, n])}

_str_011_msg(st, n, false) := {"sev": "medium", "msg": sprintf("stream %s has discard new, but max_msgs_per_subject %d still deletes the oldest message of a full subject silently", [st.name, n])}

# METADATA
# title: Mirror or source whose origin stream does not exist
# description: >-
#   A stream mirrors or sources a stream that is neither defined in the
#   repository nor present on the probed servers: the mirror stays empty
#   and nothing reports it, or the name has a typo.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/source_and_mirror
# custom:
#   id: NATS-STR-012
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Create the origin stream (define it next to the mirror), fix the name,
#     or, if it lives in another domain or account, say so with `external`:
#
#         "mirror": { "name": "ORDERS", "external": { "api": "$JS.hub.API" } }
deny contains f if {
	some st in input.streams
	some [path, o] in _origins(st)
	is_string(o.name)
	not o.external
	not o.domain
	not _stream_exists(o.name, st)
	f := lib.finding(rego.metadata.rule(), st, path, sprintf("stream %s %s %s, which is not defined in the repository or on the probed servers", [st.name, _origin_verb(path), o.name]))
}

_origins(st) := array.concat(
	[["config/mirror", m] | m := st.config.mirror; is_object(m)],
	[[sprintf("config/sources/%d", [i]), s] | some i, s in object.get(st.config, "sources", []); is_object(s)],
)

_origin_verb("config/mirror") := "mirrors"

_origin_verb(p) := "sources" if p != "config/mirror"

_stream_exists(name, st) if {
	some o in object.get(_streams_by_name, name, set())
	_same_account(o, st)
}

# METADATA
# title: duplicate_window longer than max_age
# description: >-
#   nats-server refuses a stream whose duplicate-detection window is longer
#   than its max_age ("duplicates window can not be larger then max age"),
#   so the stream from this definition is never created.
# related_resources:
#   - ref: https://docs.nats.io/using-nats/developer/develop_jetstream/model_deep_dive#message-deduplication
# custom:
#   id: NATS-STR-013
#   severity: high
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Keep the window at or below max_age (the default window is 2 minutes):
#
#         "duplicate_window": 120000000000
deny contains f if {
	some st in input.streams
	age := lib.num(st.config.max_age)
	age > 0
	dup := lib.num(st.config.duplicate_window)
	dup > age
	f := lib.finding(rego.metadata.rule(), st, "config/duplicate_window", sprintf("stream %s has duplicate_window %s longer than max_age %s: the server refuses to create it", [st.name, lib.human_duration(dup), lib.human_duration(age)]))
}

# METADATA
# title: Stream does not acknowledge publishes (no_ack)
# description: >-
#   With no_ack the stream sends no acknowledgement for a stored message, so
#   publishers cannot tell a stored message from one lost to a full stream,
#   a missing leader or a network error.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
# custom:
#   id: NATS-STR-014
#   severity: low
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Remove no_ack and publish with the JetStream publish API, which waits
#     for the acknowledgement (`js.Publish`, `nats pub --jetstream`):
#
#         "no_ack": false
deny contains f if {
	some st in input.streams
	st.config.no_ack == true
	f := lib.finding(rego.metadata.rule(), st, "config/no_ack", sprintf("stream %s does not acknowledge publishes (no_ack): lost writes go unnoticed", [st.name]))
}

# METADATA
# title: Audit stream can be deleted from, purged or rolled up
# description: >-
#   A stream that holds an audit trail (its name or subjects say audit)
#   allows deleting messages, purging, or rollups that replace history: an
#   operator or a compromised client with JetStream API access can erase
#   the record without a trace in the stream.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
# custom:
#   id: NATS-STR-015
#   severity: low
#   category: security
#   facets: [streams, live]
#   remediation: |-
#     Make the audit trail append-only:
#
#         "deny_delete": true,
#         "deny_purge": true,
#         "allow_rollup_hdrs": false
deny contains f if {
	some st in input.streams
	_audit_like(st)
	gaps := [g | some g in _audit_gaps(st.config)]
	count(gaps) > 0
	f := lib.finding(rego.metadata.rule(), st, "config", sprintf("audit stream %s allows %s: its history can be erased", [st.name, concat(", ", gaps)]))
}

_audit_like(st) if regex.match(lib.params.delivery.audit_name_pattern, st.name)

_audit_like(st) if {
	some s in object.get(st.config, "subjects", [])
	regex.match(lib.params.delivery.audit_name_pattern, s)
}

_audit_gaps(c) := [g |
	some [k, want, g] in [["deny_delete", true, "message deletion"], ["deny_purge", true, "purges"], ["allow_rollup_hdrs", false, "rollups"]]
	object.get(c, k, false) != want
]

# METADATA
# title: max_deliver with nowhere for poison messages to go
# description: >-
#   After max_deliver attempts the server stops redelivering a message and
#   publishes the advisory
#   `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>`; unless
#   a stream captures that subject, the message is dropped from this
#   consumer's point of view with no record of it (no dead-letter queue).
# related_resources:
#   - ref: https://docs.nats.io/using-nats/developer/develop_jetstream/consumers#dead-letter-queues-type-functionality
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/monitoring/monitoring_jetstream
# custom:
#   id: NATS-CON-006
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Capture the consumer's MAX_DELIVERIES advisory in a dead-letter stream
#     (it carries the stream sequence, so the message can be fetched and
#     replayed):
#
#         nats stream add DLQ --subjects '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>' --storage file --discard new --max-age 30d
deny contains f if {
	some ref, names in object.get(_facts, "max_deliveries_capture", {})
	count(names) == 0
	c := _consumers_by_ref[ref]
	f := object.union(
		lib.finding(rego.metadata.rule(), c, "config/max_deliver", sprintf(
			"consumer %s on stream %s gives up after %v deliveries, and no stream captures $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.%s.%s: poison messages disappear without a dead-letter record",
			[_cname(c), c.stream, c.config.max_deliver, c.stream, _cname(c)],
		)),
		{"remediation": _con006_fix(c)},
	)
}

# NATS-CON-006's fix for this consumer: its own advisory subject, added to
# the deployment's dead-letter stream when it has one (named like one, not
# the consumer's own stream), else a new stream named after the consumer's.
_con006_fix(c) := sprintf("Add `%s` to the subjects of the dead-letter stream %s%s, so that each advisory (it carries the stream sequence of the message given up on, which can then be fetched and replayed) is kept:\n\n    %s", [
	subj, d.name, _str009_in(d), _con006_decl(d, subj),
]) if {
	subj := sprintf("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.%s.%s", [c.stream, _cname(c)])
	d := _con006_dlq(c)
} else := sprintf("Create a dead-letter stream for it (each advisory carries the stream sequence of the message given up on, which can then be fetched and replayed):\n\n    nats stream add %s_DLQ --subjects '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.%s.%s' --storage file --discard new --max-age 30d", [
	c.stream, c.stream, _cname(c),
])

# The deployment's dead-letter stream: the first by name whose name says so
# (not the consumer's own stream). The first and the first of another name
# are picked once per evaluation: filtering the whole list per consumer
# made this consumers x dead-letter streams (171,500 expression
# evaluations on the 1,000-file repo, docs/performance.md).
_con006_dlq(c) := _streams_by_ref[_con006_first[1]] if {
	_con006_first[0] != c.stream
} else := _streams_by_ref[_con006_second[1]]

_con006_first := min(_con006_dlqs)

# _con006_second: the first entry named otherwise than _con006_first, the
# answer for a consumer of the stream _con006_first names.
_con006_second := min({y | some y in _con006_dlqs; y[0] != _con006_first[0]})

_con006_dlqs := {[st.name, st.ref] |
	some st in input.streams
	regex.match(lib.params.streams.dlq_name_pattern, st.name)
}

_con006_decl(d, subj) := sprintf("subjects: [%s]   # NACK", [_con006_subjects(d, subj)]) if {
	d.source == "nack"
} else := sprintf("\"subjects\": [%s]", [_con006_subjects(d, subj)]) if {
	d.source != "live"
} else := sprintf("nats stream edit %s --subjects %s", [d.name, concat(",", [sprintf("'%s'", [x]) | some x in array.concat(object.get(d.config, "subjects", []), [subj])])])

_con006_subjects(d, subj) := concat(", ", [sprintf("%q", [x]) | some x in array.concat(object.get(d.config, "subjects", []), [subj])])

# METADATA
# title: Backoff list as long as max_deliver
# description: >-
#   nats-server requires max_deliver to be greater than the number of backoff
#   steps ("max deliver is required to be > length of backoff values") and
#   refuses the consumer otherwise, so the consumer from this definition is
#   never created.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/consumers#backoff
# custom:
#   id: NATS-CON-007
#   severity: high
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Allow one more delivery than there are backoff steps (the first
#     delivery is not a retry):
#
#         "max_deliver": 4,
#         "backoff": [1000000000, 10000000000, 60000000000]
deny contains f if {
	some c in input.consumers
	b := c.config.backoff
	is_array(b)
	count(b) > 0
	m := lib.num(c.config.max_deliver)
	m > 0
	m <= count(b)
	f := lib.finding(rego.metadata.rule(), c, "config/backoff", sprintf("consumer %s on stream %s has %d backoff steps but max_deliver %d: the server refuses it", [_cname(c), c.stream, count(b), m]))
}

# METADATA
# title: Consumer with unlimited max_ack_pending
# description: >-
#   max_ack_pending -1 lets the server hand out any number of unacknowledged
#   messages: a stuck or slow client accumulates them, redeliveries come in
#   bursts, and there is no back-pressure on delivery.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/consumers#maxackpending
# custom:
#   id: NATS-CON-008
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Bound it to what the workers can hold in flight (the default is 1000):
#
#         "max_ack_pending": 1000
deny contains f if {
	some c in input.consumers
	object.get(c.config, "ack_policy", "none") != "none"
	lib.num(c.config.max_ack_pending) < 0
	f := lib.finding(rego.metadata.rule(), c, "config/max_ack_pending", sprintf("consumer %s on stream %s has no max_ack_pending limit: nothing bounds the unacknowledged messages in flight", [_cname(c), c.stream]))
}

# METADATA
# title: Ack-none consumer on a work-queue stream
# description: >-
#   A work-queue stream deletes a message once its consumer acknowledges it;
#   with ack policy none the message counts as acknowledged when it is sent,
#   so a worker that crashes or drops it loses that work for good.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams#retentionpolicy
#   - ref: https://docs.nats.io/nats-concepts/jetstream/consumers#ackpolicy
# custom:
#   id: NATS-CON-009
#   severity: high
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Acknowledge explicitly after the work is done:
#
#         "ack_policy": "explicit",
#         "max_deliver": 5
deny contains f if {
	some c in input.consumers
	object.get(c.config, "ack_policy", "none") == "none"
	some st in _streams_of(c)
	st.config.retention == "workqueue"
	f := lib.finding(rego.metadata.rule(), c, "config/ack_policy", sprintf("consumer %s on work-queue stream %s does not acknowledge: each message is deleted as soon as it is sent, even if the worker never processes it", [_cname(c), c.stream]))
}

# METADATA
# title: Work-queue consumers with overlapping filters
# description: >-
#   A work-queue stream gives each message to exactly one consumer, so
#   nats-server refuses a consumer whose filter overlaps another consumer's
#   ("filtered consumer not unique on workqueue stream"): the second
#   consumer from these definitions is never created and its worker gets
#   nothing.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams#retentionpolicy
# custom:
#   id: NATS-CON-010
#   severity: high
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Give each consumer of the work queue a disjoint filter (`jobs.email.>`,
#     `jobs.sms.>`), or share one consumer between the workers (pull
#     consumers scale by adding fetchers).
deny contains f if {
	some o in object.get(_facts, "consumer_overlaps", [])
	a := _consumers_by_ref[o.a]
	b := _consumers_by_ref[o.b]
	f := lib.finding(rego.metadata.rule(), b, "config", sprintf(
		"consumers %s (%s) and %s (%s) of work-queue stream %s have overlapping filters: the server refuses the second one",
		[_cname(a), o.subject_a, _cname(b), o.subject_b, b.stream],
	))
}

# METADATA
# title: ack_wait shorter than the declared processing time
# description: >-
#   The consumer's metadata declares how long processing a message takes,
#   and ack_wait (or the first backoff step, which replaces it) is shorter:
#   the server redelivers messages that are still being processed, so they
#   are handled twice.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/consumers#ackwait
# custom:
#   id: NATS-CON-011
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Make ack_wait longer than the slowest processing, or have the worker
#     send progress acks (`msg.InProgress()`) while it works:
#
#         "ack_wait": 120000000000
deny contains f if {
	some c in input.consumers
	object.get(c.config, "ack_policy", "none") != "none"
	some k in lib.params.delivery.processing_time_keys
	declared := time.parse_duration_ns(c.config.metadata[k])
	[path, wait] := _ack_wait(c.config)
	wait < declared
	f := lib.finding(rego.metadata.rule(), c, path, sprintf("consumer %s on stream %s waits %s for an ack but declares a processing time of %s: messages are redelivered while still being processed", [_cname(c), c.stream, lib.human_duration(wait), lib.human_duration(declared)]))
}

_ack_wait(cfg) := ["config/backoff/0", w] if {
	w := lib.num(cfg.backoff[0])
} else := ["config/ack_wait", w] if {
	w := lib.num(cfg.ack_wait)
}
