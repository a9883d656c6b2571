package natsaudit.rules.live_health

import data.natsaudit.lib

# Live health: what the running deployment shows that no file can (offline
# streams, accounts at their limits, servers of one
# cluster configured differently), and the rest of the NATS CLI audit's
# checks (see docs/live.md for the mapping).

# METADATA
# title: Stream offline
# description: >-
#   No server that hosts a replica of the stream answered: the stream's
#   messages can be neither read nor written. No server's /jsz lists such a
#   stream (each lists the streams it hosts); its account's JetStream API
#   still does, as "missing" (its info says "stream is offline"). Typical
#   case: an R1 stream whose only server is down.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/jetstream_admin/troubleshooting
# custom:
#   id: NATS-HLT-001
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Bring the stream's server(s) back. If the stream must survive the loss
#     of a server, give it replicas: `nats stream edit <stream> --replicas 3`
#     once it is online again.
deny contains f if {
	some st in input.streams
	st.source == "live"
	is_string(st.offline)
	st.offline != ""
	f := lib.finding(rego.metadata.rule(), st, "cluster", sprintf(
		"stream %s (account %s, %s) is offline: %s",
		[st.name, st.account, _replicas(st), st.offline],
	))
}

_replicas(st) := sprintf("R%d", [lib.num(st.config.num_replicas)]) if {
	lib.num(st.config.num_replicas) > 0
} else := "replicas unknown"

# METADATA
# title: JetStream account near its limits
# description: >-
#   The account uses 80% (medium) or 90% (high) of one of its JetStream
#   limits: streams, consumers, memory or file storage. At the limit, new
#   streams and consumers are refused and publishes to streams that would
#   grow fail ("insufficient resources"), for every application of the
#   account at once.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/resource_management
# custom:
#   id: NATS-HLT-002
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Raise the account's limit (the account JWT's JetStream limits, `nsc
#     edit account --js-streams ...`, or the config's `jetstream` block of
#     the account), or delete what is unused. Thresholds:
#     `health.account_usage_medium` and `health.account_usage_high`.
deny contains f if {
	some a in input.live_accounts
	info := a.info
	some pair in [["streams", "max_streams"], ["consumers", "max_consumers"], ["memory", "max_memory"], ["storage", "max_storage"]]
	limit := lib.num(info.limits[pair[1]])
	limit > 0
	used := lib.num(info[pair[0]])
	ratio := used / limit
	ratio >= lib.params.health.account_usage_medium
	f := lib.finding_sev(
		rego.metadata.rule(), a, sprintf("info/%s", [pair[0]]), sprintf(
			"account %s uses %s of its JetStream %s (%v of %v)",
			[a.name, lib.percent(used, limit), pair[1], used, limit],
		),
		_account_sev(ratio),
	)
}

_account_sev(r) := "high" if r >= lib.params.health.account_usage_high

_account_sev(r) := "medium" if r < lib.params.health.account_usage_high

# METADATA
# title: Servers of one cluster configured differently
# description: >-
#   Servers of the same cluster report different settings that should be
#   the same on every member: max_payload, JetStream memory and storage
#   limits, whether authentication or TLS is required, the nats-server
#   release series, or the gateways they are configured with (the NATS
#   CLI's CLUSTER_002). A client or stream then behaves differently
#   depending on the server it lands on, and a rolling restart can change
#   the cluster's behaviour.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering
# custom:
#   id: NATS-HLT-003
#   severity: medium
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Generate every member's config from one template (Helm values, a
#     config include) so that only server_name, listen addresses and
#     routes differ, then reload the odd servers (`nats-server --signal
#     reload`).
deny contains f if {
	some name in ({lib.cluster_name(s) | some s in lib.live_servers} - {""})
	members := [s | some s in lib.live_servers; lib.cluster_name(s) == name; lib.live_varz(s)]
	count(members) > 1
	some setting in _drift_settings
	values := {_setting(s, setting) | some s in members}
	count(values) > 1
	first := min({s.name | some s in members})
	some s in members
	s.name == first
	f := lib.finding(rego.metadata.rule(), s, sprintf("live/varz/%s", [setting]), sprintf(
		"cluster %s: servers differ in %s: %s",
		[name, setting, concat("; ", sort({sprintf("%s on %s", [v, lib.short_list({t.name | some t in members; _setting(t, setting) == v}, 5)]) | some v in values}))],
	))
}

