package natsaudit.rules.live_health

import data.natsaudit.lib
import data.natsaudit.lib.livedocs
import data.natsaudit.lib.subjects

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
	some name in ({subjects.cluster_name(s) | some s in livedocs.live_servers} - {""})
	members := [s | some s in livedocs.live_servers; subjects.cluster_name(s) == name; livedocs.live_varz(s)]
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
_setting(s, "max_payload") := sprintf("%v", [livedocs.live_varz(s).max_payload])

_setting(s, "jetstream/config/max_memory") := sprintf("%v", [object.get(livedocs.live_varz(s), ["jetstream", "config", "max_memory"], "unset")])

_setting(s, "jetstream/config/max_storage") := sprintf("%v", [object.get(livedocs.live_varz(s), ["jetstream", "config", "max_storage"], "unset")])

_setting(s, "auth_required") := sprintf("%v", [object.get(livedocs.live_varz(s), "auth_required", false)])

_setting(s, "tls_required") := sprintf("%v", [object.get(livedocs.live_varz(s), "tls_required", false)])

_setting(s, "version series") := v if {
	parts := split(livedocs.live_varz(s).version, ".")
	count(parts) >= 2
	v := sprintf("%s.%s", [parts[0], parts[1]])
} else := "unknown"

_setting(s, "gateways") := v if {
	gws := object.get(livedocs.live_varz(s), ["gateway", "gateways"], [])
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
	some name in ({subjects.cluster_name(s) | some s in livedocs.live_servers} - {""})
	members := [s | some s in livedocs.live_servers; subjects.cluster_name(s) == name; lib.num(livedocs.live_varz(s).mem) > 0]
	count(members) > 1
	mean := sum([livedocs.live_varz(s).mem | some s in members]) / count(members)
	some s in members
	mem := livedocs.live_varz(s).mem
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
	groups := {object.get(livedocs.live_meta(s), "name", "") | some s in livedocs.live_servers}
	some g in groups
	members := [s | some s in livedocs.live_servers; object.get(livedocs.live_meta(s), "name", "") == g; _meta_leader(s) != ""]
	leaders := {_meta_leader(s) | some s in members}
	count(leaders) > 1
	first := min({s.name | some s in members})
	some s in members
	s.name == first
	f := lib.finding(rego.metadata.rule(), s, livedocs.live_meta_path(s), sprintf(
		"the servers name %d different JetStream meta leaders: %s",
		[count(leaders), concat("; ", sort({sprintf("%s according to %s", [l, lib.short_list({t.name | some t in members; _meta_leader(t) == l}, 5)]) | some l in leaders}))],
	))
}

_meta_leader(s) := l if {
	l := livedocs.live_meta(s).leader
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
	some s in livedocs.live_servers
	n := livedocs.live_varz(s).cluster.name
	is_string(n)
}

_named contains {"s": s, "what": "JetStream domain", "value": d, "path": "live/jsz/config/domain"} if {
	some s in livedocs.live_servers
	d := livedocs.live_jsz(s).config.domain
	is_string(d)
}

