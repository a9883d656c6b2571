package natsaudit.rules.hygiene

import data.natsaudit.lib
import data.natsaudit.lib.clustering
import data.natsaudit.lib.exposure
import data.natsaudit.lib.livedocs
import data.natsaudit.lib.tlsconf
import data.natsaudit.lib.versions

# Durability, naming and listener settings across the repository's servers,
# and stream/consumer settings that depend on them.

# METADATA
# title: JetStream strict mode turned off
# description: >-
#   With `jetstream { strict: false }` the server accepts JetStream API
#   requests with unknown or invalid fields and ignores what it does not
#   understand, so a client's mistaken setting (a typo in a limit, a
#   retention it does not support) silently becomes a default.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration#jetstream
# custom:
#   id: NATS-JS-008
#   severity: low
#   category: reliability
#   facets: [config, deployment, live]
#   remediation: |-
#     Remove `strict: false` (strict is the default since 2.11):
#
#         jetstream { store_dir: /data }
deny contains f if {
	some h in _js_008
	f := lib.finding_of(rego.metadata.rule(), h)
}

_js_008 contains h if {
	some s in clustering.js_servers
	s.config.jetstream.strict == false
	h := {"obj": s, "path": "config/jetstream/strict", "msg": sprintf("%s runs JetStream with strict: false: invalid API requests are accepted with defaults", [lib.server_label(s)])}
}

_js_008 contains h if {
	some s in livedocs.live_servers
	not lib.has_config(s)
	c := livedocs.live_varz(s).jetstream.config
	c.strict == false
	h := {"obj": s, "path": "live/varz/jetstream/config/strict", "msg": sprintf("%s runs JetStream with strict: false: invalid API requests are accepted with defaults", [lib.server_label(s)])}
}

# METADATA
# title: JetStream option unknown to the server version
# description: >-
#   The config uses a JetStream option added in nats-server 2.11
#   (max_buffered_msgs, max_buffered_size, tpm) on an older server, which
#   rejects unknown JetStream fields: the server does not start.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration#jetstream
# custom:
#   id: NATS-JS-009
#   severity: high
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Upgrade the server to 2.11 or later (2.12+ is supported), or remove the
#     option from the jetstream block.
deny contains f if {
	some s in clustering.js_servers
	v := versions.server_semver(s)
	semver.compare(v, "2.11.0") < 0
	some k in lib.params.hygiene.js_211_options
	object.get(s.config.jetstream, k, null) != null
	f := lib.finding(rego.metadata.rule(), s, sprintf("config/jetstream/%s", [k]), sprintf("%s runs nats-server %s, which does not know jetstream.%s (2.11+) and refuses to start", [lib.server_label(s), v, k]))
}

# METADATA
# title: sync always on a replicated JetStream cluster
# description: >-
#   `sync_interval: always` flushes every write to disk before acknowledging
#   it. In a cluster of three or more servers replicated streams already
#   survive the loss of one node, and syncing every write costs throughput
#   and latency on every server.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration#jetstream
# custom:
#   id: NATS-JS-010
#   severity: low
#   category: performance
#   facets: [config, deployment, live]
#   remediation: |-
#     Keep the default interval (2m) or a short one for R1 data, and rely on
#     replicas for durability:
#
#         jetstream { sync_interval: 10s }
deny contains f if {
	some s in clustering.js_servers
	s.config.jetstream.sync_interval == "always"
	size := clustering.cluster_size(s)
	size >= 3
	f := lib.finding(rego.metadata.rule(), s, "config/jetstream/sync_interval", sprintf("%s syncs every write to disk (sync_interval: always) in a JetStream cluster of %d servers", [lib.server_label(s), size]))
}

# METADATA
# title: Memory streams defined but no JetStream memory store
# description: >-
#   The repository defines memory-storage streams, but every configured
#   JetStream server sets max_memory_store to 0 (the NATS Helm chart does
#   so by default): the server refuses to create them
#   ("insufficient memory resources available").
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration#jetstream
# custom:
#   id: NATS-JS-011
#   severity: high
#   category: reliability
#   facets: [streams]
#   remediation: |-
#     Give JetStream some memory, or move the streams to file storage:
#
#         jetstream { max_memory_store: 256MB }
deny contains f if {
	count(clustering.js_servers) > 0
	every s in clustering.js_servers {
		lib.num(s.config.jetstream.max_memory_store) == 0
	}
	some st in input.streams
	st.source != "live"
	st.config.storage == "memory"
	f := lib.finding(rego.metadata.rule(), st, "config/storage", sprintf("memory stream %s cannot be created: every JetStream server of the repository sets max_memory_store 0", [st.name]))
}

