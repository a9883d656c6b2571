package natsaudit.rules.delivery_test

import data.natsaudit.rules.delivery
import data.natsaudit.test.helpers

findings(doc) := fs if {
	fs := delivery.deny with input as object.union({"servers": [], "streams": [], "consumers": [], "errors": [], "facts": {}}, doc)
}

by_id(doc, id) := helpers.hits(findings(doc), id)

stream(i, name, cfg) := {"ref": sprintf("streams/%d", [i]), "name": name, "account": "", "source": "file", "file": "s.json", "config": object.union({"name": name, "retention": "limits", "discard": "old", "max_msgs": -1, "max_bytes": -1, "max_age": 0, "max_msgs_per_subject": -1, "num_replicas": 1, "storage": "file", "subjects": []}, cfg)}

live_stream(i, name, cfg, state) := object.union(stream(i, name, cfg), {"account": "APP", "source": "live", "state": state})

consumer(i, name, st, cfg) := {"ref": sprintf("consumers/%d", [i]), "name": name, "stream": st, "account": "", "source": "file", "config": object.union({"durable_name": name, "ack_policy": "explicit", "max_deliver": -1, "max_ack_pending": 1000, "ack_wait": 30000000000}, cfg)}

# Seed 000: FULCRUM_EVENTS (fulcrum.>) and FULCRUM_AUDIT (fulcrum.audit.>).
fulcrum := [stream(0, "FULCRUM_EVENTS", {"subjects": ["fulcrum.>"]}), stream(1, "FULCRUM_AUDIT", {"subjects": ["fulcrum.audit.>"]})]

# --- NATS-STR-009 ---------------------------------------------------------

test_str_009_fires_seed_000_overlap if {
	[f] := by_id({"streams": fulcrum, "facts": {"stream_overlaps": [{"a": "streams/0", "b": "streams/1", "subject_a": "fulcrum.>", "subject_b": "fulcrum.audit.>"}]}}, "NATS-STR-009")
	f.ref == "streams/1"
	f.path == "config/subjects"
	contains(f.msg, "FULCRUM_EVENTS (fulcrum.>) and FULCRUM_AUDIT (fulcrum.audit.>)")
}

test_str_009_quiet_without_overlap_facts if {
	count(by_id({"streams": fulcrum, "facts": {"stream_overlaps": []}}, "NATS-STR-009")) == 0
}

test_str_009_quiet_without_facts if {
	fs := delivery.deny with input as {"streams": fulcrum, "consumers": []}
	count([f | some f in fs; f.rule_id == "NATS-STR-009"]) == 0
}

# STR-009's fix for the seed's pair: the audit stream becomes a filtered
# source of the events stream (publishers unchanged); no prefix example,
# since dropping tokens of `fulcrum.>` leaves the subject inside it.
test_str_009_fix_sources_narrow_stream_from_wide if {
	[f] := by_id({"streams": fulcrum, "facts": {"stream_overlaps": [{"a": "streams/0", "b": "streams/1", "subject_a": "fulcrum.>", "subject_b": "fulcrum.audit.>"}]}}, "NATS-STR-009")
	startswith(f.remediation, "Keep FULCRUM_EVENTS capturing `fulcrum.>` and make FULCRUM_AUDIT a filtered copy of it instead of a second capture: remove `fulcrum.audit.>` from the subjects of FULCRUM_AUDIT and source it from FULCRUM_EVENTS (in s.json):")
	contains(f.remediation, `    "sources": [{"name": "FULCRUM_EVENTS", "filter_subject": "fulcrum.audit.>"}]`)
	contains(f.remediation, "move the subjects of FULCRUM_AUDIT out of `fulcrum.>` instead, which changes")
}

