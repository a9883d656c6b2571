package natsaudit.rules.limits

import data.natsaudit.lib
import data.natsaudit.lib.livedocs

# METADATA
# title: max_payload above 8 MB
# description: >-
#   Messages above 8 MB are discouraged (the server warns "Maximum payloads
#   over 8.00 MB are generally discouraged"): large messages block the
#   connection they travel on, inflate buffers on every hop and make slow
#   consumers likely. The default is 1 MB.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration
#   - ref: https://docs.nats.io/using-nats/developer/develop_jetstream/object
# custom:
#   id: NATS-LIM-001
#   severity: medium
#   category: performance
#   facets: [config, live]
#   remediation: |-
#     Keep `max_payload: 8MB` or less (1MB default) and move large data to the
#     Object Store (`nats object put`) or chunk it.
deny contains f if {
	some h in _lim_001
	f := object.union(lib.finding_of(rego.metadata.rule(), h), {"remediation": _lim001_fix(h)})
}

# NATS-LIM-001's fix checked against the streams: a stream whose
# max_msg_size is above the new max_payload was made for larger messages,
# whose publishes the lower limit refuses (maximum payload exceeded), so
# those payloads move first.
_lim001_fix(h) := sprintf("Conflict: the max_msg_size of %s allows messages up to %s, so its publishers may send more than %s; once max_payload is lowered those publishes are refused (maximum payload exceeded). First move those payloads to the Object Store (`nats object put`) or chunk them, and lower that max_msg_size to %s; then set `max_payload: %dMB` %s.", [
	_lim_streams(big), lib.human_bytes(max({x[1] | some x in big})), lib.human_bytes(_lim_max), lib.human_bytes(_lim_max), _lim_max / 1048576, _lim_where(h),
]) if {
	big := _lim_big(h.obj)
	count(big) > 0
} else := sprintf("Set `max_payload: %dMB` or less (1MB is the default) %s. No stream defined for it accepts larger messages, but a client that publishes more than %s is refused from then on (maximum payload exceeded): find the largest messages first (the application code, or `nats server report connections` for the bytes per connection), and move large data to the Object Store (`nats object put`) or chunk it.", [
	_lim_max / 1048576, _lim_where(h), lib.human_bytes(_lim_max),
])

_lim_max := lib.params.limits.max_payload

_lim_streams(big) := sprintf("stream %s", [x[0]]) if {
	count(big) == 1
	some x in big
} else := sprintf("streams %s", [lib.short_list({x[0] | some x in big}, 5)])

_lim_where(h) := sprintf("in the limits of account %s in %s", [split(h.path, "/")[2], _lim_conf(h.obj)]) if {
	startswith(h.path, "config/accounts/")
} else := sprintf("in %s", [_lim_conf(h.obj)])

_lim_conf(s) := s.config_file if {
	object.get(s, "config_file", "") != ""
} else := "the server's config"

# The streams of server s (definitions linked to it or to none, live streams
# it hosts) with a max_msg_size above the recommended limit, from indexes
# built once per evaluation.
_lim_big(s) := (_lim_big_unlinked | object.get(_lim_big_linked, s.ref, set())) | object.get(_lim_big_live, s.name, set())

_lim_size(st) := n if {
	n := lib.num(object.get(st.config, "max_msg_size", -1))
	n > _lim_max
}

_lim_big_unlinked contains [st.name, _lim_size(st)] if {
	some st in input.streams
	st.source != "live"
	count(object.get(st, "linked_servers", [])) == 0
}

_lim_big_linked := natsaudit.group({[ref, [st.name, _lim_size(st)]] |
	some st in input.streams
	st.source != "live"
	some ref in object.get(st, "linked_servers", [])
})

_lim_big_live := natsaudit.group({[n, [st.name, _lim_size(st)]] |
	some st in input.streams
	st.source == "live"
	some n in object.get(st, "servers", [])
})

_lim_001 contains h if {
	some s in lib.configured_servers
	v := lib.num(s.config.max_payload)
	v > lib.params.limits.max_payload
	h := {"obj": s, "path": "config/max_payload", "msg": _payload_msg(lib.server_label(s), v)}
}