# METADATA
# title: Duplicate server_name
# description: >-
#   Two servers of the repository use the same server_name. JetStream
#   identifies peers by name: duplicates corrupt the meta group and stream
#   placement, and monitoring mixes up the servers.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering
# custom:
#   id: NATS-CLU-006
#   severity: high
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Give every server its own name, e.g. from the environment in a shared
#     template:
#
#         server_name: $SERVER_NAME
deny contains f if {
	some name, refs in _by_server_name
	count(refs) > 1
	some s in lib.configured_servers
	s.ref in refs
	clash := {t.ref | some r in refs; r != s.ref; t := _server_by_ref[r]; _together(s, t)}
	count(clash) > 0
	s.ref != min(clash | {s.ref})
	f := lib.finding(rego.metadata.rule(), s, "config/server_name", sprintf("%s shares server_name %q with %d other server(s) of the repository", [lib.server_label(s), name, count(clash)]))
}

_by_server_name := natsaudit.group({[n, s.ref] |
	some s in lib.configured_servers
	clustering.literal_server_name(s)
	n := s.config.server_name

	# A test/variant config of the same server is not a second server:
	# only servers that run (compose) or are clustered count.
	_runs(s)
})

_server_by_ref := {s.ref: s | some s in lib.configured_servers}

_runs(s) if s.deployment

_runs(s) if clustering.clustered_config(s)

# _together(s, t): the two servers run side by side, so a shared name
# clashes: one cluster (the linked cluster group, else the cluster name when
# the inventory has no groups), or one compose project whose profiles can be
# enabled together. Sample projects that reuse names (c1-js1 in
# allinone-with-gateway/ and in allinone-with-leafnode/ of
# fuscoyu/nats-samples) and alternative services behind disjoint profiles
# (absmach/magistrala's broker and nats) never meet.
_together(s, t) if {
	g := _cluster_key(s)
	g == _cluster_key(t)
}

_together(s, t) if {
	p := object.get(object.get(s, "deployment", {}), "project", "")
	p != ""
	p == object.get(object.get(t, "deployment", {}), "project", "")
	_profiles_meet(s.deployment, t.deployment)
}

_cluster_key(s) := g if {
	g := object.get(s, "cluster_group", "")
	g != ""
} else := sprintf("name:%s", [n]) if {
	object.get(s, "cluster_group", "") == ""
	n := s.config.cluster.name
	is_string(n)
	n != ""
}

_profiles_meet(a, _) if count(object.get(a, "profiles", [])) == 0

_profiles_meet(_, b) if count(object.get(b, "profiles", [])) == 0

_profiles_meet(a, b) if {
	some p in a.profiles
	p in b.profiles
}

# METADATA
# title: Cluster name differs from gateway name
# description: >-
#   In a super-cluster the gateway name is the cluster's name; nats-server
#   refuses to start when cluster.name and gateway.name differ.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/gateways/gateway
# custom:
#   id: NATS-CLU-007
#   severity: high
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Give the cluster and the gateway the same name:
#
#         cluster { name: east }
#         gateway { name: east }
deny contains f if {
	some s in lib.configured_servers
	c := s.config.cluster.name
	g := s.config.gateway.name
	is_string(c)
	is_string(g)
	c != g
	not startswith(c, "$")
	not startswith(g, "$")
	f := lib.finding(rego.metadata.rule(), s, "config/gateway/name", sprintf("%s: cluster name %q and gateway name %q differ, so the server does not start", [lib.server_label(s), c, g]))
}

# METADATA
# title: Users not restricted to connection types
# description: >-
#   The server has WebSocket, MQTT or leafnode listeners, but no user sets
#   allowed_connection_types: every credential works on every listener, so
#   a browser or device credential also opens a full client connection (and
#   vice versa).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro#allowed-connection-types
# custom:
#   id: NATS-NET-005
#   severity: low
#   category: security
#   facets: [config, deployment]
#   remediation: |-
#     Restrict each user to the connection types it uses:
#
#         { user: browser, password: "...", allowed_connection_types: ["WEBSOCKET"] }
deny contains f if {
	some s in lib.configured_servers
	kinds := [k | some k in ["websocket", "mqtt", "leafnodes"]; exposure.config_listener(s, k)]
	count(kinds) > 0
	users := tlsconf.all_users(s.config)
	count(users) > 0
	every u in users {
		_no_type_restriction(u, kinds)
	}
	f := lib.finding(rego.metadata.rule(), s, sprintf("config/%s", [kinds[0]]), sprintf("%s has %s listeners but no user is restricted with allowed_connection_types%s", [lib.server_label(s), concat(", ", kinds), _all_types_note(users)]))
}