# The narrow stream listed first (the sahool order), NACK wording and a
# prefix outside the wide filter.
test_str_009_fix_nack_narrow_first_with_prefix if {
	sts := [
		object.union(stream(0, "SAHOOL_AUDIT", {"subjects": ["sahool.events.audit.>"]}), {"source": "nack", "file": "audit.yaml"}),
		stream(1, "SAHOOL_EVENTS", {"subjects": ["sahool.events.>", "field.>"]}),
	]
	[f] := by_id({"streams": sts, "facts": {"stream_overlaps": [{"a": "streams/0", "b": "streams/1", "subject_a": "sahool.events.audit.>", "subject_b": "sahool.events.>"}]}}, "NATS-STR-009")
	startswith(f.remediation, "Keep SAHOOL_EVENTS capturing `sahool.events.>` and make SAHOOL_AUDIT a filtered copy")
	contains(f.remediation, "source it from SAHOOL_EVENTS (in audit.yaml):")
	contains(f.remediation, `    sources: [{name: SAHOOL_EVENTS, filterSubject: "sahool.events.audit.>"}]`)
	contains(f.remediation, "out of `sahool.events.>` instead (e.g. `sahool.audit.>`)")
}

# A work-queue wide stream: sourcing from it would steal its workers'
# messages, so the fix says so and moves the subjects instead.
test_str_009_fix_conflict_with_work_queue if {
	sts := [stream(0, "JOBS", {"subjects": ["jobs.>"], "retention": "workqueue"}), stream(1, "JOBS_EMAIL", {"subjects": ["jobs.email.*"]})]
	[f] := by_id({"streams": sts, "facts": {"stream_overlaps": [{"a": "streams/0", "b": "streams/1", "subject_a": "jobs.>", "subject_b": "jobs.email.*"}]}}, "NATS-STR-009")
	startswith(f.remediation, "Conflict: JOBS is a work-queue stream, so a source reading from it would take the messages away from its workers. Move the subjects of JOBS_EMAIL out of `jobs.>` instead;")
	not contains(f.remediation, "sources")
}

# Partial overlap (neither inside the other): both subjects named, no source.
test_str_009_fix_partial_overlap if {
	sts := [stream(0, "A", {"subjects": ["a.*.x"]}), live_stream(1, "B", {"subjects": ["a.b.*"]}, {})]
	[f] := by_id({"streams": sts, "facts": {"stream_overlaps": [{"a": "streams/0", "b": "streams/1", "subject_a": "a.*.x", "subject_b": "a.b.*"}]}}, "NATS-STR-009")
	startswith(f.remediation, "Give A and B disjoint subject spaces: both capture the subjects that match `a.*.x` and `a.b.*`.")
}

# A live narrow stream is edited with the CLI's JSON config; equal-length
# filters with a wildcard are "within" too.
test_str_009_fix_live_same_length if {
	sts := [live_stream(0, "WIDE", {"subjects": ["t.*"]}, {}), live_stream(1, "NARROW", {"subjects": ["t.a"]}, {})]
	[f] := by_id({"streams": sts, "facts": {"stream_overlaps": [{"a": "streams/0", "b": "streams/1", "subject_a": "t.*", "subject_b": "t.a"}]}}, "NATS-STR-009")
	contains(f.remediation, "source it from WIDE:")
	contains(f.remediation, `nats stream edit NARROW --config narrow.json   # with "sources": [{"name": "WIDE", "filter_subject": "t.a"}]`)
}

# Which filter lies inside the other, token by token: `a.*.>` inside
# `a.>` (not the reverse, though both have a ">" at the second token),
# `a.b` inside `a.>` (same length), and `a.>` not inside `a.*` (`a.>`
# matches a.b.c, which `a.*` does not).
str009(sa, sb) := f if {
	sts := [stream(0, "A", {"subjects": [sa]}), stream(1, "B", {"subjects": [sb]})]
	[f] := by_id({"streams": sts, "facts": {"stream_overlaps": [{"a": "streams/0", "b": "streams/1", "subject_a": sa, "subject_b": sb}]}}, "NATS-STR-009")
}