_lim_001 contains h if {
	some s in lib.configured_servers
	some name, acc in s.config.accounts
	v := lib.num(acc.limits.max_payload)
	v > lib.params.limits.max_payload
	h := {"obj": s, "path": sprintf("config/accounts/%s/limits/max_payload", [name]), "msg": _payload_msg(sprintf("%s account %s", [lib.server_label(s), name]), v)}
}

_lim_001 contains h if {
	some s in livedocs.live_servers
	v := lib.num(livedocs.live_varz(s).max_payload)
	v > lib.params.limits.max_payload
	not _config_payload_over(s)
	h := {"obj": s, "path": "live/varz/max_payload", "msg": _payload_msg(lib.server_label(s), v)}
}

_config_payload_over(s) if lib.num(s.config.max_payload) > lib.params.limits.max_payload

_payload_msg(who, v) := sprintf("%s allows messages of %s (max_payload), above the recommended 8 MiB", [who, lib.human_bytes(v)])

# METADATA
# title: Limit settings that stop the server from starting
# description: >-
#   nats-server refuses these values: max_payload above max_pending
#   (64 MB by default) or above 2^31-1, lame_duck_grace_period not shorter
#   than lame_duck_duration, and lame_duck_duration below 30 seconds. A
#   restart with this config fails.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/lame_duck_mode
# custom:
#   id: NATS-LIM-002
#   severity: high
#   category: operations
#   facets: [config]
#   remediation: |-
#     Fix the values, then check the file with `nats-server -t -c nats.conf`:
#
#         max_payload: 8MB             # <= max_pending (64MB default)
#         lame_duck_duration: 2m       # >= 30s
#         lame_duck_grace_period: 10s  # < lame_duck_duration
deny contains f if {
	some h in _lim_002
	f := lib.finding_of(rego.metadata.rule(), h)
}

_lim_002 contains h if {
	some s in lib.configured_servers
	payload := lib.num(s.config.max_payload)
	pending := _max_pending(s)
	payload > pending
	h := {"obj": s, "path": "config/max_payload", "msg": sprintf("%s: max_payload (%s) is above max_pending (%s): nats-server refuses to start", [lib.server_label(s), lib.human_bytes(payload), lib.human_bytes(pending)])}
}

_lim_002 contains h if {
	some s in lib.configured_servers
	payload := lib.num(s.config.max_payload)
	payload > lib.params.limits.max_payload_hard_limit
	h := {"obj": s, "path": "config/max_payload", "msg": sprintf("%s: max_payload %d is above 2147483647: nats-server refuses to start", [lib.server_label(s), payload])}
}

_lim_002 contains h if {
	some s in lib.configured_servers
	d := lib.num(s.config.lame_duck_duration)
	d < lib.params.limits.min_lame_duck_ns
	h := {"obj": s, "path": "config/lame_duck_duration", "msg": sprintf("%s: lame_duck_duration %s is below the 30s minimum: nats-server refuses to start", [lib.server_label(s), lib.human_duration(d)])}
}

_lim_002 contains h if {
	some s in lib.configured_servers
	_lame_duck_set(s)
	d := _lame_duck(s)
	g := _lame_duck_grace(s)
	g >= d
	h := {"obj": s, "path": _lame_duck_path(s), "msg": sprintf("%s: lame_duck_grace_period (%s) is not shorter than lame_duck_duration (%s): nats-server refuses to start", [lib.server_label(s), lib.human_duration(g), lib.human_duration(d)])}
}

_max_pending(s) := n if {
	n := lib.num(s.config.max_pending)
	n > 0
} else := lib.params.limits.default_max_pending

_lame_duck_set(s) if object.get(s.config, "lame_duck_duration", null) != null

_lame_duck_set(s) if object.get(s.config, "lame_duck_grace_period", null) != null

_lame_duck(s) := n if {
	n := lib.num(s.config.lame_duck_duration)
	n > 0
} else := lib.params.limits.default_lame_duck_ns

