# Network exposure rules: monitoring, profiling and inter-server listeners
# reachable from everywhere, and monitoring turned off.
package natsaudit.rules.network

import data.natsaudit.lib
import data.natsaudit.lib.authconf
import data.natsaudit.lib.exposure
import data.natsaudit.lib.livedocs
import data.natsaudit.lib.tlsconf

# METADATA
# title: Monitoring endpoint reachable on all interfaces
# description: >-
#   The monitoring port has no authentication ("By default monitoring binds to
#   every interface 0.0.0.0", NATS docs). Anyone who reaches it reads user
#   names and client IPs (/connz?auth=true), accounts, stream configurations,
#   subscriptions, stack dumps and the command line (/debug/vars). A port
#   published by compose on 127.0.0.1 only is not reported.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/monitoring
# custom:
#   id: NATS-NET-001
#   severity: high
#   category: security
#   facets: [config, deployment, live]
#   remediation: |-
#     Bind monitoring to loopback (or a private interface) and let a local
#     scraper or an authenticating proxy reach it:
#
#         http: "127.0.0.1:8222"
#
#     With compose, publish it on loopback only: `- "127.0.0.1:8222:8222"`.
deny contains f if {
	some s in input.servers
	some l in exposure.listeners(s)
	l.kind in {"monitoring", "monitoring_https"}
	exposure.public(s, l)
	f := lib.finding(rego.metadata.rule(), s, exposure.exposure_path(s, l), sprintf("%s: the %s port %v has no authentication and is reachable on all interfaces (%s)", [lib.server_label(s), exposure.listener_names[l.kind], l.port, exposure.exposure_note(s, l)]))
}

# METADATA
# title: Go profiling (pprof) port enabled
# description: >-
#   prof_port serves Go's /debug/pprof without authentication: heap and
#   goroutine dumps (which can contain message payloads and credentials) and
#   CPU profiles that load the server. Low when the port is not reachable
#   from other machines.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration#monitoring-and-tracing
# custom:
#   id: NATS-NET-002
#   severity: medium
#   category: security
#   facets: [config, deployment]
#   remediation: Remove `prof_port` (or the `--profile` flag) in production; enable it temporarily, on a loopback-only server, when profiling.
deny contains f if {
	some s in lib.configured_servers
	p := lib.num(s.config.prof_port)
	p != 0
	l := {"kind": "profiling", "host": lib.host(s), "port": p, "path": "config/prof_port"}
	not lib.loopback(l.host)
	h := object.union({"obj": s, "path": "config/prof_port"}, _prof_sev(s, l))
	f := lib.finding_of(rego.metadata.rule(), h)
}

_prof_sev(s, l) := {"msg": sprintf("%s serves Go profiling (pprof) without authentication on port %v", [lib.server_label(s), l.port])} if {
	exposure.reachable(s, l)
} else := {"sev": "low", "msg": sprintf("%s serves Go profiling (pprof) on port %v (reachable from the container network only)", [lib.server_label(s), l.port])}

# METADATA
# title: Inter-server ports reachable from everywhere
# description: >-
#   A cluster, gateway or leafnode port binds all interfaces and is published
#   to the world (compose publishes it on all host interfaces, host
#   networking, or no deployment narrows it). These ports should only be
#   reachable by the other servers; high when the listener also accepts peers
#   without authorization or TLS (see NATS-AUTH-009).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/cluster_config
# custom:
#   id: NATS-NET-003
#   severity: medium
#   category: security
#   facets: [config, deployment, live]
#   remediation: |-
#     Bind the listener to the private network (`cluster { listen: 10.0.1.10:6222 }`),
#     do not publish it from compose (servers on one compose network reach each
#     other without `ports:`), and firewall it to the peer addresses.
deny contains f if {
	some s in input.servers
	some l in exposure.listeners(s)
	l.kind in {"cluster", "gateway", "leafnodes"}
	exposure.public(s, l)
	h := object.union({"obj": s, "path": exposure.exposure_path(s, l)}, _inter_sev(s, l))
	f := lib.finding_of(rego.metadata.rule(), h)
}

_inter_sev(s, l) := {"sev": "high", "msg": sprintf("%s: the %s port %v is reachable on all interfaces (%s) and accepts peers without authorization or TLS", [lib.server_label(s), exposure.listener_names[l.kind], l.port, exposure.exposure_note(s, l)])} if {
	_open(s, l.kind)
} else := {"msg": sprintf("%s: the %s port %v is reachable on all interfaces (%s)", [lib.server_label(s), exposure.listener_names[l.kind], l.port, exposure.exposure_note(s, l)])}

_open(s, kind) if {
	kind in {"cluster", "gateway"}
	b := s.config[kind]
	not b.authorization
	not tlsconf.has_tls(b)
}

_open(s, "leafnodes") if {
	b := s.config.leafnodes
	not b.authorization
	not tlsconf.has_tls(b)
	not authconf.operator_mode(s.config)
}

# METADATA
# title: Monitoring disabled
# description: >-
#   The server has no monitoring port, so Prometheus exporters, `nats server`
#   health checks over HTTP and natsaudit's live probe cannot observe it.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/monitoring
# custom:
#   id: NATS-NET-004
#   severity: info
#   category: operations
#   facets: [config, deployment, live]
#   remediation: 'Enable it on loopback or the private interface for the exporter: `http: "127.0.0.1:8222"`.'
deny contains f if {
	some h in _net_004
	f := lib.finding_of(rego.metadata.rule(), h)
}

_net_004 contains h if {
	some s in lib.configured_servers
	not _monitoring_configured(s)
	h := {"obj": s, "path": "config/http_port", "msg": sprintf("%s has no monitoring port (http/https)", [lib.server_label(s)])}
}

# Probed through the system account: /varz says no HTTP port is open.
_net_004 contains h if {
	some s in livedocs.live_only_servers
	v := livedocs.varz_of(s)
	lib.num(object.get(v, "http_port", 0)) == 0
	lib.num(object.get(v, "https_port", 0)) == 0
	h := {"obj": s, "path": "live/varz/http_port", "msg": sprintf("%s has no monitoring port (/varz http_port and https_port are 0)", [lib.server_label(s)])}
}

_monitoring_configured(s) if {
	some l in exposure.config_listeners(s)
	l.kind in {"monitoring", "monitoring_https"}
}
