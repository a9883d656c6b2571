# Container deployment rules (docker compose): JetStream persistence, the
# official image's bundled config, and ports published on every host
# interface.
package natsaudit.rules.deploy

import data.natsaudit.lib
import data.natsaudit.lib.exposure

# METADATA
# title: JetStream store not on a persistent volume
# description: >-
#   JetStream is enabled in a container but its store directory is not under
#   any bind mount or named volume (tmpfs does not count), so re-creating the
#   container (an image update, `docker compose up` after a config change)
#   deletes every stream and consumer. Without store_dir the server uses
#   /tmp/nats/jetstream inside the container. On Kubernetes, only a
#   PersistentVolumeClaim (or hostPath) keeps the data: an emptyDir is
#   deleted with the pod.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_docker/jetstream_docker
# custom:
#   id: NATS-DOC-001
#   severity: high
#   category: reliability
#   facets: [deployment, config]
#   remediation: |-
#     Mount a named volume at the store directory:
#
#         services:
#           nats:
#             command: ["-js", "-sd", "/data"]
#             volumes: ["nats-data:/data"]
#         volumes:
#           nats-data: {}
deny contains f if {
	some s in lib.configured_servers
	is_object(s.deployment)
	lib.jetstream_enabled(s)
	dir := _store_dir(s)
	not _persistent(s, dir)
	f := lib.finding(rego.metadata.rule(), s, _store_path(s), sprintf("%s: JetStream stores its data in %s, which is not on a volume of %s: re-creating the container loses every stream", [lib.server_label(s), dir, s.deployment.service]))
}

# _store_dir: the directory the server writes (relative paths are relative to
# the image's working directory, /).
_store_dir(s) := _abs(d) if {
	d := s.config.jetstream.store_dir
	is_string(d)
	d != ""
} else := _abs(d) if {
	d := s.config.store_dir
	is_string(d)
	d != ""
} else := "/tmp/nats/jetstream"

_store_path(s) := "config/jetstream/store_dir" if {
	s.config.jetstream.store_dir
} else := "config/store_dir" if {
	s.config.store_dir
} else := "config/jetstream"

_abs(d) := d if startswith(d, "/")

_abs(d) := concat("/", ["", trim_prefix(d, "./")]) if not startswith(d, "/")

_persistent(s, dir) if {
	some v in s.deployment.volumes
	v.type in {"bind", "volume", "pvc", "hostPath"}
	_under(dir, trim_suffix(v.target, "/"))
}

# nats-server keeps its streams in <store_dir>/jetstream: a volume on that
# subdirectory persists them too.
_persistent(s, dir) if {
	_store_path(s) != "config/jetstream"
	some v in s.deployment.volumes
	v.type in {"bind", "volume"}
	_under(concat("/", [trim_suffix(dir, "/"), "jetstream"]), trim_suffix(v.target, "/"))
}

_under(dir, target) if dir == target

_under(dir, target) if startswith(dir, concat("", [target, "/"]))

# A volume on / holds everything.
_under(_, "") := true

# METADATA
# title: Official image's default configuration in use
# description: >-
#   The compose service runs the nats image without a command (or with
#   its bundled config file), so the server runs nats-docker's example
#   config: no client authentication, no TLS, monitoring on 8222, and routes
#   on 6222 protected by the publicly documented ruser/T0pS3cr3t. Critical
#   when the client or route port is published on all interfaces.
# related_resources:
#   - ref: https://github.com/nats-io/nats-docker
#   - ref: https://hub.docker.com/_/nats
# custom:
#   id: NATS-DOC-002
#   severity: high
#   category: security
#   facets: [deployment]
#   remediation: |-
#     Mount your own configuration and run it explicitly:
#
#         command: ["-c", "/etc/nats/nats.conf"]
#         volumes: ["./nats.conf:/etc/nats/nats.conf:ro"]
deny contains f if {
	some s in input.servers
	s.deployment.uses_image_default_config == true
	h := object.union({"obj": s, "path": "deployment/image"}, _default_sev(s))
	f := lib.finding_of(rego.metadata.rule(), h)
}

_default_msg(s) := sprintf("%s runs the nats image's bundled config (%s): no client authentication, no TLS, monitoring on 8222 and routes on 6222 with the documented ruser/T0pS3cr3t credentials", [lib.server_label(s), s.deployment.config_path])

_default_sev(s) := {"sev": "critical", "msg": sprintf("%s; %s", [_default_msg(s), concat(" and ", exposed)])} if {
	exposed := [sprintf("port %d is published on all interfaces", [p]) | some p in [4222, 6222]; exposure.published_all(s, p)]
	count(exposed) > 0
} else := {"sev": "critical", "msg": sprintf("%s; the container uses the host network", [_default_msg(s)])} if {
	exposure.network_mode_host(s)
} else := {"msg": _default_msg(s)}

# METADATA
# title: Client port published on all host interfaces
# description: >-
#   docker compose publishes a client, WebSocket or MQTT port without a host
#   address, i.e. on 0.0.0.0 of every host interface (and Docker bypasses
#   host firewalls such as ufw for published ports). Monitoring and
#   inter-server ports are reported by NATS-NET-001 and NATS-NET-003.
# related_resources:
#   - ref: https://docs.docker.com/engine/network/packet-filtering-firewalls/
# custom:
#   id: NATS-DOC-003
#   severity: medium
#   category: security
#   facets: [deployment]
#   remediation: |-
#     Publish on the address clients use, or only on loopback for local tools:
#
#         ports:
#           - "10.0.1.10:4222:4222"     # private interface
#           - "127.0.0.1:8222:8222"     # monitoring, local only
deny contains f if {
	some s in input.servers
	is_object(s.deployment)
	some l in _client_listeners(s)
	not lib.loopback(l.host)
	i := exposure.listener_published_all(s, l)
	f := object.union(
		lib.finding(rego.metadata.rule(), s, sprintf("deployment/ports/%d", [i]), sprintf("%s: %s publishes the %s port %v on all host interfaces", [lib.server_label(s), exposure.published_by(s, i), exposure.listener_names[l.kind], l.port])),
		_doc003_fix(s, s.deployment.ports[i]),
	)
}

# NATS-DOC-003's fix for a compose ports: entry: its own host and container
# ports bound to loopback or a private address, and who that cuts off
# (services of the same project connect over the project network and keep
# working; clients on other hosts that use the published port do not).
_doc003_fix(s, p) := {"remediation": sprintf("In %s, bind the entry `%v:%v` of service %s to an address: `\"127.0.0.1:%v:%v\"` when only tools on this host use it, or the host's private address when clients on other hosts connect through it. Services of the same compose project reach it as `%s:%v` over the project network without the published port and are not affected; a client on another host that connects to port %v is cut off by a loopback binding, so move such clients to the private address first.", [
	s.deployment.file, p.host_port, p.container_port, s.deployment.service, p.host_port, p.container_port, s.deployment.service, p.container_port, p.host_port,
])} if {
	s.deployment.kind == "compose"
	object.get(p, "via", "") == ""
} else := {}

# The client-facing listeners of the container; without a config the client
# port is nats-server's default.
_client_listeners(s) := {l |
	some l in exposure.config_listeners(s)
	l.kind in {"client", "websocket", "mqtt"}
} if {
	is_object(s.config)
} else := {{"kind": "client", "host": "0.0.0.0", "port": 4222, "path": "deployment"}}