# _no_type_restriction(u, kinds): the user may connect over every listener
# the server has: no allowed_connection_types, or a list naming the client
# type and the type of each of those listeners (it never restricts).
_no_type_restriction(u, _) if count(object.get(u, "allowed_connection_types", [])) == 0

_no_type_restriction(u, kinds) if {
	types := {upper(t) | some t in object.get(u, "allowed_connection_types", []); is_string(t)}
	count(types) > 0
	every t in {"STANDARD"} | {_conn_type[k] | some k in kinds} {
		t in types
	}
}

_conn_type := {"websocket": "WEBSOCKET", "mqtt": "MQTT", "leafnodes": "LEAFNODE"}

_all_types_note(users) := " (the lists that are set name every connection type the server accepts, so they restrict nothing)" if {
	some u in users
	count(object.get(u, "allowed_connection_types", [])) > 0
} else := ""

# METADATA
# title: max_control_line raised far above the default
# description: >-
#   max_control_line bounds a protocol line (subject, reply and headers
#   size). The default is 4 KB; a much larger value lets every connection,
#   authenticated or not, make the server buffer large lines before they
#   are rejected.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration#limits
# custom:
#   id: NATS-LIM-009
#   severity: low
#   category: security
#   facets: [config, deployment, live]
#   remediation: |-
#     Keep the default, or raise it only as far as the longest subject needs:
#
#         max_control_line: 4KB
deny contains f if {
	some h in _lim_009
	f := lib.finding_of(rego.metadata.rule(), h)
}

_lim_009 contains h if {
	some s in lib.configured_servers
	n := lib.num(s.config.max_control_line)
	n > lib.params.hygiene.max_control_line
	h := {"obj": s, "path": "config/max_control_line", "msg": sprintf("%s allows control lines of %s (default 4 KiB)", [lib.server_label(s), lib.human_bytes(n)])}
}

_lim_009 contains h if {
	some s in livedocs.live_servers
	not lib.has_config(s)
	n := lib.num(livedocs.live_varz(s).max_control_line)
	n > lib.params.hygiene.max_control_line
	h := {"obj": s, "path": "live/varz/max_control_line", "msg": sprintf("%s allows control lines of %s (default 4 KiB)", [lib.server_label(s), lib.human_bytes(n)])}
}

# METADATA
# title: Push consumer without idle heartbeat
# description: >-
#   A push consumer without idle_heartbeat gives its subscriber no way to
#   tell a quiet stream from a broken delivery (lost interest, a leader
#   change, a dropped route): the application waits forever.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/consumers
# custom:
#   id: NATS-CON-012
#   severity: low
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Enable heartbeats (and flow control) on push consumers, or use a pull
#     consumer:
#
#         "idle_heartbeat": 5000000000,
#         "flow_control": true
deny contains f if {
	some c in input.consumers
	object.get(c.config, "deliver_subject", "") != ""
	lib.num(object.get(c.config, "idle_heartbeat", 0)) <= 0
	f := lib.finding(rego.metadata.rule(), c, "config/deliver_subject", sprintf("push consumer %s on stream %s has no idle_heartbeat: a stalled delivery looks like a quiet stream", [_cname(c), c.stream]))
}

_cname(c) := c.name if {
	c.name != ""
} else := object.get(c.config, "durable_name", "(unnamed)")

# METADATA
# title: Stream placement no server can satisfy
# description: >-
#   A stream asks for a cluster or server tags that no configured JetStream
#   server of the repository has: the server refuses to create it ("no
#   suitable peers for placement").
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams#placement
# custom:
#   id: NATS-STR-016
#   severity: high
#   category: reliability
#   facets: [streams]
#   remediation: |-
#     Fix the placement to a cluster name and tags the servers have:
#
#         server_tags: ["az:eu-1a", "ssd"]
#
#     or drop the placement.
deny contains f if {
	some h in _str_016
	f := lib.finding_of(rego.metadata.rule(), h)
}

_str_016 contains h if {
	some st in input.streams
	st.source != "live"
	c := st.config.placement.cluster
	is_string(c)
	c != ""
	names := {n | some s in _placement_servers(st); n := _cluster_name(s)}
	count(names) > 0
	not c in names
	h := {"obj": st, "path": "config/placement/cluster", "msg": sprintf("stream %s is placed in cluster %q, but the repository's JetStream servers are in %s", [st.name, c, concat(", ", sort(names))])}
}