_named contains {"s": s, "what": "leafnode server name", "value": n, "path": "live/leafz/leafs"} if {
	some s in livedocs.live_servers
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
	some id in {d.account_name | some s in livedocs.live_servers; some d in object.get(s.live, "account_details", []); is_string(d.account_name)}
	pairs := [[s.name, {"s": s, "d": d}] | some s in livedocs.live_servers; some d in object.get(s.live, "account_details", []); d.account_name == id]
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
#   "alert when fewer"), the number of peers (`peer-expect`), a replica's
#   lag (`peer-lag-critical`) or time since it was last seen
#   (`peer-seen-critical`), the mirror's or a source's lag
#   (`lag-critical`) or time since its origin was last heard from
#   (`seen-critical`), and the number of sources (`min-sources`,
#   `max-sources`). Durations are Go durations (`90s`, `1h30m`) or a
#   whole number of days or weeks (`2d`, `1w`); a value that is neither is
#   reported, as the CLI's check fails on it.
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

_stream_monitor_hits contains h if {
	some st in input.streams
	st.source == "live"
	_monitored(st)
	limit := _duration(st, "peer-seen-critical")
	some r in object.get(st.cluster, "replicas", [])
	active := lib.num(object.get(r, "active", 0))
	active > limit
	h := {"obj": st, "path": "cluster/replicas", "sev": "high", "msg": sprintf(
		"stream %s (account %s): replica %s was last seen %s ago, more than its io.nats.monitor.peer-seen-critical %s",
		[st.name, st.account, r.name, _dur(active), st.config.metadata["io.nats.monitor.peer-seen-critical"]],
	)}
}

_stream_monitor_hits contains h if {
	some st in input.streams
	st.source == "live"
	_monitored(st)
	limit := _monitor(st, "lag-critical")
	limit > 0
	some o in _origins(st)
	lag := lib.num(object.get(o.info, "lag", 0))
	lag >= limit
	h := {"obj": st, "path": o.path, "sev": "high", "msg": sprintf(
		"stream %s (account %s): its %s %s lags %d messages, at or above its io.nats.monitor.lag-critical %v",
		[st.name, st.account, o.what, o.info.name, lag, limit],
	)}
}

_stream_monitor_hits contains h if {
	some st in input.streams
	st.source == "live"
	_monitored(st)
	limit := _duration(st, "seen-critical")
	limit > 0
	some o in _origins(st)
	active := lib.num(object.get(o.info, "active", 0))
	active >= limit
	h := {"obj": st, "path": o.path, "sev": "high", "msg": sprintf(
		"stream %s (account %s): its %s %s was last heard from %s ago, at or above its io.nats.monitor.seen-critical %s",
		[st.name, st.account, o.what, o.info.name, _dur(active), st.config.metadata["io.nats.monitor.seen-critical"]],
	)}
}

_stream_monitor_hits contains h if {
	some st in input.streams
	st.source == "live"
	_monitored(st)
	n := count(object.get(st, "sources", []))
	some pair in [["min-sources", "fewer than"], ["max-sources", "more than"]]
	limit := _monitor(st, pair[0])
	limit > 0
	_sources_break(pair[0], n, limit)
	h := {"obj": st, "path": "sources", "sev": "high", "msg": sprintf(
		"stream %s (account %s) has %d sources, %s its io.nats.monitor.%s %v",
		[st.name, st.account, n, pair[1], pair[0], limit],
	)}
}

_stream_monitor_hits contains h if {
	some st in input.streams
	st.source == "live"
	_monitored(st)
	some key in ["seen-critical", "peer-seen-critical"]
	h := _bad_duration(st, key)
}

_sources_break("min-sources", n, limit) if n < limit

_sources_break("max-sources", n, limit) if n > limit

# The mirror and the sources of a live stream, with their state.
_origins(st) := [{"what": "mirror", "info": st.mirror, "path": "mirror"} | is_object(st.mirror)] if {
	not is_array(st.sources)
} else := array.concat(
	[{"what": "mirror", "info": st.mirror, "path": "mirror"} | is_object(st.mirror)],
	[{"what": "source", "info": x, "path": sprintf("sources/%d", [i])} | some i, x in st.sources; is_object(x)],
)

# _duration is a duration threshold of the monitoring metadata in ns: a Go
# duration, or a whole number of days or weeks (jsm.go's ParseDuration
# accepts those too).
_duration(obj, key) := n if {
	v := obj.config.metadata[concat("", ["io.nats.monitor.", key])]
	n := _parse_duration(v)
}

_parse_duration(v) := n if {
	is_string(v)
	n := time.parse_duration_ns(v)
} else := n if {
	is_string(v)
	[[_, num, unit]] := regex.find_all_string_submatch_n(`^([0-9]{1,6})([dw])$`, v, 1)
	n := to_number(num) * {"d": 86400000000000, "w": 604800000000000}[unit]
}

_bad_duration(obj, key) := h if {
	v := obj.config.metadata[concat("", ["io.nats.monitor.", key])]
	not _parse_duration(v)
	h := {"obj": obj, "path": "config/metadata", "sev": "medium", "msg": sprintf(
		"%s: io.nats.monitor.%s %q is not a duration (like 90s, 1h30m, 2d): the threshold is not checked (the NATS CLI's check fails on it)",
		[_monitor_label(obj), key, v],
	)}
}

_monitor_label(obj) := sprintf("consumer %s/%s (account %s)", [obj.stream, obj.name, obj.account]) if {
	is_string(obj.stream)
} else := sprintf("stream %s (account %s)", [obj.name, obj.account])

# _dur formats ns as the largest whole unit that fits.
_dur(ns) := sprintf("%dd", [floor(ns / 86400000000000)]) if {
	ns >= 86400000000000
} else := sprintf("%dh", [floor(ns / 3600000000000)]) if {
	ns >= 3600000000000
} else := sprintf("%dm", [floor(ns / 60000000000)]) if {
	ns >= 60000000000
} else := sprintf("%ds", [floor(ns / 1000000000)])

# METADATA
# title: Consumer outside the thresholds of its monitoring metadata
# description: >-
#   The consumer opted into metadata-based monitoring
#   (`io.nats.monitor.enabled: "true"`, as `nats server check consumer`
#   and the NATS CLI's JETSTREAM_005 read it) and is at or above one of its
#   critical thresholds: messages awaiting an ack
#   (`outstanding-ack-critical`), waiting pull requests
#   (`waiting-critical`), unprocessed messages (`unprocessed-critical`) or
#   redeliveries (`redelivery-critical`), or time since the last delivery
#   (`last-delivery-critical`) or the last acknowledgement
#   (`last-ack-critical`; none at all counts as too long, as in the CLI).
#   Durations are Go durations or whole days or weeks (`2d`, `1w`); a
#   threshold of 0 or less is off, as in the CLI.
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
	some h in _consumer_monitor_hits
	f := lib.finding_of(rego.metadata.rule(), h)
}

