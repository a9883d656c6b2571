package natsaudit.rules.network_test

import data.natsaudit.lib.exposure
import data.natsaudit.rules.network
import data.natsaudit.test.helpers
import data.natsaudit.test.security as fx

findings(doc) := {f | some f in network.deny with input as doc}

hits(doc, id) := helpers.hits(findings(doc), id)

fires(doc, id) if helpers.fires(findings(doc), id)

one(doc, id) := helpers.one(findings(doc), id)

cfg(extra) := object.union(fx.good_config, extra)

route_auth := {"user": "route", "password": fx.strong}

# ---------------------------------------------------------------- NATS-NET-001

test_net_001_fires_on_all_interfaces if {
	f := one(fx.input_with(fx.server(cfg({"http_port": 8222}))), "NATS-NET-001")
	f.path == "config/http_port"
	contains(f.msg, "bound to 0.0.0.0")
}

test_net_001_quiet_when_bare_configs_are_firewalled if {
	doc := fx.input_with(fx.server(cfg({"http_port": 8222})))
	not fires(doc, "NATS-NET-001") with data.natsaudit.params.network.assume_public_without_deployment as false
}

test_net_001_quiet_on_loopback if {
	not fires(fx.input_with(fx.server(cfg({"http_host": "127.0.0.1", "http_port": 8222}))), "NATS-NET-001")
}

test_net_001_fires_when_compose_publishes_on_all_interfaces if {
	s := fx.compose_server(cfg({"http_port": 8222}), [fx.port("", 4222), fx.port("", 8222)])
	f := one(fx.input_with(s), "NATS-NET-001")
	f.path == "deployment/ports/1"
	contains(f.msg, "published on all host interfaces by docker-compose.yml")
}

test_net_001_quiet_when_compose_publishes_on_loopback if {
	# sahool: 0.0.0.0 inside the container, "127.0.0.1:8222:8222" on the host
	s := fx.compose_server(cfg({"http_port": 8222}), [fx.port("", 4222), fx.port("127.0.0.1", 8222)])
	not fires(fx.input_with(s), "NATS-NET-001")
}

test_net_001_quiet_when_compose_does_not_publish if {
	s := fx.compose_server(cfg({"http_port": 8222}), [fx.port("", 4222)])
	not fires(fx.input_with(s), "NATS-NET-001")
}

test_net_001_fires_with_host_network if {
	s := fx.compose_server(cfg({"http_port": 8222}), [])
	s2 := object.union(s, {"deployment": {"network_mode": "host"}})
	f := one(fx.input_with(s2), "NATS-NET-001")
	contains(f.msg, "network_mode: host")
}

test_net_001_fires_live if {
	f := one(fx.input_with(fx.live_server(fx.varz({"auth_required": true}))), "NATS-NET-001")
	f.path == "live/varz/http_port"
}

test_net_001_quiet_live_loopback if {
	not fires(fx.input_with(fx.live_server(fx.varz({"http_host": "127.0.0.1"}))), "NATS-NET-001")
}

# ---------------------------------------------------------------- NATS-NET-002

test_net_002_fires_for_prof_port if {
	f := one(fx.input_with(fx.server(cfg({"prof_port": 6060}))), "NATS-NET-002")
	f.path == "config/prof_port"
	not f.severity
}

test_net_002_quiet_without_prof_port if {
	not fires(fx.input_with(fx.server(cfg({"prof_port": 0}))), "NATS-NET-002")
}

test_net_002_quiet_on_loopback_server if {
	not fires(fx.input_with(fx.server(cfg({"host": "127.0.0.1", "prof_port": 6060}))), "NATS-NET-002")
}

test_net_002_fires_low_when_not_published if {
	s := fx.compose_server(cfg({"prof_port": 6060}), [fx.port("", 4222)])
	f := one(fx.input_with(s), "NATS-NET-002")
	f.severity == "low"
}

test_net_002_fires_when_published_on_two_addresses if {
	# two entries publishing the same container port on non-loopback hosts
	s := fx.compose_server(cfg({"prof_port": 6060}), [fx.port("10.0.1.10", 6060), fx.port_map("10.0.1.11", 16060, 6060)])
	f := one(fx.input_with(s), "NATS-NET-002")
	not f.severity
}

# ---------------------------------------------------------------- NATS-NET-003

test_net_003_fires_for_published_cluster_port if {
	c := cfg({"cluster": {"name": "c1", "host": "0.0.0.0", "port": 6222, "authorization": route_auth, "tls": fx.tls_block}})
	s := fx.compose_server(c, [fx.port("", 4222), fx.port("", 6222)])
	f := one(fx.input_with(s), "NATS-NET-003")
	f.path == "deployment/ports/1"
	not f.severity
}

test_net_003_fires_once_when_cluster_port_published_twice if {
	c := cfg({"cluster": {"name": "c1", "port": 6222, "authorization": route_auth}})
	f := one(fx.input_with(fx.published_twice(c, 6222)), "NATS-NET-003")
	f.path == "deployment/ports/0"
}

