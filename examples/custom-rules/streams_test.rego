# Tests for streams.rego: each rule fires on a bad stream and stays quiet on
# a close look-alike that is fine. Run: natsaudit rules test examples/custom-rules
package natsaudit.rules.acme_streams_test

import data.natsaudit.rules.acme_streams

# stream is a stream definition file as the inventory has it (defaults
# applied: a missing max_age is 0).
stream(name, config) := {
	"ref": "streams/0",
	"name": name,
	"account": "",
	"source": "file",
	"file": "jetstream/streams/x.json",
	"config": object.union({"name": name, "max_age": 0, "subjects": ["acme.orders.>"], "num_replicas": 3}, config),
}

findings(st, id) := {f | some f in acme_streams.deny with input as {"streams": [st]}; f.rule_id == id}

day := ((24 * 60) * 60) * 1000000000

test_acme_str_001_fires_without_max_age if {
	[f] := [f | some f in findings(stream("ORDERS", {}), "ACME-STR-001")]
	f.path == "config/max_age"
	contains(f.msg, "ORDERS has no max_age")
}

test_acme_str_001_fires_above_90_days if {
	[f] := [f | some f in findings(stream("AUDIT", {"max_age": 365 * day}), "ACME-STR-001")]
	contains(f.msg, "365 days")
}

test_acme_str_001_fires_on_live_stream_without_max_age if {
	st := object.union(stream("ORDERS", {}), {"source": "live"})
	count(findings(st, "ACME-STR-001")) == 1
}

test_acme_str_001_quiet_at_90_days if {
	count(findings(stream("ORDERS", {"max_age": 90 * day}), "ACME-STR-001")) == 0
}

test_acme_str_001_quiet_with_30_days if {
	count(findings(stream("DLQ", {"max_age": 30 * day, "max_bytes": 1073741824}), "ACME-STR-001")) == 0
}

test_acme_str_002_fires_on_two_token_subject if {
	st := stream("WEATHER", {"max_age": day, "subjects": ["sahool.weather.>", "weather.>"]})
	[f] := [f | some f in findings(st, "ACME-STR-002")]
	f.path == "config/subjects/1"
	contains(f.msg, `"weather.>"`)
}

test_acme_str_002_fires_on_wildcard_tenant if {
	count(findings(stream("ALL", {"max_age": day, "subjects": ["*.orders.>"]}), "ACME-STR-002")) == 1
}

test_acme_str_002_fires_on_upper_case if {
	count(findings(stream("ORDERS", {"max_age": day, "subjects": ["ACME.Orders.>"]}), "ACME-STR-002")) == 1
}

test_acme_str_002_quiet_with_tenant_and_domain if {
	st := stream("ORDERS", {"max_age": day, "subjects": ["acme.orders.>", "acme.billing.invoice.created", "acme.orders.*.paid"]})
	count(findings(st, "ACME-STR-002")) == 0
}
