package natsaudit.rules.servers

import data.natsaudit.lib
import data.natsaudit.lib.livedocs
import data.natsaudit.lib.subjects

# Live server checks: what the running servers are configured to reach
# versus what they reach, and the NATS CLI audit's server checks (see
# docs/live.md for the mapping).

# METADATA
# title: Gateway configured but not connected
# description: >-
#   The server is configured with a gateway to another cluster of its
#   super-cluster, but /gatewayz shows no outbound connection to it: messages
#   and JetStream traffic between the two clusters stop, and the JetStream
#   meta group may lose its quorum.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/gateways
# custom:
#   id: NATS-SRV-001
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Bring the remote cluster back, or fix what keeps the gateway down: the
#     gateway URLs, DNS, firewalls on the gateway port (7222), gateway TLS.
#     Check with `nats server report gateways`.
deny contains f if {
	some s in livedocs.live_servers
	v := livedocs.live_varz(s)
	own := object.get(v.gateway, "name", "")
	own != ""
	is_object(s.live.gatewayz)
	configured := {g.name | some g in object.get(v.gateway, "gateways", []); is_string(g.name); g.name != own}
	connected := {name | some name, _ in object.get(s.live.gatewayz, "outbound_gateways", {})}
	missing := configured - connected
	count(missing) > 0
	f := lib.finding(rego.metadata.rule(), s, "live/gatewayz/outbound_gateways", sprintf(
		"%s (cluster %s) has no gateway connection to %s, configured in its gateway block",
		[lib.server_label(s), own, concat(", ", sort(missing))],
	))
}