test_net_001_fires_once_when_monitoring_port_published_twice if {
	f := one(fx.input_with(fx.published_twice(cfg({"http_port": 8222}), 8222)), "NATS-NET-001")
	f.path == "deployment/ports/0"
}

test_net_003_fires_high_for_open_route_listener if {
	c := cfg({"cluster": {"name": "c1", "port": 6222}})
	s := fx.compose_server(c, [fx.port("", 6222)])
	f := one(fx.input_with(s), "NATS-NET-003")
	f.severity == "high"
}

# fuscoyu/nats-samples@34b3b8c9a9852f948f8a5008f10fe64e7e9124aa
# nats-cluster/allinone-with-gateway/cluster1: service c1-js1 runs
# cluster { listen: c1-js1:6222 } and publishes "16222:6222".
test_net_003_fires_for_listener_on_own_service_name if {
	c := cfg({"cluster": {"name": "C1", "host": "nats", "port": 6222, "authorization": route_auth}})
	f := one(fx.input_with(fx.compose_server(c, [fx.port("", 4222), fx.port("", 6222)])), "NATS-NET-003")
	f.path == "deployment/ports/1"
}

test_net_003_quiet_for_listener_on_another_name if {
	c := cfg({"cluster": {"name": "C1", "host": "other-service", "port": 6222, "authorization": route_auth}})
	not fires(fx.input_with(fx.compose_server(c, [fx.port("", 6222)])), "NATS-NET-003")
}

test_net_003_quiet_when_not_published if {
	c := cfg({"cluster": {"name": "c1", "port": 6222, "authorization": route_auth}})
	not fires(fx.input_with(fx.compose_server(c, [fx.port("", 4222)])), "NATS-NET-003")
}

test_net_003_quiet_on_private_interface if {
	c := cfg({"leafnodes": {"host": "10.0.1.10", "port": 7422, "authorization": {"user": "leaf", "password": fx.strong}}})
	not fires(fx.input_with(fx.server(c)), "NATS-NET-003")
}

test_net_003_fires_live_gateway if {
	v := fx.varz({"auth_required": true, "gateway": {"host": "0.0.0.0", "name": "east", "port": 7222, "tls_required": true}})
	fires(fx.input_with(fx.live_server(v)), "NATS-NET-003")
}

# ---------------------------------------------------------------- NATS-NET-004

test_net_004_fires_without_monitoring if {
	f := one(fx.input_with(fx.server(fx.good_config)), "NATS-NET-004")
	f.path == "config/http_port"
}

test_net_004_quiet_with_loopback_monitoring if {
	not fires(fx.input_with(fx.server(cfg({"http": "127.0.0.1:8222", "http_host": "127.0.0.1", "http_port": 8222}))), "NATS-NET-004")
}

test_net_004_quiet_with_random_monitoring_port if {
	# `http: -1` (nats-server's listen-1.conf): monitoring on a random port.
	not fires(fx.input_with(fx.server(cfg({"http": -1, "http_port": -1}))), "NATS-NET-004")
}

test_net_004_quiet_with_monitoring_port_from_the_environment if {
	# absmach/magistrala docker/nats/nats.conf: http_port: $MG_NATS_HTTP_PORT
	# without a value in the repository is monitoring configured, port
	# unknown, never "no monitoring".
	not fires(fx.input_with(fx.server(cfg({"http_port": "$MG_NATS_HTTP_PORT"}))), "NATS-NET-004")
}

test_net_004_quiet_with_https_port_from_the_environment if {
	not fires(fx.input_with(fx.server(cfg({"https_port": "$HTTPS_PORT"}))), "NATS-NET-004")
}

test_net_004_fires_live_via_system_account if {
	s := object.union(fx.live_server(fx.varz({"http_port": 0, "http_host": ""})), {"live": {"endpoint": "$SYS"}})
	fires(fx.input_with(s), "NATS-NET-004")
}

test_net_004_quiet_live_over_http if {
	not fires(fx.input_with(fx.live_server(fx.varz({}))), "NATS-NET-004")
}

# ------------------------------------------ exposure from the Go facts (issue 18)

# The scanner computes each configured listener's exposure in Go
# (servers[].derived.exposure, internal/audit/serverfacts.go;
# TestServerFactsMatchRego checks it agrees with the Rego). The facts decide
# for the listener they describe; any other listener, and any input
# without them, is judged by the Rego. Each server below contradicts its
# facts, so that one can tell which side answered.

fact_listener := {"kind": "monitoring", "host": "0.0.0.0", "port": 8222, "path": "config/http_port", "block": "config"}

# A listener of the same kind that is not the configured one (a live one).
live_listener := {"kind": "monitoring", "host": "0.0.0.0", "port": 8222, "path": "live/varz/http_port", "block": "live/varz"}

with_facts(s, e) := object.union(s, {"derived": {"listeners": {"monitoring": fact_listener}, "exposure": {"monitoring": e}}})