_lame_duck_grace(s) := n if {
	n := lib.num(s.config.lame_duck_grace_period)
	n > 0
} else := lib.params.limits.default_lame_duck_grace_ns

_lame_duck_path(s) := "config/lame_duck_grace_period" if {
	object.get(s.config, "lame_duck_grace_period", null) != null
} else := "config/lame_duck_duration"

# METADATA
# title: Connection limit unlimited, refusing everything, or nearly exhausted
# description: >-
#   max_connections bounds how many clients one server accepts (default
#   65536). Since 2.14, 0 (or a negative value) refuses every client; a huge
#   value removes the protection against connection floods; near the limit new
#   clients are refused.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration
# custom:
#   id: NATS-LIM-003
#   severity: medium
#   category: reliability
#   facets: [config, live]
#   remediation: |-
#     Size it to what the server can carry, with headroom, and add per-account
#     limits in multi-tenant setups:
#
#         max_connections: 10000
#         accounts { APP { limits { max_connections: 2000 } } }
deny contains f if {
	some h in _lim_003
	f := lib.finding_of(rego.metadata.rule(), h)
}

_lim_003 contains h if {
	some s in lib.configured_servers
	v := lib.num(s.config.max_connections)
	v <= 0
	not _before_2_14(s)
	h := {"obj": s, "path": "config/max_connections", "msg": sprintf("%s: max_connections %d refuses every client connection on nats-server 2.14 and later", [lib.server_label(s), v]), "sev": "high"}
}

# Before 2.14, 0 meant the default (65536) and a negative value no limit.
_lim_003 contains h if {
	some s in lib.configured_servers
	v := lib.num(s.config.max_connections)
	v < 0
	_before_2_14(s)
	h := {"obj": s, "path": "config/max_connections", "msg": sprintf("%s: max_connections %d removes the connection limit on nats-server %s (and refuses every client from 2.14 on)", [lib.server_label(s), v, s.version.semver])}
}

_lim_003 contains h if {
	some s in lib.configured_servers
	v := lib.num(s.config.max_connections)
	v > lib.params.limits.max_connections_huge
	h := {"obj": s, "path": "config/max_connections", "msg": sprintf("%s: max_connections %d is effectively unlimited", [lib.server_label(s), v])}
}

_lim_003 contains h if {
	some s in livedocs.live_servers
	v := livedocs.live_varz(s)
	limit := lib.num(v.max_connections)
	limit > 0
	conns := lib.num(v.connections)
	ratio := conns / limit
	ratio >= lib.params.limits.connections_medium
	h := {"obj": s, "path": "live/varz/connections", "msg": sprintf("%s has %d of max_connections %d clients connected (%s): new clients will be refused", [lib.server_label(s), conns, limit, lib.percent(conns, limit)]), "sev": _conn_sev(ratio)}
}

_lim_003 contains h if {
	some s in livedocs.live_servers
	lib.num(livedocs.live_varz(s).max_connections) < 0
	not _config_refuses_all(s)
	h := {"obj": s, "path": "live/varz/max_connections", "msg": sprintf("%s refuses every client connection (max_connections reported as -1)", [lib.server_label(s)]), "sev": "high"}
}

_config_refuses_all(s) if lib.num(s.config.max_connections) <= 0

_before_2_14(s) if {
	v := s.version.semver
	semver.is_valid(v)
	semver.compare(v, "2.14.0") < 0
}

_conn_sev(r) := "high" if r >= lib.params.limits.connections_high

_conn_sev(r) := "medium" if r < lib.params.limits.connections_high

# METADATA
# title: Per-client outbound buffer above the 64 MB default
# description: >-
#   max_pending is the buffer a server keeps for each slow client before it
#   disconnects it. Raising it lets every slow client hold more server memory
#   and only postpones the slow-consumer error.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/slow_consumers
# custom:
#   id: NATS-LIM-004
#   severity: low
#   category: performance
#   facets: [config, live]
#   remediation: |-
#     Remove `max_pending` (64MB default) and fix the slow consumers instead.
deny contains f if {
	some h in _lim_004
	f := lib.finding_of(rego.metadata.rule(), h)
}