test_str_009_fix_within_token_by_token if {
	startswith(str009("a.>", "a.*.>").remediation, "Keep A capturing `a.>` and make B a filtered copy")
	startswith(str009("a.b", "a.>").remediation, "Keep B capturing `a.>` and make A a filtered copy")
	startswith(str009("a.>", "a.*").remediation, "Keep A capturing `a.>` and make B a filtered copy")
}

# The prefix example only for a wide filter ending in ">" and only when it
# leaves the wide filter: none for `a.b.*`, none when the shortened subject
# still matches `a.*.>`.
test_str_009_fix_no_prefix_example_outside_its_cases if {
	r1 := str009("a.b.*", "a.b.c").remediation
	contains(r1, "move the subjects of B out of `a.b.*` instead, which changes")
	r2 := str009("a.*.>", "a.b.c.d").remediation
	contains(r2, "move the subjects of B out of `a.*.>` instead, which changes")
}

# --- NATS-STR-010 ---------------------------------------------------------

test_str_010_fires_live_interest_without_consumers if {
	[f] := by_id({"streams": [live_stream(0, "EVENTS", {"retention": "interest"}, {"messages": 0, "consumer_count": 0})]}, "NATS-STR-010")
	f.path == "config/retention"
}

test_str_010_quiet_live_interest_with_consumer if {
	count(by_id({"streams": [live_stream(0, "EVENTS", {"retention": "interest"}, {"messages": 0, "consumer_count": 1})]}, "NATS-STR-010")) == 0
}

test_str_010_fires_file_interest_without_defined_consumer if {
	doc := {"streams": [stream(0, "EVENTS", {"retention": "interest"}), stream(1, "ORDERS", {})], "consumers": [consumer(0, "w", "ORDERS", {})]}
	[f] := by_id(doc, "NATS-STR-010")
	f.ref == "streams/0"
}

test_str_010_quiet_file_interest_when_repo_defines_no_consumers if {
	count(by_id({"streams": [stream(0, "EVENTS", {"retention": "interest"})]}, "NATS-STR-010")) == 0
}

test_str_010_quiet_file_interest_with_consumer if {
	doc := {"streams": [stream(0, "EVENTS", {"retention": "interest"})], "consumers": [consumer(0, "w", "EVENTS", {})]}
	count(by_id(doc, "NATS-STR-010")) == 0
}

# --- NATS-STR-011 ---------------------------------------------------------

test_str_011_fires_discard_new_per_subject_limit if {
	[f] := by_id({"streams": [stream(0, "PRICES", {"discard": "new", "max_msgs_per_subject": 10})]}, "NATS-STR-011")
	helpers.sev(f) == "medium"
	contains(f.msg, "deletes the oldest")
}

test_str_011_fires_low_with_discard_new_per_subject if {
	[f] := by_id({"streams": [stream(0, "PRICES", {"discard": "new", "max_msgs_per_subject": 10, "discard_new_per_subject": true})]}, "NATS-STR-011")
	helpers.sev(f) == "low"
}

test_str_011_quiet_kv_bucket_stream if {
	count(by_id({"streams": [stream(0, "KV_config", {"discard": "new", "max_msgs_per_subject": 5})]}, "NATS-STR-011")) == 0
}

test_str_011_quiet_discard_old if {
	count(by_id({"streams": [stream(0, "PRICES", {"max_msgs_per_subject": 10})]}, "NATS-STR-011")) == 0
}

# --- NATS-STR-012 ---------------------------------------------------------

test_str_012_fires_mirror_of_missing_stream if {
	[f] := by_id({"streams": [stream(0, "ORDERS_BACKUP", {"mirror": {"name": "ORDRES"}})]}, "NATS-STR-012")
	f.path == "config/mirror"
	contains(f.msg, "mirrors ORDRES")
}