_consumer_monitor_hits contains h if {
	some c in input.consumers
	c.source == "live"
	_monitored(c)
	some pair in [["num_ack_pending", "outstanding-ack-critical"], ["num_waiting", "waiting-critical"], ["num_pending", "unprocessed-critical"], ["num_redelivered", "redelivery-critical"]]
	limit := _monitor(c, pair[1])
	limit > 0
	value := lib.num(c.state[pair[0]])
	value >= limit
	h := {"obj": c, "path": sprintf("state/%s", [pair[0]]), "sev": "high", "msg": sprintf(
		"consumer %s/%s (account %s) has %s %d, at or above its io.nats.monitor.%s %v",
		[c.stream, c.name, c.account, pair[0], value, pair[1], limit],
	)}
}

_consumer_monitor_hits contains h if {
	some c in input.consumers
	c.source == "live"
	_monitored(c)
	some x in [["delivered", "last-delivery-critical", "delivery"], ["ack_floor", "last-ack-critical", "acknowledgement"]]
	limit := _duration(c, x[1])
	limit > 0
	h := _last_activity_hit(c, x, limit)
}

_consumer_monitor_hits contains h if {
	some c in input.consumers
	c.source == "live"
	_monitored(c)
	some key in ["last-delivery-critical", "last-ack-critical"]
	h := _bad_duration(c, key)
}

_last_activity_hit(c, x, limit) := h if {
	last := time.parse_rfc3339_ns(c.state[x[0]].last_active)
	since := input.scan.now_ns - last
	since >= limit
	h := {"obj": c, "path": sprintf("state/%s/last_active", [x[0]]), "sev": "high", "msg": sprintf(
		"consumer %s/%s (account %s): last %s %s ago, at or above its io.nats.monitor.%s %s",
		[c.stream, c.name, c.account, x[2], _dur(since), x[1], c.config.metadata[concat("", ["io.nats.monitor.", x[1]])]],
	)}
} else := h if {
	not c.state[x[0]].last_active
	h := {"obj": c, "path": sprintf("state/%s", [x[0]]), "sev": "high", "msg": sprintf(
		"consumer %s/%s (account %s): no %s yet, and its io.nats.monitor.%s is %s",
		[c.stream, c.name, c.account, x[2], x[1], c.config.metadata[concat("", ["io.nats.monitor.", x[1]])]],
	)}
}