# METADATA
# title: Leafnode remote configured but not connected
# description: >-
#   A leafnode remote in the server's configuration has no connection in
#   /leafz: the hub refuses it (credentials, TLS), cannot be reached, or is
#   down. The leafnode's clients are cut off from the hub's subjects and
#   JetStream domain.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/leafnodes
# custom:
#   id: NATS-SRV-002
#   severity: high
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Check the leafnode's log for the hub's answer (authorization
#     violation, TLS handshake, connection refused) and fix the remote's
#     URL, credentials or TLS; check the hub with `nats server report
#     leafnodes`.
deny contains f if {
	some s in livedocs.live_servers
	v := livedocs.live_varz(s)
	is_object(s.live.leafz)
	remotes := object.get(v.leaf, "remotes", [])
	some acc in {_local_account(r) | some r in remotes}
	want := count([r | some r in remotes; _local_account(r) == acc])
	have := count([l | some l in object.get(s.live.leafz, "leafs", []); l.is_spoke == true; _leaf_account(l) == acc])
	have < want
	urls := {_no_userinfo(u) | some r in remotes; _local_account(r) == acc; some u in object.get(r, "urls", []); is_string(u)}
	f := lib.finding(rego.metadata.rule(), s, "live/varz/leaf/remotes", sprintf(
		"%s: %d of %d leafnode remote(s) of account %s are not connected (remote URLs: %s)",
		[lib.server_label(s), want - have, want, acc, lib.short_list(urls, 5)],
	))
}

_local_account(r) := a if {
	a := r.local_account
	is_string(a)
	a != ""
} else := "$G"

_leaf_account(l) := a if {
	a := l.account
	is_string(a)
	a != ""
} else := "$G"

# URLs are shown without credentials, whatever the server reports.
_no_userinfo(u) := regex.replace(u, `^([A-Za-z][A-Za-z0-9+.-]*://)[^@/]*@`, "$1")

# METADATA
# title: Mixed nats-server versions in one cluster
# description: >-
#   The servers of one cluster run different nats-server versions. Fine for
#   the minutes of a rolling upgrade; left that way, features, defaults and
#   JetStream behaviour differ from server to server, and a stream's
#   replicas can behave differently depending on where its leader runs
#   (the NATS CLI's SERVER_002).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/upgrading_cluster
# custom:
#   id: NATS-SRV-003
#   severity: low
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Finish the rolling upgrade: one server at a time, wait for
#     `nats server report jetstream` to show every peer current, then the
#     next.
deny contains f if {
	some name in ({subjects.cluster_name(s) | some s in livedocs.live_servers} - {""})
	members := [s | some s in livedocs.live_servers; subjects.cluster_name(s) == name; is_string(livedocs.live_varz(s).version)]
	versions := {livedocs.live_varz(s).version | some s in members}
	count(versions) > 1
	first := min({s.name | some s in members})
	some s in members
	s.name == first
	f := lib.finding(rego.metadata.rule(), s, "live/varz/version", sprintf(
		"cluster %s runs %d nats-server versions: %s",
		[name, count(versions), concat("; ", sort({sprintf("%s on %s", [v, lib.short_list({t.name | some t in members; livedocs.live_varz(t).version == v}, 5)]) | some v in versions}))],
	))
}

# METADATA
# title: Too many replicated JetStream assets on one server
# description: >-
#   Every replicated stream and consumer is a RAFT group with its own
#   heartbeats, elections and snapshots. Past about 1,000 on one server
#   (the NATS CLI's CLUSTER_003) the RAFT traffic and the restart time grow
#   enough to cause timeouts and leader churn.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering
# custom:
#   id: NATS-SRV-004
#   severity: medium
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Spread the assets over more servers (placement tags), use R1 or
#     ephemeral consumers where replication is not needed, and remove
#     unused consumers. The threshold is `servers.ha_assets_max`.
deny contains f if {
	some s in livedocs.live_servers
	n := lib.num(livedocs.live_varz(s).jetstream.stats.ha_assets)
	n > lib.params.servers.ha_assets_max
	f := lib.finding(rego.metadata.rule(), s, "live/varz/jetstream/stats/ha_assets", sprintf(
		"%s hosts %d replicated JetStream assets (RAFT groups), more than %d",
		[lib.server_label(s), n, lib.params.servers.ha_assets_max],
	))
}

# METADATA
# title: Server CPU saturated
# description: >-
#   The server's CPU use, per core, is above the threshold (90%, the NATS
#   CLI's SERVER_003): message delivery and RAFT heartbeats are delayed,
#   which shows as slow consumers, timeouts and leader elections.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/monitoring
# custom:
#   id: NATS-SRV-005
#   severity: medium
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Find the load (`nats server report connections --sort msgs_to`),
#     give the server more cores, or spread clients over more servers. The
#     threshold is `servers.cpu_per_core_max`.
deny contains f if {
	some s in livedocs.live_servers
	v := livedocs.live_varz(s)
	cores := lib.num(v.cores)
	cores > 0
	per_core := lib.num(v.cpu) / cores
	per_core > lib.params.servers.cpu_per_core_max * 100
	f := lib.finding(rego.metadata.rule(), s, "live/varz/cpu", sprintf(
		"%s uses %d%% CPU over %d cores (%d%% per core), above %d%%",
		[lib.server_label(s), round(lib.num(v.cpu)), cores, round(per_core), round(lib.params.servers.cpu_per_core_max * 100)],
	))
}

# METADATA
# title: Stream with very many subjects
# description: >-
#   The stream holds more distinct subjects than the threshold (1,000,000,
#   the NATS CLI's JETSTREAM_002). The per-subject index costs memory on
#   every replica, and subject-filtered consumers and KV watches slow down.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams
# custom:
#   id: NATS-SRV-006
#   severity: low
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Bound the subjects: max_msgs_per_subject with max_age, or fewer
#     subject tokens that carry identifiers. The threshold is
#     `servers.stream_subjects_max`.
deny contains f if {
	some st in input.streams
	st.source == "live"
	n := lib.num(st.state.num_subjects)
	n > lib.params.servers.stream_subjects_max
	f := lib.finding(rego.metadata.rule(), st, "state/num_subjects", sprintf(
		"stream %s holds %d subjects, more than %d",
		[st.name, n, lib.params.servers.stream_subjects_max],
	))
}