test_str_012_fires_missing_source if {
	[f] := by_id({"streams": [stream(0, "ORDERS", {}), stream(1, "ALL", {"sources": [{"name": "ORDERS"}, {"name": "PAYMENTS"}]})]}, "NATS-STR-012")
	f.path == "config/sources/1"
}

test_str_012_quiet_existing_origin if {
	count(by_id({"streams": [stream(0, "ORDERS", {}), stream(1, "ORDERS_BACKUP", {"mirror": {"name": "ORDERS"}})]}, "NATS-STR-012")) == 0
}

test_str_012_quiet_external_origin if {
	count(by_id({"streams": [stream(0, "ORDERS_BACKUP", {"mirror": {"name": "ORDERS", "external": {"api": "$JS.hub.API"}}})]}, "NATS-STR-012")) == 0
}

# --- NATS-STR-013 ---------------------------------------------------------

test_str_013_fires_window_longer_than_age if {
	[f] := by_id({"streams": [stream(0, "TICKS", {"max_age": 60000000000, "duplicate_window": 120000000000})]}, "NATS-STR-013")
	contains(f.msg, "duplicate_window 2m longer than max_age 1m")
}

test_str_013_quiet_window_equal_to_age if {
	count(by_id({"streams": [stream(0, "TICKS", {"max_age": 120000000000, "duplicate_window": 120000000000})]}, "NATS-STR-013")) == 0
}

test_str_013_quiet_no_max_age if {
	count(by_id({"streams": [stream(0, "TICKS", {"duplicate_window": 120000000000})]}, "NATS-STR-013")) == 0
}

# --- NATS-STR-014 ---------------------------------------------------------

test_str_014_fires_no_ack if {
	[f] := by_id({"streams": [stream(0, "METRICS", {"no_ack": true})]}, "NATS-STR-014")
	f.path == "config/no_ack"
}

test_str_014_quiet_acked if {
	count(by_id({"streams": [stream(0, "METRICS", {"no_ack": false})]}, "NATS-STR-014")) == 0
}

# --- NATS-STR-015 ---------------------------------------------------------

test_str_015_fires_seed_000_audit_stream if {
	[f] := by_id({"streams": [stream(1, "FULCRUM_AUDIT", {"subjects": ["fulcrum.audit.>"], "max_age": 31536000000000000})]}, "NATS-STR-015")
	contains(f.msg, "message deletion, purges")
}

test_str_015_fires_rollup_on_audit_subject if {
	[f] := by_id({"streams": [stream(0, "TRAIL", {"subjects": ["audit.>"], "deny_delete": true, "deny_purge": true, "allow_rollup_hdrs": true})]}, "NATS-STR-015")
	contains(f.msg, "allows rollups")
}

test_str_015_quiet_append_only_audit if {
	count(by_id({"streams": [stream(0, "AUDIT", {"deny_delete": true, "deny_purge": true})]}, "NATS-STR-015")) == 0
}

test_str_015_quiet_auditor_is_not_audit if {
	count(by_id({"streams": [stream(0, "AUDITORS", {"subjects": ["auditors.>"]})]}, "NATS-STR-015")) == 0
}

# --- NATS-CON-006 ---------------------------------------------------------

# Seed 004: events-audit consumer, max_deliver 3, no DLQ.
seed_004 := {
	"streams": [stream(0, "EVENTS", {"subjects": ["events.>"]})],
	"consumers": [consumer(0, "events-audit-durable", "EVENTS", {"max_deliver": 3, "ack_wait": 30000000000})],
}

test_con_006_fires_seed_004_without_dlq if {
	[f] := by_id(object.union(seed_004, {"facts": {"max_deliveries_capture": {"consumers/0": []}}}), "NATS-CON-006")
	f.path == "config/max_deliver"
	contains(f.msg, "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.events-audit-durable")
}