# METADATA
# title: Connected user's JWT expiring soon
# description: >-
#   A user connected in operator mode presents a JWT that has expired or
#   expires within 30 days (7 days: high), as the servers' /connz
#   (auth=true) shows it. When it expires the server disconnects the user,
#   and the client cannot reconnect with the same credentials: a
#   long-running service stops at that moment. natsaudit reads the claims
#   it needs (expiry, issuer, name) as the document is read; the JWT
#   itself is masked like any credential and is never in the inventory or
#   a report.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/jwt
# custom:
#   id: NATS-HLT-011
#   severity: high
#   category: security
#   facets: [live]
#   remediation: |-
#     Issue the user a new JWT with a later expiry and deploy its .creds
#     before the old one expires (`nsc edit user --account APP --name svc
#     --expiry 90d && nsc generate creds --account APP --name svc`), and
#     alert on expiry. Thresholds: `jwt.expiry_warning_days` and
#     `health.jwt_expiry_high_days` (as for account JWTs, NATS-HLT-008).
deny contains f if {
	some sub, conns in _user_jwts
	c := conns[0]
	exp := c.claims.exp
	left := (exp * 1000000000) - input.scan.now_ns
	left < lib.params.jwt.expiry_warning_days * _day_ns
	f := lib.finding_sev(
		rego.metadata.rule(), c.s, "live/connz/connections", sprintf(
			"the JWT of user %s (account %s, issued by %s) %s; %d connection(s) use it on %s",
			[_user_label(c.claims), c.account, c.claims.iss, _left(left), count(conns), lib.short_list({x.s.name | some x in conns}, 5)],
		),
		_expiry_sev(left),
	)
}

# _user_jwts: user public key → the connections presenting a JWT with an
# expiry, in server order.
_user_jwts[sub] := conns if {
	some sub in {c.jwt_claims.sub | some s in livedocs.live_servers; some c in object.get(object.get(s.live, "connz", {}), "connections", []); lib.num(c.jwt_claims.exp) > 0}
	pairs := [[s.name, {"s": s, "claims": c.jwt_claims, "account": object.get(c, "account", "?")}] |
		some s in livedocs.live_servers
		some c in object.get(object.get(s.live, "connz", {}), "connections", [])
		c.jwt_claims.sub == sub
		lib.num(c.jwt_claims.exp) > 0
	]
	conns := [p[1] | some p in sort(pairs)]
}

_user_label(c) := sprintf("%s (%s)", [c.name, c.sub]) if {
	is_string(c.name)
	c.name != ""
} else := c.sub

