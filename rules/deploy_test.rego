package natsaudit.rules.deploy_test

import data.natsaudit.rules.deploy
import data.natsaudit.test.helpers
import data.natsaudit.test.security as fx

findings(doc) := {f | some f in deploy.deny with input as doc}

hits(doc, id) := helpers.hits(findings(doc), id)

fires(doc, id) if helpers.fires(findings(doc), id)

one(doc, id) := helpers.one(findings(doc), id)

js(store) := object.union(fx.good_config, {"jetstream": object.union({"enabled": true}, store)})

with_volumes(s, vols) := object.union(s, {"deployment": {"volumes": vols}})

vol(kind, src, target) := {"type": kind, "source": src, "target": target, "read_only": false}

# ---------------------------------------------------------------- NATS-DOC-001

test_doc_001_fires_without_volume if {
	s := with_volumes(fx.compose_server(js({"store_dir": "/data"}), []), [])
	f := one(fx.input_with(s), "NATS-DOC-001")
	f.path == "config/jetstream/store_dir"
	contains(f.msg, "/data")
}

test_doc_001_quiet_with_named_volume if {
	s := with_volumes(fx.compose_server(js({"store_dir": "/data"}), []), [vol("volume", "nats-data", "/data")])
	not fires(fx.input_with(s), "NATS-DOC-001")
}

test_doc_001_quiet_with_volume_above_store if {
	s := with_volumes(fx.compose_server(js({"store_dir": "/data/jetstream"}), []), [vol("bind", "./data", "/data/")])
	not fires(fx.input_with(s), "NATS-DOC-001")
}

test_doc_001_fires_for_tmpfs if {
	s := with_volumes(fx.compose_server(js({"store_dir": "/data"}), []), [vol("tmpfs", "", "/data")])
	fires(fx.input_with(s), "NATS-DOC-001")
}

test_doc_001_fires_for_volume_on_a_sibling_path if {
	# /data2 is not /data
	s := with_volumes(fx.compose_server(js({"store_dir": "/data"}), []), [vol("volume", "x", "/data2")])
	fires(fx.input_with(s), "NATS-DOC-001")
}

test_doc_001_fires_for_store_dir_that_extends_the_volume_path if {
	# The volume is /data; the store /data2 is a sibling directory, not
	# under it (a prefix test without the "/" would take it as persistent).
	s := with_volumes(fx.compose_server(js({"store_dir": "/data2"}), []), [vol("volume", "x", "/data")])
	fires(fx.input_with(s), "NATS-DOC-001")
}

test_doc_001_fires_for_default_store_dir if {
	s := with_volumes(fx.compose_server(js({}), []), [vol("volume", "nats-data", "/data")])
	f := one(fx.input_with(s), "NATS-DOC-001")
	contains(f.msg, "/tmp/nats/jetstream")
	f.path == "config/jetstream"
}

test_doc_001_quiet_without_compose if {
	not fires(fx.input_with(fx.server(js({"store_dir": "/data"}))), "NATS-DOC-001")
}

# ---------------------------------------------------------------- NATS-DOC-002

default_image(ports) := object.union(fx.server({}), {
	"config": null,
	"sources": ["compose"],
	"config_file": "",
	"deployment": object.union(fx.deployment(ports), {"image": "nats:2.15.2", "image_tag": "2.15.2", "command": [], "flag_names": [], "config_path": "/etc/nats/nats-server.conf", "uses_image_default_config": true}),
})

test_doc_002_fires_for_bundled_config if {
	f := one(fx.input_with(default_image([fx.port("127.0.0.1", 4222)])), "NATS-DOC-002")
	not f.severity
	f.path == "deployment/image"
	contains(f.msg, "ruser/T0pS3cr3t")
}

test_doc_002_fires_critical_when_route_port_published if {
	f := one(fx.input_with(default_image([fx.port("", 6222)])), "NATS-DOC-002")
	f.severity == "critical"
	contains(f.msg, "port 6222 is published on all interfaces")
}

test_doc_002_fires_critical_when_port_published_twice if {
	f := one(fx.input_with(default_image([fx.port("", 4222), fx.port_map("", 14222, 4222)])), "NATS-DOC-002")
	f.severity == "critical"
	contains(f.msg, "port 4222 is published on all interfaces")
}