# CON-006's fix: a new dead-letter stream named after the consumer's stream
# when the deployment has none; its advisory subject added to the one it has.
test_con_006_fix_new_dlq_stream if {
	[f] := by_id(object.union(seed_004, {"facts": {"max_deliveries_capture": {"consumers/0": []}}}), "NATS-CON-006")
	endswith(f.remediation, "\n\n    nats stream add EVENTS_DLQ --subjects '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.events-audit-durable' --storage file --discard new --max-age 30d")
}

test_con_006_fix_adds_subject_to_existing_dlq if {
	sts := array.concat(seed_004.streams, [stream(1, "SAHOOL_DLQ", {"subjects": ["sahool.dlq.>"]})])
	doc := {"streams": sts, "consumers": seed_004.consumers, "facts": {"max_deliveries_capture": {"consumers/0": []}}}
	[f] := by_id(doc, "NATS-CON-006")
	f.remediation == "Add `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.events-audit-durable` to the subjects of the dead-letter stream SAHOOL_DLQ (in s.json), so that each advisory (it carries the stream sequence of the message given up on, which can then be fetched and replayed) is kept:\n\n    \"subjects\": [\"sahool.dlq.>\", \"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.events-audit-durable\"]"
}

test_con_006_fix_live_dlq_edit if {
	sts := array.concat(seed_004.streams, [live_stream(1, "DLQ", {"subjects": ["dlq.>"]}, {})])
	doc := {"streams": sts, "consumers": seed_004.consumers, "facts": {"max_deliveries_capture": {"consumers/0": []}}}
	[f] := by_id(doc, "NATS-CON-006")
	endswith(f.remediation, "\n\n    nats stream edit DLQ --subjects 'dlq.>','$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.events-audit-durable'")
}

# CON-006's fix for a NACK dead-letter stream: the subjects line of its
# manifest; of two dead-letter streams the first by name (a stream not
# named like one, ARCHIVE, is none); the consumer's
# own stream is not its dead-letter stream even when named like one.
test_con_006_fix_nack_dlq_first_by_name if {
	sts := array.concat(seed_004.streams, [
		object.union(stream(1, "Z_DLQ", {"subjects": ["z.dlq"]}), {"source": "nack", "file": "z.yaml"}),
		object.union(stream(2, "A_DLQ", {"subjects": ["a.dlq"]}), {"source": "nack", "file": "a.yaml"}),
		stream(3, "ARCHIVE", {"subjects": ["archive.>"]}),
	])
	doc := {"streams": sts, "consumers": seed_004.consumers, "facts": {"max_deliveries_capture": {"consumers/0": []}}}
	[f] := by_id(doc, "NATS-CON-006")
	contains(f.remediation, "dead-letter stream A_DLQ (in a.yaml)")
	endswith(f.remediation, "\n\n    subjects: [\"a.dlq\", \"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.events-audit-durable\"]   # NACK")
}

test_con_006_fix_own_stream_is_not_its_dlq if {
	doc := {
		"streams": [stream(0, "ORDERS_DLQ", {"subjects": ["orders.dlq"]})],
		"consumers": [consumer(0, "replayer", "ORDERS_DLQ", {"max_deliver": 3})],
		"facts": {"max_deliveries_capture": {"consumers/0": []}},
	}
	[f] := by_id(doc, "NATS-CON-006")
	startswith(f.remediation, "Create a dead-letter stream for it")
	contains(f.remediation, "nats stream add ORDERS_DLQ_DLQ --subjects '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS_DLQ.replayer'")
}

# The first dead-letter stream by name is the consumer's own (twice: two
# definitions of it): the next one by name is its dead-letter stream.
test_con_006_fix_own_stream_first_takes_next_dlq if {
	doc := {
		"streams": [
			stream(0, "A_DLQ", {"subjects": ["a.dlq"]}),
			stream(1, "C_DLQ", {"subjects": ["c.dlq"]}),
			stream(2, "A_DLQ", {"subjects": ["a.dlq.2"]}),
			stream(3, "B_DLQ", {"subjects": ["b.dlq"]}),
		],
		"consumers": [consumer(0, "replayer", "A_DLQ", {"max_deliver": 3})],
		"facts": {"max_deliveries_capture": {"consumers/0": []}},
	}
	[f] := by_id(doc, "NATS-CON-006")
	contains(f.remediation, "dead-letter stream B_DLQ")
}