_drift_settings := ["max_payload", "jetstream/config/max_memory", "jetstream/config/max_storage", "auth_required", "tls_required", "version series", "gateways"]

# Each setting as a string ("unset" when the server does not report it).
_setting(s, "max_payload") := sprintf("%v", [lib.live_varz(s).max_payload])

_setting(s, "jetstream/config/max_memory") := sprintf("%v", [object.get(lib.live_varz(s), ["jetstream", "config", "max_memory"], "unset")])

_setting(s, "jetstream/config/max_storage") := sprintf("%v", [object.get(lib.live_varz(s), ["jetstream", "config", "max_storage"], "unset")])

_setting(s, "auth_required") := sprintf("%v", [object.get(lib.live_varz(s), "auth_required", false)])

_setting(s, "tls_required") := sprintf("%v", [object.get(lib.live_varz(s), "tls_required", false)])

_setting(s, "version series") := v if {
	parts := split(lib.live_varz(s).version, ".")
	count(parts) >= 2
	v := sprintf("%s.%s", [parts[0], parts[1]])
} else := "unknown"

_setting(s, "gateways") := v if {
	gws := object.get(lib.live_varz(s), ["gateway", "gateways"], [])
	v := sprintf("[%s]", [concat(", ", sort({g.name | some g in gws; is_string(g.name)}))])
}

# METADATA
# title: Server memory far above its cluster's mean
# description: >-
#   The server's resident memory is more than 1.5 times the mean of its
#   cluster (the NATS CLI's CLUSTER_001): it carries more than its share
#   (stream leaders, connections, slow consumers' buffers) or leaks, and
#   will be the first to run out.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/monitoring
# custom:
#   id: NATS-HLT-004
#   severity: low
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Compare the servers with `nats server report jetstream` and `nats
#     server report connections`; rebalance stream leaders (`nats stream
#     cluster step-down`) and clients. The factor is
#     `health.memory_outlier_factor`.
deny contains f if {
	some name in ({lib.cluster_name(s) | some s in lib.live_servers} - {""})
	members := [s | some s in lib.live_servers; lib.cluster_name(s) == name; lib.num(lib.live_varz(s).mem) > 0]
	count(members) > 1
	mean := sum([lib.live_varz(s).mem | some s in members]) / count(members)
	some s in members
	mem := lib.live_varz(s).mem
	mem > mean * lib.params.health.memory_outlier_factor
	f := lib.finding(rego.metadata.rule(), s, "live/varz/mem", sprintf(
		"%s uses %d MiB of memory, %v times the mean of cluster %s (%d MiB)",
		[lib.server_label(s), round(mem / 1048576), round((mem * 10) / mean) / 10, name, round(mean / 1048576)],
	))
}

# METADATA
# title: Servers disagree on the JetStream meta leader
# description: >-
#   Servers of one JetStream meta group name different meta leaders (the
#   NATS CLI's META_002): the group is split or was electing when probed.
#   While it lasts, stream and consumer creation, updates and deletions
#   can fail or go to different leaders.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering
# custom:
#   id: NATS-HLT-005
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Probe again: an election settles in seconds. If it persists, check
#     the routes and gateways between the servers (`nats server report
#     jetstream`), and that every server has the same meta group peers.
deny contains f if {
	groups := {object.get(lib.live_meta(s), "name", "") | some s in lib.live_servers}
	some g in groups
	members := [s | some s in lib.live_servers; object.get(lib.live_meta(s), "name", "") == g; _meta_leader(s) != ""]
	leaders := {_meta_leader(s) | some s in members}
	count(leaders) > 1
	first := min({s.name | some s in members})
	some s in members
	s.name == first
	f := lib.finding(rego.metadata.rule(), s, lib.live_meta_path(s), sprintf(
		"the servers name %d different JetStream meta leaders: %s",
		[count(leaders), concat("; ", sort({sprintf("%s according to %s", [l, lib.short_list({t.name | some t in members; _meta_leader(t) == l}, 5)]) | some l in leaders}))],
	))
}

_meta_leader(s) := l if {
	l := lib.live_meta(s).leader
	is_string(l)
} else := ""