_lim_004 contains h if {
	some s in lib.configured_servers
	v := lib.num(s.config.max_pending)
	v > lib.params.limits.default_max_pending
	h := {"obj": s, "path": "config/max_pending", "msg": sprintf("%s: max_pending %s lets each slow client hold more than the 64 MiB default", [lib.server_label(s), lib.human_bytes(v)])}
}

_lim_004 contains h if {
	some s in livedocs.live_servers
	v := lib.num(livedocs.live_varz(s).max_pending)
	v > lib.params.limits.default_max_pending
	not _config_pending_over(s)
	h := {"obj": s, "path": "live/varz/max_pending", "msg": sprintf("%s: max_pending %s lets each slow client hold more than the 64 MiB default", [lib.server_label(s), lib.human_bytes(v)])}
}

_config_pending_over(s) if lib.num(s.config.max_pending) > lib.params.limits.default_max_pending

# METADATA
# title: write_deadline outside 1s–60s
# description: >-
#   write_deadline is how long a write to a peer may block before the server
#   calls it a slow consumer (default 10s). Very short values cut off healthy
#   clients on a slow network; long ones let one stuck client hold buffers and
#   only postpone the error.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/slow_consumers
# custom:
#   id: NATS-LIM-005
#   severity: low
#   category: performance
#   facets: [config, live]
#   remediation: |-
#     Use 2s–10s (`write_deadline: "10s"`), and fix slow consumers at the source.
deny contains f if {
	some h in _lim_005
	f := lib.finding_of(rego.metadata.rule(), h)
}

_lim_005 contains h if {
	some s in lib.configured_servers
	some p in ["write_deadline", "cluster/write_deadline", "gateway/write_deadline", "leafnodes/write_deadline"]
	v := lib.num(object.get(s.config, split(p, "/"), null))
	_deadline_out_of_range(v)
	h := {"obj": s, "path": sprintf("config/%s", [p]), "msg": sprintf("%s: %s %s is outside 1s–60s", [lib.server_label(s), replace(p, "/", "."), lib.human_duration(v)])}
}

_lim_005 contains h if {
	some s in livedocs.live_servers
	not lib.has_config(s)
	some p in ["write_deadline", "cluster/write_deadline", "gateway/write_deadline", "leaf/write_deadline"]
	v := lib.num(object.get(livedocs.live_varz(s), split(p, "/"), null))
	v > 0
	_deadline_out_of_range(v)
	h := {"obj": s, "path": sprintf("live/varz/%s", [p]), "msg": sprintf("%s: %s %s is outside 1s–60s", [lib.server_label(s), replace(p, "/", "."), lib.human_duration(v)])}
}

_deadline_out_of_range(v) if v < lib.params.limits.write_deadline_min_ns

_deadline_out_of_range(v) if v > lib.params.limits.write_deadline_max_ns

# METADATA
# title: Ping settings detect dead peers too slowly or too eagerly
# description: >-
#   ping_interval (default 2m) and ping_max (default 2) decide how long a dead
#   client or route stays registered. Above 5 minutes, dead peers hold
#   subscriptions and buffers for a long time; below 10 seconds, or with
#   ping_max under 2, a short network hiccup drops healthy connections.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration
# custom:
#   id: NATS-LIM-006
#   severity: low
#   category: reliability
#   facets: [config, live]
#   remediation: |-
#     Use the defaults (`ping_interval: "2m"`, `ping_max: 2`) unless a measured need says otherwise.
deny contains f if {
	some h in _lim_006
	f := lib.finding_of(rego.metadata.rule(), h)
}

_lim_006 contains h if {
	some s in lib.configured_servers
	v := lib.num(s.config.ping_interval)
	_ping_out_of_range(v)
	h := {"obj": s, "path": "config/ping_interval", "msg": sprintf("%s: ping_interval %s is outside 10s–5m", [lib.server_label(s), lib.human_duration(v)])}
}

