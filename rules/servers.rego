package natsaudit.rules.servers

import data.natsaudit.lib

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
#   sources: [live]
#   remediation: |-
#     Bring the remote cluster back, or fix what keeps the gateway down: the
#     gateway URLs, DNS, firewalls on the gateway port (7222), gateway TLS.
#     Check with `nats server report gateways`.
deny contains f if {
	some s in lib.live_servers
	v := lib.live_varz(s)
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
#   sources: [live]
#   remediation: |-
#     Check the leafnode's log for the hub's answer (authorization
#     violation, TLS handshake, connection refused) and fix the remote's
#     URL, credentials or TLS; check the hub with `nats server report
#     leafnodes`.
deny contains f if {
	some s in lib.live_servers
	v := lib.live_varz(s)
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