# METADATA
# title: Whitespace in a cluster, leafnode or JetStream domain name
# description: >-
#   A cluster name, a connected leafnode's server name or the JetStream
#   domain contains whitespace (the NATS CLI's CLUSTER_004, LEAF_001 and
#   SERVER_006). Names are subject tokens in the system account and the
#   JetStream API ($JS.<domain>.API): a space breaks the subjects, and
#   tools cannot address the server or domain.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/leafnodes/jetstream_leafnodes
# custom:
#   id: NATS-HLT-006
#   severity: medium
#   category: operations
#   facets: [live]
#   remediation: |-
#     Rename without spaces, tabs or newlines (`cluster { name: ... }`,
#     `server_name`, `jetstream { domain: ... }`) and restart the server.
deny contains f if {
	some h in _named
	regex.match(`\s`, h.value)
	f := lib.finding(rego.metadata.rule(), h.s, h.path, sprintf(
		"%s: the %s %q contains whitespace",
		[lib.server_label(h.s), h.what, h.value],
	))
}

_named contains {"s": s, "what": "cluster name", "value": n, "path": "live/varz/cluster/name"} if {
	some s in lib.live_servers
	n := lib.live_varz(s).cluster.name
	is_string(n)
}

_named contains {"s": s, "what": "JetStream domain", "value": d, "path": "live/jsz/config/domain"} if {
	some s in lib.live_servers
	d := lib.live_jsz(s).config.domain
	is_string(d)
}

_named contains {"s": s, "what": "leafnode server name", "value": n, "path": "live/leafz/leafs"} if {
	some s in lib.live_servers
	some l in s.live.leafz.leafs
	n := l.name
	is_string(n)
}

# METADATA
# title: Account near its connection or subscription limit
# description: >-
#   An operator-mode account uses 80% (medium) or 90% (high) of a limit in
#   its JWT (the NATS CLI's ACCOUNTS_001): client connections or leafnode
#   connections (counted over every probed server: the limit is the
#   account's, cluster-wide), or subscriptions on one server. At the limit
#   new connections are refused ("maximum account active connections
#   exceeded") and new subscriptions fail.
# related_resources:
#   - ref: https://docs.nats.io/using-nats/nats-tools/nsc/managed#account-limits
# custom:
#   id: NATS-HLT-007
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Raise the limit in the account's JWT and push it to the resolver
#     (`nsc edit account APP --conns 500 && nsc push -a APP`), or find the
#     clients that leak connections (`nats server report connections
#     --account APP`). Thresholds: `health.account_usage_medium` and
#     `health.account_usage_high`.
deny contains f if {
	some h in _account_limit_hits
	f := lib.finding_of(rego.metadata.rule(), h)
}

_account_limit_hits contains h if {
	some id, dets in _account_details
	some pair in [["client_connections", "conn", "connections"], ["leafnode_connections", "leaf", "leafnode connections"]]
	limit := lib.num(dets[0].d.decoded_jwt.nats.limits[pair[1]])
	limit > 0
	used := sum([lib.num(object.get(x.d, pair[0], 0)) | some x in dets])
	ratio := used / limit
	ratio >= lib.params.health.account_usage_medium
	h := {"obj": dets[0].s, "path": "live/account_details", "sev": _account_sev(ratio), "msg": sprintf(
		"account %s has %d of its %d %s (%s) on %s",
		[_account_label(dets[0].d, id), used, limit, pair[2], lib.percent(used, limit), lib.short_list({x.s.name | some x in dets}, 5)],
	)}
}

_account_limit_hits contains h if {
	some id, dets in _account_details
	some x in dets
	limit := lib.num(x.d.decoded_jwt.nats.limits.subs)
	limit > 0
	used := lib.num(x.d.subscriptions)
	ratio := used / limit
	ratio >= lib.params.health.account_usage_medium
	h := {"obj": x.s, "path": "live/account_details", "sev": _account_sev(ratio), "msg": sprintf(
		"account %s has %d of its %d subscriptions (%s) on %s",
		[_account_label(x.d, id), used, limit, lib.percent(used, limit), lib.server_label(x.s)],
	)}
}

# _account_details: account id → [{s, d}], the servers (by name) that
# gave the account's detail.
_account_details[id] := dets if {
	some id in {d.account_name | some s in lib.live_servers; some d in object.get(s.live, "account_details", []); is_string(d.account_name)}
	pairs := [[s.name, {"s": s, "d": d}] | some s in lib.live_servers; some d in object.get(s.live, "account_details", []); d.account_name == id]
	dets := [p[1] | some p in sort(pairs)]
}