# Published on loopback only: the Rego says neither public nor reachable.
loopback_server := fx.compose_server(cfg({"http_port": 8222}), [fx.port("127.0.0.1", 8222)])

# Published on all interfaces: the Rego says public and reachable.
published_server := fx.compose_server(cfg({"http_port": 8222}), [fx.port("", 4222), fx.port("", 8222)])

test_exposure_facts_say_exposed if {
	s := with_facts(loopback_server, {"public": true, "reachable": true, "published_all": 0, "published_beyond_loopback": 0})
	exposure.public(s, fact_listener)
	exposure.reachable(s, fact_listener)
	exposure.listener_published_all(s, fact_listener) == 0
	exposure.listener_published_beyond_loopback(s, fact_listener) == 0
	exposure.exposure_path(s, fact_listener) == "deployment/ports/0"

	# Another listener of that kind: the Rego's answer.
	not exposure.public(s, live_listener)
	not exposure.reachable(s, live_listener)
	not exposure.listener_published_all(s, live_listener)
	not exposure.listener_published_beyond_loopback(s, live_listener)
	exposure.exposure_path(s, live_listener) == "live/varz/http_port"
}

test_exposure_facts_say_not_exposed if {
	s := with_facts(published_server, {"public": false, "reachable": false})
	not exposure.public(s, fact_listener)
	not exposure.reachable(s, fact_listener)
	not exposure.listener_published_all(s, fact_listener)
	not exposure.listener_published_beyond_loopback(s, fact_listener)
	exposure.exposure_path(s, fact_listener) == "config/http_port"
	exposure.exposure_note(s, fact_listener) == "bound to 0.0.0.0"

	# Another listener of that kind: the Rego's answer.
	exposure.public(s, live_listener)
	exposure.reachable(s, live_listener)
	exposure.listener_published_all(s, live_listener) == 1
	exposure.listener_published_beyond_loopback(s, live_listener) == 1
	exposure.exposure_note(s, live_listener) == "published on all host interfaces by docker-compose.yml"
}

# Without facts the Rego judges the configured listener too (hand-written
# inputs, like every other test here).
test_exposure_without_facts if {
	exposure.public(published_server, fact_listener)
	exposure.reachable(published_server, fact_listener)
	exposure.listener_published_all(published_server, fact_listener) == 1
	not exposure.public(loopback_server, fact_listener)
	not exposure.reachable(loopback_server, fact_listener)
	exposure.listener_published_beyond_loopback(published_server, fact_listener) == 1
	not exposure.listener_published_beyond_loopback(loopback_server, fact_listener)
}

# The Rego side's own cases (servers without facts).
test_exposure_rego_cases if {
	hostnet := object.union(fx.compose_server(cfg({}), []), {"deployment": {"network_mode": "host"}})
	private := {"kind": "client", "host": "10.0.0.1", "port": 4222, "path": "config/port", "block": "config"}
	lo := {"kind": "client", "host": "127.0.0.1", "port": 4222, "path": "config/port", "block": "config"}

	# host networking: public only when bound to every interface, reachable
	# unless bound to loopback.
	not exposure.public(hostnet, private)
	exposure.reachable(hostnet, private)
	not exposure.reachable(hostnet, lo)

	# no deployment: reachable unless bound to loopback.
	not exposure.reachable(fx.server(cfg({})), lo)
	exposure.reachable(fx.server(cfg({})), private)

	# bound to the compose service's own name: public only when published
	# on all interfaces, and only under compose, for a non-empty name.
	own := {"kind": "client", "host": "nats", "port": 4222, "path": "config/port", "block": "config"}
	svc := object.union(fx.compose_server(cfg({}), [fx.port("", 4222)]), {"deployment": {"service": "nats"}})
	exposure.public(svc, own)
	not exposure.public(object.union(svc, {"deployment": {"ports": [fx.port("127.0.0.1", 4222)]}}), own)
	not exposure.public(object.union(svc, {"deployment": {"kind": "kubernetes"}}), own)

	# bound to loopback: not reachable, however compose publishes the port.
	not exposure.reachable(svc, lo)

	# exposure_note names what publishes the port (a Service), not the file,
	# and only the entry of the listener's own port.
	other := object.union(svc, {"deployment": {"ports": [object.union(fx.port("", 8222), {"via": "Service mon (LoadBalancer)"}), fx.port("", 4222)]}})
	exposure.exposure_note(other, own) == "published on all host interfaces by docker-compose.yml"
	via := object.union(svc, {"deployment": {"ports": [object.union(fx.port("", 4222), {"via": "Service nats (LoadBalancer)"})]}})
	exposure.exposure_note(via, own) == "exposed beyond the cluster by Service nats (LoadBalancer)"
	exposure.exposure_note(object.union(via, {"deployment": {"ports": [fx.port("127.0.0.1", 4222)]}}), lo) == "bound to 127.0.0.1"
}