# METADATA
# title: Mirror or source lagging or cut off from its origin
# description: >-
#   A stream that mirrors or sources another is behind its origin by 1,000
#   messages or more (medium), or has not heard from it for a minute or
#   more (high: the origin's server is down, the origin stream was
#   removed, or the link to another domain is broken), or has never heard
#   from it a minute after the stream was created (`active` -1), as /jsz
#   reports the mirror's and sources' `lag` and `active`. Readers of the copy see old
#   data, and a disaster-recovery copy is not what it claims.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/source_and_mirror
# custom:
#   id: NATS-HLT-012
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Check the origin (`nats stream info <origin>` in its account and
#     domain) and the path to it (leafnode, gateway, the `external.api`
#     prefix). A lag that stays high with an active origin means the copy's
#     servers cannot keep up. A copy whose error says "stalled on flow
#     control" gets one window of messages and no more: its flow-control
#     replies (`$JS.FC.>`) do not reach the origin; across accounts the
#     origin's account must export, and the copy's import, `$JS.FC.>` as
#     well as the API and delivery subjects. Thresholds:
#     `health.source_lag_msgs` and `health.source_inactive_ns`.
deny contains f if {
	some st in input.streams
	st.source == "live"
	some o in _origins(st)
	some h in _origin_hits(st, o)
	f := lib.finding_of(rego.metadata.rule(), h)
}

_origin_hits(st, o) := ({h |
	active := lib.num(object.get(o.info, "active", 0))
	active >= lib.params.health.source_inactive_ns
	h := {"obj": st, "path": sprintf("%s/active", [o.path]), "sev": "high", "msg": sprintf(
		"stream %s (account %s): its %s %s was last heard from %s ago%s",
		[st.name, st.account, o.what, _origin_name(o.info), _dur(active), _origin_error(o.info)],
	)}
} | {h |
	# -1: never heard from it (a missing origin, or one it cannot reach)
	# since the stream was created (or its leader started).
	lib.num(object.get(o.info, "active", 0)) < 0
	age := input.scan.now_ns - time.parse_rfc3339_ns(st.created)
	age >= lib.params.health.source_inactive_ns
	h := {"obj": st, "path": sprintf("%s/active", [o.path]), "sev": "high", "msg": sprintf(
		"stream %s (account %s): its %s %s has never been heard from (the stream was created %s ago)%s",
		[st.name, st.account, o.what, _origin_name(o.info), _dur(age), _origin_error(o.info)],
	)}
}) | {h |
	lag := lib.num(object.get(o.info, "lag", 0))
	lag >= lib.params.health.source_lag_msgs
	h := {"obj": st, "path": sprintf("%s/lag", [o.path]), "sev": "medium", "msg": sprintf(
		"stream %s (account %s): its %s %s is %d messages behind its origin%s",
		[st.name, st.account, o.what, _origin_name(o.info), lag, _origin_error(o.info)],
	)}
}

_origin_name(info) := sprintf("%s (via %s)", [info.name, info.external.api]) if {
	is_string(info.external.api)
	info.external.api != ""
} else := info.name

_origin_error(info) := sprintf(" (%s)", [info.error.description]) if {
	is_string(info.error.description)
	info.error.description != ""
} else := ""

# METADATA
# title: Stream, consumer or meta leader changed recently
# description: >-
#   The leader of a replicated stream or consumer was elected within the
#   last 5 minutes, and not when the asset was created (nats-server 2.11+
#   reports `leader_since` in the leader's cluster info); or the JetStream
#   meta leader was elected within the last 5 minutes, and not when it
#   started (`/raftz?group=_meta_`, nats-server 2.11.9+: the leader's
#   `leader_since` and Raft term). A leader change pauses the asset's
#   writes (streams) or deliveries (consumers), or the JetStream API
#   (meta), while the group elects; leaders that keep changing point at
#   a server that restarts, is overloaded, or loses its routes. One probe
#   sees the current leader's age only: it cannot count elections (the
#   Raft term only grows, and from what is not known).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/jetstream_admin/troubleshooting
# custom:
#   id: NATS-HLT-013
#   severity: low
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Probe again later: a single change (a rolling restart, a step-down)
#     is expected. If leaders keep changing, check the servers' logs for
#     restarts and lost routes, and `nats server report jetstream` for an
#     overloaded server. Window: `health.leader_recent_ns`.
deny contains f if {
	some h in _leader_hits
	f := lib.finding_of(rego.metadata.rule(), h)
}

_leader_hits contains h if {
	some st in input.streams
	since := _recent_leader(st)
	h := {"obj": st, "path": "cluster/leader_since", "sev": "low", "msg": sprintf(
		"stream %s (account %s): leader %s elected %s ago, after the stream was created",
		[st.name, st.account, st.cluster.leader, _dur(since)],
	)}
}

_leader_hits contains h if {
	some st in input.streams
	st.source == "live"
	changed := object.get(_recent_consumer_leaders, [[st.account, st.name]], set()) # a path of one key
	count(changed) > 0
	h := {"obj": st, "path": "cluster", "sev": "low", "msg": sprintf(
		"stream %s (account %s): %d consumer leader(s) elected in the last %s, after the consumer was created: %s",
		[st.name, st.account, count(changed), _dur(lib.params.health.leader_recent_ns), lib.short_list(changed, 5)],
	)}
}

# The meta group, from its leader's own /raftz (followers have no
# leader_since): elected after the server's first seconds.
_leader_hits contains h if {
	some s in input.servers
	some groups in object.get(s, ["live", "raftz"], {})
	g := groups._meta_
	g.state == "LEADER"
	elected := time.parse_rfc3339_ns(g.leader_since)
	started := time.parse_rfc3339_ns(s.live.varz.start)
	elected - started > lib.params.health.leader_first_election_ns
	since := input.scan.now_ns - elected
	since < lib.params.health.leader_recent_ns
	h := {"obj": s, "path": "live/raftz", "sev": "low", "msg": sprintf(
		"the JetStream meta leader %s was elected %s ago (Raft term %v), %s after it started",
		[s.name, _dur(since), g.term, _dur(elected - started)],
	)}
}

# _recent_consumer_leaders indexes the consumers with a recent leader
# change by [account, stream], once: a join of every stream with every
# consumer was streams × consumers (2 million pairs at 1,000 streams and
# 2,000 consumers). Read whole (object.get), so that a lookup does not
# evaluate the body once per stream.
_recent_consumer_leaders := natsaudit.group({[k, sprintf("%s (%s, %s ago)", [c.name, c.cluster.leader, _dur(since)])] |
	some c in input.consumers
	since := _recent_leader(c)
	k := [c.account, c.stream]
})

# _recent_leader is how long ago (ns) the live asset's current leader was
# elected, when that is within the window and not its first election.
_recent_leader(x) := since if {
	x.source == "live"
	elected := time.parse_rfc3339_ns(x.cluster.leader_since)
	created := time.parse_rfc3339_ns(x.created)
	elected - created > lib.params.health.leader_first_election_ns
	since := input.scan.now_ns - elected
	since < lib.params.health.leader_recent_ns
}

# METADATA
# title: Running config differs from the repository's
# description: >-
#   A server scanned with its config file and probed live (`scan PATH
#   --url ...`, joined by server_name) runs a config that is not the
#   committed one: its /varz `config_digest` differs from the digest of
#   the repository's file, computed as nats-server computes it (SHA-256 of
#   the parsed config: comments and layout do not count). The config was
#   changed on the host and not committed, or committed and not deployed
#   or reloaded. When the digest cannot be computed from the repository
#   (the file includes others, or takes values from environment
#   variables), the settings /varz reports are compared instead.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration#configuration-reloading
# custom:
#   id: NATS-HLT-014
#   severity: medium
#   category: operations
#   facets: [live]
#   remediation: |-
#     Deploy the committed config and reload the server (`nats-server
#     --signal reload`), or commit what runs. Find the difference by
#     comparing the file on the host with the repository's.
deny contains f if {
	some h in _drift_hits
	f := lib.finding_of(rego.metadata.rule(), h)
}

_drift_hits contains h if {
	some s in livedocs.live_servers
	is_string(s.config_digest)
	s.config_digest != ""
	live := livedocs.live_varz(s).config_digest
	is_string(live)
	live != ""
	live != s.config_digest
	h := {"obj": s, "path": "live/varz/config_digest", "sev": "medium", "msg": sprintf(
		# The repository's digest is not quoted: for a config that holds a
		# password it would confirm a guess (the live digest is what the
		# server's own /varz publishes).
		"%s runs a config (digest %s) whose digest differs from that of %s in the repository",
		[lib.server_label(s), _short(live), s.config_file],
	)}
}

_drift_hits contains h if {
	some s in livedocs.live_servers
	object.get(s, "config_digest", "") == ""
	is_object(s.config)
	diffs := [sprintf("%s %v (repository: %v)", [d[0], live, want]) |
		some d in _reported_settings
		want := object.get(s.config, d[1], null)
		_comparable(want)
		live := object.get(livedocs.live_varz(s), d[2], null)
		live != null
		live != want
	]
	count(diffs) > 0
	h := {"obj": s, "path": "live/varz", "sev": "medium", "msg": sprintf(
		"%s runs settings that differ from %s of the repository: %s%s",
		[lib.server_label(s), s.config_file, concat("; ", diffs), _digest_why(s)],
	)}
}

# Settings a config sets and /varz reports: name, config path, varz path.
_reported_settings := [
	["max_payload", ["max_payload"], ["max_payload"]],
	["max_connections", ["max_connections"], ["max_connections"]],
	["max_subscriptions", ["max_subscriptions"], ["max_subscriptions"]],
	["system_account", ["system_account"], ["system_account"]],
	["cluster name", ["cluster", "name"], ["cluster", "name"]],
	["JetStream max_memory", ["jetstream", "max_memory_store"], ["jetstream", "config", "max_memory"]],
	["JetStream max_storage", ["jetstream", "max_file_store"], ["jetstream", "config", "max_storage"]],
]

# A literal the repository sets (not an unresolved $VAR, not a secret).
_comparable(v) if is_number(v)

_comparable(v) if {
	is_string(v)
	not startswith(v, "$")
}

_digest_why(s) := sprintf(" (the digest is not compared: %s)", [s.config_digest_note]) if {
	is_string(s.config_digest_note)
	s.config_digest_note != ""
} else := ""

_short(d) := substring(trim_prefix(d, "sha256:"), 0, 12)