test_con_006_quiet_with_dlq_stream if {
	count(by_id(object.union(seed_004, {"facts": {"max_deliveries_capture": {"consumers/0": ["DLQ"]}}}), "NATS-CON-006")) == 0
}

# --- NATS-CON-007 ---------------------------------------------------------

test_con_007_fires_backoff_as_long_as_max_deliver if {
	[f] := by_id({"consumers": [consumer(0, "w", "ORDERS", {"max_deliver": 3, "backoff": [1000000000, 5000000000, 30000000000]})]}, "NATS-CON-007")
	f.path == "config/backoff"
}

test_con_007_quiet_one_more_delivery if {
	count(by_id({"consumers": [consumer(0, "w", "ORDERS", {"max_deliver": 4, "backoff": [1000000000, 5000000000, 30000000000]})]}, "NATS-CON-007")) == 0
}

test_con_007_quiet_unlimited_deliveries if {
	count(by_id({"consumers": [consumer(0, "w", "ORDERS", {"backoff": [1000000000]})]}, "NATS-CON-007")) == 0
}

# --- NATS-CON-008 ---------------------------------------------------------

test_con_008_fires_unlimited_ack_pending if {
	[f] := by_id({"consumers": [consumer(0, "w", "ORDERS", {"max_ack_pending": -1})]}, "NATS-CON-008")
	f.path == "config/max_ack_pending"
}

test_con_008_quiet_default if {
	count(by_id({"consumers": [consumer(0, "w", "ORDERS", {})]}, "NATS-CON-008")) == 0
}

# --- NATS-CON-009 ---------------------------------------------------------

test_con_009_fires_ack_none_on_work_queue if {
	doc := {"streams": [stream(0, "JOBS", {"retention": "workqueue"})], "consumers": [consumer(0, "w", "JOBS", {"ack_policy": "none"})]}
	[f] := by_id(doc, "NATS-CON-009")
	f.path == "config/ack_policy"
}

test_con_009_fires_once_with_stream_name_in_two_accounts if {
	# JOBS exists in two accounts (live) and as a file: no evaluation error.
	a := object.union(live_stream(0, "JOBS", {"retention": "workqueue"}, {}), {"account": "A"})
	b := object.union(live_stream(1, "JOBS", {"retention": "workqueue"}, {}), {"account": "B"})
	doc := {"streams": [a, b, stream(2, "JOBS", {"retention": "workqueue"})], "consumers": [consumer(0, "w", "JOBS", {"ack_policy": "none"})]}
	count(by_id(doc, "NATS-CON-009")) == 1
}

test_con_009_quiet_ack_none_on_limits_stream if {
	doc := {"streams": [stream(0, "JOBS", {})], "consumers": [consumer(0, "w", "JOBS", {"ack_policy": "none"})]}
	count(by_id(doc, "NATS-CON-009")) == 0
}

test_con_009_quiet_explicit_ack_on_work_queue if {
	doc := {"streams": [stream(0, "JOBS", {"retention": "workqueue"})], "consumers": [consumer(0, "w", "JOBS", {})]}
	count(by_id(doc, "NATS-CON-009")) == 0
}

# --- NATS-CON-010 ---------------------------------------------------------

wq_consumers := [consumer(0, "email", "JOBS", {"filter_subject": "jobs.>"}), consumer(1, "sms", "JOBS", {"filter_subject": "jobs.sms"})]