_lim_006 contains h if {
	some s in lib.configured_servers
	v := lib.num(s.config.ping_max)
	v < lib.params.limits.ping_max_min
	h := {"obj": s, "path": "config/ping_max", "msg": sprintf("%s: ping_max %d drops a connection after fewer than 2 missed pings", [lib.server_label(s), v])}
}

_lim_006 contains h if {
	some s in livedocs.live_servers
	not lib.has_config(s)
	v := lib.num(livedocs.live_varz(s).ping_interval)
	_ping_out_of_range(v)
	h := {"obj": s, "path": "live/varz/ping_interval", "msg": sprintf("%s: ping_interval %s is outside 10s–5m", [lib.server_label(s), lib.human_duration(v)])}
}

_ping_out_of_range(v) if v < lib.params.limits.ping_interval_min_ns

_ping_out_of_range(v) if v > lib.params.limits.ping_interval_max_ns

# METADATA
# title: Slow consumers detected
# description: >-
#   The server disconnected connections that could not keep up
#   (slow_consumer_stats counts them since start). Slow routes, gateways or
#   leafnodes break message flow between servers; slow clients lose messages.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/slow_consumers
# custom:
#   id: NATS-LIM-007
#   severity: medium
#   category: performance
#   facets: [live]
#   remediation: |-
#     Find the connections with `nats server report connections --sort pending`
#     (or /connz?sort=pending), speed up or scale the consumers, and check the
#     network between servers for routes/gateways/leafnodes.
deny contains f if {
	some h in _lim_007
	f := lib.finding_of(rego.metadata.rule(), h)
}

_lim_007 contains h if {
	some s in livedocs.live_servers
	stats := livedocs.live_varz(s).slow_consumer_stats
	some kind in ["routes", "gateways", "leafs", "clients"]
	n := lib.num(stats[kind])
	n > 0
	h := {"obj": s, "path": sprintf("live/varz/slow_consumer_stats/%s", [kind]), "msg": sprintf("%s has disconnected %d slow %s since it started", [lib.server_label(s), n, _kind_name(kind)]), "sev": _slow_sev(kind)}
}

# Servers older than 2.10 only have the total.
_lim_007 contains h if {
	some s in livedocs.live_servers
	v := livedocs.live_varz(s)
	not v.slow_consumer_stats
	n := lib.num(v.slow_consumers)
	n > 0
	h := {"obj": s, "path": "live/varz/slow_consumers", "msg": sprintf("%s has disconnected %d slow consumers since it started", [lib.server_label(s), n]), "sev": "low"}
}

_kind_name("routes") := "routes"

_kind_name("gateways") := "gateway connections"

_kind_name("leafs") := "leafnode connections"

_kind_name("clients") := "clients"

_slow_sev("clients") := "low"

_slow_sev(k) := "medium" if k != "clients"

# METADATA
# title: No per-account limits in a multi-account setup
# description: >-
#   Several application accounts share the server but an account has no
#   limits (connections, subscriptions, payload, leafnodes): one tenant's
#   runaway client can exhaust what all of them share.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/accounts
# custom:
#   id: NATS-LIM-008
#   severity: info
#   category: performance
#   facets: [config]
#   remediation: |-
#     Give each account limits sized for that tenant:
#
#         accounts {
#           APP {
#             limits { max_connections: 1000, max_subscriptions: 10000, max_payload: 1MB }
#             users: [ ... ]
#           }
#         }
deny contains f if {
	some s in lib.configured_servers
	apps := {name | some name, _ in s.config.accounts; not _system_account(s, name)}
	count(apps) >= 2
	some name in apps
	not is_object(object.get(s.config.accounts[name], "limits", null))
	f := lib.finding(rego.metadata.rule(), s, sprintf("config/accounts/%s", [name]), sprintf("%s: account %s has no limits although %d application accounts share the server", [lib.server_label(s), name, count(apps)]))
}

_system_account(s, name) if name == object.get(s.config, "system_account", "$SYS")

_system_account(_, name) if name in {"SYS", "$SYS"}