_account_label(d, id) := sprintf("%s (%s)", [d.name_tag, id]) if {
	is_string(d.name_tag)
	d.name_tag != ""
} else := id

# METADATA
# title: Account JWT expiring soon
# description: >-
#   The JWT of an account the servers have loaded has expired or expires
#   within 30 days (7 days: high). When an account JWT expires, its users
#   are disconnected and cannot reconnect. A long-running service notices
#   only when it happens. (Users' JWTs in /connz are masked by natsaudit as
#   credentials before any rule sees them; NATS-CRED-006 judges the .creds
#   files of the repository.)
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/jwt
# custom:
#   id: NATS-HLT-008
#   severity: high
#   category: security
#   facets: [live]
#   remediation: |-
#     Reissue the account JWT with a later expiry and push it (`nsc edit
#     account APP --expiry 1y && nsc push -a APP`), and alert on expiry
#     before it comes. Thresholds: `jwt.expiry_warning_days` and
#     `health.jwt_expiry_high_days`.
deny contains f if {
	some id, dets in _account_details
	exp := lib.num(dets[0].d.decoded_jwt.exp)
	exp > 0
	left := (exp * 1000000000) - input.scan.now_ns
	left < lib.params.jwt.expiry_warning_days * _day_ns
	f := lib.with_deadline(
		lib.finding_sev(
			rego.metadata.rule(), dets[0].s, "live/account_details", sprintf(
				"the JWT of account %s %s",
				[_account_label(dets[0].d, id), _left(left)],
			),
			_expiry_sev(left),
		),
		lib.date_of(exp * 1000000000), "jwt_expiry", sprintf("the JWT of account %s expires", [_account_label(dets[0].d, id)]),
	)
}

_day_ns := 86400000000000

_expiry_sev(left) := "high" if left < lib.params.health.jwt_expiry_high_days * _day_ns

_expiry_sev(left) := "medium" if left >= lib.params.health.jwt_expiry_high_days * _day_ns

_left(left) := sprintf("expired %d days ago", [floor((0 - left) / _day_ns)]) if {
	left <= 0
} else := sprintf("expires in %d days", [floor(left / _day_ns)]) if {
	left >= _day_ns
} else := sprintf("expires in %d hours", [floor(left / 3600000000000)])