_str_016 contains h if {
	some st in input.streams
	st.source != "live"
	tags := {t | some t in object.get(st.config.placement, "tags", []); is_string(t)}
	count(tags) > 0
	servers := _placement_servers(st)
	_tagged_servers(servers)
	not _some_server_has(servers, tags)
	h := {"obj": st, "path": "config/placement/tags", "msg": sprintf("stream %s requires server tags %s, which no JetStream server of the repository has", [st.name, concat(", ", sort(tags))])}
}

# _placement_servers(st): the JetStream servers a definition is judged
# against: those it is linked to; for a stream a shell script creates and
# no server of its directory runs, none (the script's servers are not in
# the repository: their clusters are unknown, not "other"); else all.
_placement_servers(st) := {s | some s in clustering.js_servers; s.ref in st.linked_servers} if {
	count(object.get(st, "linked_servers", [])) > 0
} else := set() if {
	st.source == "script"
} else := clustering.js_servers

_cluster_name(s) := n if {
	n := s.config.cluster.name
	is_string(n)
	not startswith(n, "$")
}

_tagged_servers(servers) if {
	some s in servers
	count(object.get(s.config, "server_tags", [])) > 0
}

_some_server_has(servers, tags) if {
	some s in servers
	have := {t | some t in object.get(s.config, "server_tags", [])}
	count(tags - have) == 0
}

# METADATA
# title: Two clusters of one super-cluster share a name
# description: >-
#   Servers of two different clusters (not routed to each other) in one
#   deployment use the same gateway (cluster) name. Gateways identify a
#   cluster by that name: the super-cluster takes the two for one, so
#   gateway connections, interest propagation and JetStream placement by
#   cluster go to the wrong servers.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/gateways/gateway
# custom:
#   id: NATS-CLU-008
#   severity: high
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Give each cluster its own name, the same in cluster{} and gateway{} of
#     all its servers:
#
#         cluster { name: east }
#         gateway { name: east, gateways: [ { name: west, urls: ["nats://west-1:7222"] } ] }
deny contains f if {
	some name, refs in _by_gateway_name
	count({_cluster_key(_server_by_ref[r]) | some r in refs}) > 1
	some s in lib.configured_servers
	s.ref in refs
	others := {t.ref |
		some r in refs
		t := _server_by_ref[r]
		_cluster_key(t) != _cluster_key(s)
		_same_project(s, t)
	}
	count(others) > 0

	# One finding per cluster: on its first server.
	s.ref == min({r | some r in refs; _cluster_key(_server_by_ref[r]) == _cluster_key(s)})
	f := lib.finding(rego.metadata.rule(), s, "config/gateway/name", sprintf("%s: its cluster and another cluster of the deployment (%s) both use gateway name %q, so the super-cluster takes them for one", [
		lib.server_label(s), lib.short_list([_server_by_ref[r].name | some r in others], 3), name,
	]))
}

_by_gateway_name := natsaudit.group({[n, s.ref] |
	some s in lib.configured_servers
	n := s.config.gateway.name
	is_string(n)
	n != ""
	not startswith(n, "$")
	_cluster_key(s)
})

_same_project(s, t) if {
	p := object.get(object.get(s, "deployment", {}), "project", "")
	p != ""
	p == object.get(object.get(t, "deployment", {}), "project", "")
	_profiles_meet(s.deployment, t.deployment)
}

# _eff_payload(c): the largest message the server accepts (max_payload, 1 MB
# when unset or 0); undefined when it is set from an unknown variable.
_eff_payload(c) := v if {
	v := lib.num(c.max_payload)
	v > 0
} else := 1048576 if {
	object.get(c, "max_payload", 0) == 0
}

# _knows_211(s): the server accepts the 2.11 JetStream options (its version
# is unknown or 2.11+); older ones refuse them, which NATS-JS-009 reports.
_knows_211(s) if not versions.server_semver(s)

_knows_211(s) if semver.compare(versions.server_semver(s), "2.11.0") >= 0