test_doc_002_quiet_with_own_config if {
	not fires(fx.input_with(fx.compose_server(fx.good_config, [fx.port("", 6222)])), "NATS-DOC-002")
}

# ---------------------------------------------------------------- NATS-DOC-003

test_doc_003_fires_for_client_port_on_all_interfaces if {
	f := one(fx.input_with(fx.compose_server(fx.good_config, [fx.port("", 4222), fx.port("127.0.0.1", 8222)])), "NATS-DOC-003")
	f.path == "deployment/ports/0"
	f.msg == "server nats-1: docker-compose.yml publishes the client port 4222 on all host interfaces"
}

# DOC-003's fix names the compose file, the entry and the service, and who
# a loopback binding cuts off.
test_doc_003_fix_names_entry_and_service if {
	f := one(fx.input_with(fx.compose_server(fx.good_config, [fx.port("", 4222), fx.port("127.0.0.1", 8222)])), "NATS-DOC-003")
	f.remediation == "In docker-compose.yml, bind the entry `4222:4222` of service nats to an address: `\"127.0.0.1:4222:4222\"` when only tools on this host use it, or the host's private address when clients on other hosts connect through it. Services of the same compose project reach it as `nats:4222` over the project network without the published port and are not affected; a client on another host that connects to port 4222 is cut off by a loopback binding, so move such clients to the private address first."
}

test_doc_003_fix_not_for_kubernetes_service if {
	s := fx.compose_server(fx.good_config, [object.union(fx.port("", 4222), {"via": "Service nats (LoadBalancer)"})])
	f := one(fx.input_with(object.union(s, {"deployment": object.union(s.deployment, {"kind": "kubernetes"})})), "NATS-DOC-003")
	not f.remediation
}

# A Kubernetes hostPort entry without a `via` label is still no compose
# ports: entry: no compose fix for it (the kind alone decides).
test_doc_003_fix_not_for_kubernetes_without_via if {
	s := fx.compose_server(fx.good_config, [fx.port("", 4222)])
	f := one(fx.input_with(object.union(s, {"deployment": object.union(s.deployment, {"kind": "kubernetes"})})), "NATS-DOC-003")
	not f.remediation
}

test_doc_003_fires_once_when_client_port_published_twice if {
	# ports: ["4222:4222", "14222:4222"]: one finding, at the first entry
	f := one(fx.input_with(fx.published_twice(fx.good_config, 4222)), "NATS-DOC-003")
	f.path == "deployment/ports/0"
}

test_doc_003_quiet_on_loopback if {
	not fires(fx.input_with(fx.compose_server(fx.good_config, [fx.port("127.0.0.1", 4222)])), "NATS-DOC-003")
}

test_doc_003_quiet_on_private_ip if {
	not fires(fx.input_with(fx.compose_server(fx.good_config, [fx.port("10.0.1.10", 4222)])), "NATS-DOC-003")
}

test_doc_003_quiet_for_monitoring_port if {
	# NATS-NET-001's
	c := object.union(fx.good_config, {"http_port": 8222})
	not fires(fx.input_with(fx.compose_server(c, [fx.port("", 8222)])), "NATS-DOC-003")
}

test_doc_003_fires_for_websocket if {
	c := object.union(fx.good_config, {"websocket": {"port": 8080, "tls": fx.tls_block}})
	f := one(fx.input_with(fx.compose_server(c, [fx.port("", 8080)])), "NATS-DOC-003")
	contains(f.msg, "WebSocket port 8080")
}

test_doc_003_fires_for_default_config if {
	fires(fx.input_with(default_image([fx.port("", 4222)])), "NATS-DOC-003")
}

# nats-server writes streams to <store_dir>/jetstream.
test_doc_001_quiet_with_volume_on_store_dir_jetstream if {
	s := with_volumes(fx.compose_server(js({"store_dir": "/data"}), []), [vol("bind", "./jetstream", "/data/jetstream")])
	not fires(fx.input_with(s), "NATS-DOC-001")
}