test_con_010_fires_overlapping_work_queue_filters if {
	doc := {"streams": [stream(0, "JOBS", {"retention": "workqueue"})], "consumers": wq_consumers, "facts": {"consumer_overlaps": [{"a": "consumers/0", "b": "consumers/1", "subject_a": "jobs.>", "subject_b": "jobs.sms"}]}}
	[f] := by_id(doc, "NATS-CON-010")
	f.ref == "consumers/1"
}

test_con_010_quiet_disjoint_filters if {
	doc := {"streams": [stream(0, "JOBS", {"retention": "workqueue"})], "consumers": wq_consumers, "facts": {"consumer_overlaps": []}}
	count(by_id(doc, "NATS-CON-010")) == 0
}

# --- NATS-CON-011 ---------------------------------------------------------

test_con_011_fires_ack_wait_below_declared_time if {
	[f] := by_id({"consumers": [consumer(0, "render", "JOBS", {"ack_wait": 30000000000, "metadata": {"processing_time": "2m"}})]}, "NATS-CON-011")
	f.path == "config/ack_wait"
	contains(f.msg, "waits 30s")
}

test_con_011_fires_first_backoff_below_declared_time if {
	[f] := by_id({"consumers": [consumer(0, "render", "JOBS", {"ack_wait": 300000000000, "backoff": [10000000000], "max_deliver": 3, "metadata": {"processing_time": "1m"}})]}, "NATS-CON-011")
	f.path == "config/backoff/0"
}

test_con_011_quiet_ack_wait_long_enough if {
	count(by_id({"consumers": [consumer(0, "render", "JOBS", {"ack_wait": 180000000000, "metadata": {"processing_time": "2m"}})]}, "NATS-CON-011")) == 0
}

# --- conditions, one by one (issue 20), round 2 ----------------------------

# _same_account: a consumer finds its stream by name within its account; an
# empty account (a definition file) matches any.
wq_acc(cacc, sacc) := {"streams": [object.union(stream(0, "JOBS", {"retention": "workqueue"}), {"account": sacc})], "consumers": [object.union(consumer(0, "w", "JOBS", {"ack_policy": "none"}), {"account": cacc})]}

test_con_009_fires_same_account if {
	count(by_id(wq_acc("APP", "APP"), "NATS-CON-009")) == 1
}

test_con_009_quiet_stream_of_same_name_in_other_account if {
	count(by_id(wq_acc("APP", "OTHER"), "NATS-CON-009")) == 0
}

test_con_009_fires_consumer_without_account if {
	count(by_id(wq_acc("", "APP"), "NATS-CON-009")) == 1
}

test_con_009_fires_stream_without_account if {
	count(by_id(wq_acc("APP", ""), "NATS-CON-009")) == 1
}

test_str_009_msg_names_account if {
	sts := [object.union(fulcrum[0], {"account": "APP"}), object.union(fulcrum[1], {"account": "APP"})]
	[f] := by_id({"streams": sts, "facts": {"stream_overlaps": [{"a": "streams/0", "b": "streams/1", "subject_a": "fulcrum.>", "subject_b": "fulcrum.audit.>"}]}}, "NATS-STR-009")
	contains(f.msg, "overlap in account APP:")
}

test_str_009_msg_without_account_has_no_note if {
	[f] := by_id({"streams": fulcrum, "facts": {"stream_overlaps": [{"a": "streams/0", "b": "streams/1", "subject_a": "fulcrum.>", "subject_b": "fulcrum.audit.>"}]}}, "NATS-STR-009")
	not contains(f.msg, "in account")
}

test_cname_prefers_name_over_durable if {
	[f] := by_id({"consumers": [consumer(0, "w1", "JOBS", {"durable_name": "dur", "max_ack_pending": -1})]}, "NATS-CON-008")
	contains(f.msg, "consumer w1 on")
}

test_cname_falls_back_to_durable_name if {
	[f] := by_id({"consumers": [consumer(0, "", "JOBS", {"durable_name": "worker", "max_ack_pending": -1})]}, "NATS-CON-008")
	contains(f.msg, "consumer worker on")
}