# METADATA
# title: JetStream ingest queue that drops messages or is unbounded
# description: >-
#   Since 2.11 every stream queues incoming messages in a buffer bounded by
#   `jetstream { max_buffered_size, max_buffered_msgs }` (128 MB and 100,000
#   messages by default). A message that does not fit is dropped: a
#   JetStream publish gets `429 Too Many Requests`, a core publish is lost
#   silently. With max_buffered_size no larger than max_payload, a message
#   the server accepts (subject, headers and payload) can be larger than
#   the whole queue, so it is dropped by every stream even when the queue
#   is empty. A negative value turns the bound off (nats-server reads it as
#   no limit): an ingest burst then grows the queue until memory runs out.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration#jetstream
#   - ref: https://github.com/nats-io/nats-server/blob/main/server/stream.go
# custom:
#   id: NATS-JS-013
#   severity: medium
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Keep the defaults (remove the options), or size the queue for many
#     messages of the largest size the server accepts:
#
#         max_payload: 1MB
#         jetstream { max_buffered_size: 128MB, max_buffered_msgs: 100000 }
#   remediation_by_source:
#     helm: |-
#       Remove the keys from the chart values, or size the queue for many
#       messages of the largest size the server accepts:
#
#           config:
#             merge:
#               max_payload: 1MB
#             jetstream:
#               enabled: true
#               merge:
#                 max_buffered_size: 128MB
#                 max_buffered_msgs: 100000
deny contains f if {
	some h in _js_013
	f := lib.finding_of(rego.metadata.rule(), h)
}

_js_013 contains h if {
	some s in clustering.js_servers
	_knows_211(s)
	b := lib.num(s.config.jetstream.max_buffered_size)
	b > 0
	p := _eff_payload(s.config)
	b <= p
	h := {"obj": s, "path": "config/jetstream/max_buffered_size", "msg": sprintf("%s: jetstream.max_buffered_size (%s) is not larger than max_payload (%s): every stream drops the messages larger than its ingest queue, which the server accepts", [lib.server_label(s), lib.human_bytes(b), lib.human_bytes(p)])}
}

_js_013 contains h if {
	some s in clustering.js_servers
	_knows_211(s)
	some k in ["max_buffered_msgs", "max_buffered_size"]
	v := lib.num(s.config.jetstream[k])
	v < 0
	h := {"obj": s, "path": sprintf("config/jetstream/%s", [k]), "sev": "low", "msg": sprintf("%s: jetstream.%s is negative (%d), which nats-server reads as no limit: streams' ingest queues grow without bound under a publish burst", [lib.server_label(s), k, v])}
}

# METADATA
# title: JetStream max_outstanding_catchup negative or smaller than a message
# description: >-
#   `jetstream { max_outstanding_catchup }` bounds the bytes a server sends
#   to replicas catching up, summed over all its streams (64 MB by default,
#   0 means the default). It matters to clustered servers only (a cluster
#   port or listen address), and there a negative value makes nats-server
#   refuse to start ("jetstream max catchup cannot be negative"; a
#   standalone server ignores it). A value no larger
#   than max_payload cannot hold one message of the largest size: a
#   replica catching up on such messages gets one at a time, each waiting
#   for the previous acknowledgement, so after a restart or a new peer the
#   stream runs with fewer current replicas for much longer.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration#jetstream
#   - ref: https://github.com/nats-io/nats-server/blob/main/server/jetstream_cluster.go
# custom:
#   id: NATS-JS-014
#   severity: low
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Remove the option (64 MB suits a 1 Gbit link) or raise it well above
#     max_payload:
#
#         jetstream { max_outstanding_catchup: 64MB }
#   remediation_by_source:
#     helm: |-
#       Remove the key from the chart values (64 MB suits a 1 Gbit link) or
#       raise it well above max_payload:
#
#           config:
#             jetstream:
#               enabled: true
#               merge:
#                 max_outstanding_catchup: 64MB
deny contains f if {
	some h in _js_014
	f := lib.finding_of(rego.metadata.rule(), h)
}

_js_014 contains h if {
	some s in clustering.js_servers
	_catchup_cluster(s)
	v := lib.num(s.config.jetstream.max_outstanding_catchup)
	v < 0
	h := {"obj": s, "path": "config/jetstream/max_outstanding_catchup", "sev": "high", "msg": sprintf("%s: jetstream.max_outstanding_catchup is negative (%d): nats-server refuses to start (jetstream max catchup cannot be negative)", [lib.server_label(s), v])}
}

_js_014 contains h if {
	some s in clustering.js_servers
	_catchup_cluster(s)
	v := lib.num(s.config.jetstream.max_outstanding_catchup)
	v > 0
	p := _eff_payload(s.config)
	v <= p
	h := {"obj": s, "path": "config/jetstream/max_outstanding_catchup", "msg": sprintf("%s: jetstream.max_outstanding_catchup (%s) is not larger than max_payload (%s): replicas catching up receive large messages one at a time", [lib.server_label(s), lib.human_bytes(v), lib.human_bytes(p)])}
}

# _catchup_cluster(s): the server has a cluster port (nats-server validates
# and uses max_outstanding_catchup only then: validateJetStreamOptions
# returns early when Cluster.Port is 0).
_catchup_cluster(s) if {
	some k in ["port", "listen"]
	object.get(object.get(s.config, "cluster", {}), k, null) != null
}