# METADATA
# title: Stream outside the thresholds of its monitoring metadata
# description: >-
#   The stream opted into metadata-based monitoring
#   (`io.nats.monitor.enabled: "true"`, as `nats server check stream` and
#   the NATS CLI's JETSTREAM_004 read it) and breaks one of its own
#   thresholds: message or subject count (`msgs-warn`/`msgs-critical`,
#   `subjects-warn`/`subjects-critical`; a critical below the warning means
#   "alert when fewer"), the number of peers (`peer-expect`) or a replica's
#   lag (`peer-lag-critical`). Duration thresholds (`seen-critical`,
#   `peer-seen-critical`), mirror and source lag (`lag-critical`) and source
#   counts are not judged yet.
# related_resources:
#   - ref: https://github.com/nats-io/jsm.go/blob/main/monitor/stream.go
# custom:
#   id: NATS-HLT-009
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Fix what the threshold watches (a stalled publisher, a lost or
#     lagging replica), or correct the thresholds in the stream's metadata
#     (`nats stream edit <stream> --metadata io.nats.monitor.msgs-critical=...`).
deny contains f if {
	some h in _stream_monitor_hits
	f := lib.finding_of(rego.metadata.rule(), h)
}

_monitor(obj, key) := n if {
	v := obj.config.metadata[concat("", ["io.nats.monitor.", key])]
	is_string(v)
	regex.match(`^-?[0-9]+(\.[0-9]+)?$`, v)
	n := to_number(v)
}

_monitored(obj) if obj.config.metadata["io.nats.monitor.enabled"] == "true"

# Warning/critical pairs: with critical < warning the check is inverted
# (alert when the value is at or below the threshold), as the CLI does.
_threshold(obj, value, key) := {"sev": "high", "limit": crit, "cmp": _cmp(obj, key, crit)} if {
	crit := _monitor(obj, sprintf("%s-critical", [key]))
	_breaks(obj, value, crit, key, crit)
} else := {"sev": "medium", "limit": warn, "cmp": _cmp(obj, key, _crit_or_none(obj, key))} if {
	warn := _monitor(obj, sprintf("%s-warn", [key]))
	_breaks(obj, value, warn, key, _crit_or_none(obj, key))
}

_crit_or_none(obj, key) := c if {
	c := _monitor(obj, sprintf("%s-critical", [key]))
} else := null

_inverted(obj, key, crit) if {
	is_number(crit)
	crit < _monitor(obj, sprintf("%s-warn", [key]))
}

_breaks(obj, value, limit, key, crit) if {
	_inverted(obj, key, crit)
	value <= limit
}

_breaks(obj, value, limit, key, crit) if {
	not _inverted(obj, key, crit)
	value >= limit
}

_cmp(obj, key, crit) := "at or below" if {
	_inverted(obj, key, crit)
} else := "at or above"

_stream_monitor_hits contains h if {
	some st in input.streams
	st.source == "live"
	_monitored(st)
	some pair in [["messages", "msgs"], ["num_subjects", "subjects"]]
	value := lib.num(st.state[pair[0]])
	t := _threshold(st, value, pair[1])
	h := {"obj": st, "path": sprintf("state/%s", [pair[0]]), "sev": t.sev, "msg": sprintf(
		"stream %s (account %s) has %v %s, %s its io.nats.monitor threshold %v",
		[st.name, st.account, value, pair[1], t.cmp, t.limit],
	)}
}

_stream_monitor_hits contains h if {
	some st in input.streams
	st.source == "live"
	_monitored(st)
	want := _monitor(st, "peer-expect")
	have := count(object.get(st.cluster, "replicas", [])) + count({1 | is_string(st.cluster.leader); st.cluster.leader != ""})
	have != want
	h := {"obj": st, "path": "cluster", "sev": "high", "msg": sprintf(
		"stream %s (account %s) has %d peers, its io.nats.monitor.peer-expect is %v",
		[st.name, st.account, have, want],
	)}
}

_stream_monitor_hits contains h if {
	some st in input.streams
	st.source == "live"
	_monitored(st)
	limit := _monitor(st, "peer-lag-critical")
	some r in object.get(st.cluster, "replicas", [])
	lag := lib.num(object.get(r, "lag", 0))
	lag >= limit
	h := {"obj": st, "path": "cluster/replicas", "sev": "high", "msg": sprintf(
		"stream %s (account %s): replica %s lags %d operations, at or above its io.nats.monitor.peer-lag-critical %v",
		[st.name, st.account, r.name, lag, limit],
	)}
}

# METADATA
# title: Consumer outside the thresholds of its monitoring metadata
# description: >-
#   The consumer opted into metadata-based monitoring
#   (`io.nats.monitor.enabled: "true"`, as `nats server check consumer`
#   and the NATS CLI's JETSTREAM_005 read it) and is at or above one of its
#   critical thresholds: messages awaiting an ack
#   (`outstanding-ack-critical`), waiting pull requests
#   (`waiting-critical`), unprocessed messages (`unprocessed-critical`) or
#   redeliveries (`redelivery-critical`). Duration thresholds
#   (`last-delivery-critical`, `last-ack-critical`) and `pinned` are not
#   judged.
# related_resources:
#   - ref: https://github.com/nats-io/jsm.go/blob/main/monitor/consumer.go
# custom:
#   id: NATS-HLT-010
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Fix what the threshold watches (stuck or too few subscribers, poison
#     messages), or correct the thresholds in the consumer's metadata.
deny contains f if {
	some c in input.consumers
	c.source == "live"
	_monitored(c)
	some pair in [["num_ack_pending", "outstanding-ack-critical"], ["num_waiting", "waiting-critical"], ["num_pending", "unprocessed-critical"], ["num_redelivered", "redelivery-critical"]]
	limit := _monitor(c, pair[1])
	limit >= 0
	value := lib.num(c.state[pair[0]])
	value >= limit
	f := lib.finding(rego.metadata.rule(), c, sprintf("state/%s", [pair[0]]), sprintf(
		"consumer %s/%s (account %s) has %s %d, at or above its io.nats.monitor.%s %v",
		[c.stream, c.name, c.account, pair[0], value, pair[1], limit],
	))
}