test_str_010_quiet_live_limits_stream_without_consumers if {
	count(by_id({"streams": [live_stream(0, "EVENTS", {}, {"messages": 0, "consumer_count": 0})]}, "NATS-STR-010")) == 0
}

# A live interest stream with consumers is not judged by the file clause,
# even when the repository defines consumers for other streams only.
test_str_010_quiet_live_interest_with_consumers_next_to_file_consumers if {
	doc := {"streams": [live_stream(0, "EVENTS", {"retention": "interest"}, {"messages": 0, "consumer_count": 2}), stream(1, "ORDERS", {})], "consumers": [consumer(0, "w", "ORDERS", {})]}
	count(by_id(doc, "NATS-STR-010")) == 0
}

test_str_010_quiet_file_limits_stream_without_consumer if {
	doc := {"streams": [stream(0, "EVENTS", {}), stream(1, "ORDERS", {})], "consumers": [consumer(0, "w", "ORDERS", {})]}
	count(by_id(doc, "NATS-STR-010")) == 0
}

# Only consumers defined as files say the repository manages consumers.
test_str_010_quiet_file_interest_when_only_live_consumers if {
	doc := {"streams": [stream(0, "EVENTS", {"retention": "interest"})], "consumers": [object.union(consumer(0, "w", "ORDERS", {}), {"source": "live"})]}
	count(by_id(doc, "NATS-STR-010")) == 0
}

test_str_011_quiet_zero_per_subject_limit if {
	count(by_id({"streams": [stream(0, "PRICES", {"discard": "new", "max_msgs_per_subject": 0})]}, "NATS-STR-011")) == 0
}

test_str_012_quiet_mirror_name_not_a_string if {
	count(by_id({"streams": [stream(0, "COPY", {"mirror": {"name": 42}})]}, "NATS-STR-012")) == 0
}

test_str_012_quiet_mirror_in_other_domain if {
	count(by_id({"streams": [stream(0, "COPY", {"mirror": {"name": "ORDERS", "domain": "hub"}})]}, "NATS-STR-012")) == 0
}

test_str_012_fires_origin_only_in_other_account if {
	doc := {"streams": [object.union(stream(0, "COPY", {"mirror": {"name": "ORDERS"}}), {"account": "APP"}), object.union(stream(1, "ORDERS", {}), {"account": "OTHER"})]}
	[f] := by_id(doc, "NATS-STR-012")
	f.ref == "streams/0"
}

test_con_007_quiet_backoff_not_an_array if {
	count(by_id({"consumers": [consumer(0, "w", "JOBS", {"backoff": "1s,5s,30s", "max_deliver": 2})]}, "NATS-CON-007")) == 0
}

test_con_007_quiet_max_deliver_zero if {
	count(by_id({"consumers": [consumer(0, "w", "JOBS", {"backoff": [1000000000], "max_deliver": 0})]}, "NATS-CON-007")) == 0
}

test_con_008_quiet_ack_none if {
	count(by_id({"consumers": [consumer(0, "w", "JOBS", {"ack_policy": "none", "max_ack_pending": -1})]}, "NATS-CON-008")) == 0
}

test_con_008_quiet_zero_means_default if {
	count(by_id({"consumers": [consumer(0, "w", "JOBS", {"max_ack_pending": 0})]}, "NATS-CON-008")) == 0
}

test_con_011_quiet_ack_none if {
	count(by_id({"consumers": [consumer(0, "render", "JOBS", {"ack_policy": "none", "ack_wait": 30000000000, "metadata": {"processing_time": "2m"}})]}, "NATS-CON-011")) == 0
}

test_con_011_quiet_ack_wait_equal_to_declared_time if {
	count(by_id({"consumers": [consumer(0, "render", "JOBS", {"ack_wait": 120000000000, "metadata": {"processing_time": "2m"}})]}, "NATS-CON-011")) == 0
}
