# Listeners and exposure: every listener a server opens (config,
# command line, live) and how far it is reachable.
package natsaudit.lib.exposure

import data.natsaudit.lib
import data.natsaudit.lib.livedocs

# A listener is {kind, host, port, path, block}: kind is client, monitoring,
# cluster, gateway, leafnodes, websocket or mqtt; path is where its port is
# set in the server (for locations); block is the config path of its block.

# block_listener_kinds are the config blocks that open a listener.
block_listener_kinds := ["cluster", "gateway", "leafnodes", "websocket", "mqtt"]

# listener_names are how messages name the listeners.
listener_names := {
	"client": "client",
	"monitoring": "monitoring (HTTP)",
	"monitoring_https": "monitoring (HTTPS)",
	"cluster": "cluster (routes)",
	"gateway": "gateway",
	"leafnodes": "leafnode",
	"websocket": "WebSocket",
	"mqtt": "MQTT",
}

# config_listeners(s): the listeners the server's config opens. The
# scanner computes them once per server in Go (s.derived.listeners, by
# kind); inputs without them (hand-written tests) get the same set here.
config_listeners(s) := {l | some l in ls} if {
	ls := s.derived.listeners
} else := {l |
	is_object(s.config)
	some kind in listener_kinds
	l := _config_listener(s, kind)
}

listener_kinds := array.concat(["client", "monitoring", "monitoring_https"], block_listener_kinds)

_config_listener(s, "client") := {"kind": "client", "host": lib.host(s), "port": client_port(s), "path": "config/port", "block": "config"}

_config_listener(s, "monitoring") := {"kind": "monitoring", "host": http_host(s), "port": p, "path": "config/http_port", "block": "config"} if {
	p := port_value(s.config.http_port)
	p != 0
}

_config_listener(s, "monitoring_https") := {"kind": "monitoring_https", "host": http_host(s), "port": p, "path": "config/https_port", "block": "config"} if {
	p := port_value(s.config.https_port)
	p != 0
}

_config_listener(s, k) := {"kind": k, "host": block_host(b), "port": p, "path": sprintf("config/%s/port", [k]), "block": sprintf("config/%s", [k])} if {
	k in block_listener_kinds
	b := s.config[k]
	is_object(b)
	p := port_value(b.port)
	p != 0
}

# port_value(x): a listener port as configured: a number, or "$NAME" when it
# comes from an environment variable the repository does not define (the
# listener is on, its port unknown: it matches no published port).
port_value(x) := x if {
	is_number(x)
} else := x if {
	lib.unknown(x)
}

# config_listener(s, kind) is the configured listener of that kind: the
# member of config_listeners(s) whose kind it is, built directly (rule
# indexing picks the definition by kind) rather than by scanning the set,
# which was the eighth costliest rule of the catalog (docs/performance.md).
config_listener(s, kind) := l if {
	l := s.derived.listeners[kind]
} else := l if {
	not s.derived.listeners
	is_object(s.config)
	l := _config_listener(s, kind)
}

# client_port(s): the client port (nats-server defaults to 4222); "$NAME"
# when it comes from an environment variable the repository does not
# define.
client_port(s) := p if {
	p := port_value(s.config.port)
} else := 4222

# http_host(s): the monitoring host, which defaults to the client host.
http_host(s) := h if {
	h := s.config.http_host
	is_string(h)
} else := lib.host(s)

# block_host(b): a listener block's host (nats-server defaults to 0.0.0.0).
block_host(b) := h if {
	h := b.host
	is_string(h)
} else := "0.0.0.0"

# live_listeners(s): the listeners /varz reports.
live_listeners(s) := {l |
	v := livedocs.varz_of(s)
	some kind in listener_kinds
	l := _live_listener(v, kind)
}

_varz_blocks := {"gateway": "gateway", "leafnodes": "leaf", "websocket": "websocket", "mqtt": "mqtt"}

_live_listener(v, "client") := {"kind": "client", "host": object.get(v, "host", "0.0.0.0"), "port": p, "path": "live/varz/port", "block": "live/varz"} if {
	p := lib.num(v.port)
}

_live_listener(v, "monitoring") := {"kind": "monitoring", "host": object.get(v, "http_host", "0.0.0.0"), "port": p, "path": "live/varz/http_port", "block": "live/varz"} if {
	p := lib.num(v.http_port)
	p != 0
}

_live_listener(v, "monitoring_https") := {"kind": "monitoring_https", "host": object.get(v, "http_host", "0.0.0.0"), "port": p, "path": "live/varz/https_port", "block": "live/varz"} if {
	p := lib.num(v.https_port)
	p != 0
}

_live_listener(v, "cluster") := {"kind": "cluster", "host": object.get(v.cluster, "addr", "0.0.0.0"), "port": p, "path": "live/varz/cluster/cluster_port", "block": "live/varz/cluster"} if {
	p := livedocs.varz_port(v.cluster, "cluster_port")
}

_live_listener(v, kind) := {"kind": kind, "host": object.get(v[vk], "host", "0.0.0.0"), "port": p, "path": sprintf("live/varz/%s/port", [vk]), "block": sprintf("live/varz/%s", [vk])} if {
	vk := _varz_blocks[kind]
	p := livedocs.varz_port(v[vk], "port")
}

# listeners(s): configured listeners, or the live ones for a server known
# only from its monitoring endpoint.
listeners(s) := config_listeners(s) if {
	is_object(s.config)
} else := live_listeners(s)

# network_mode_host(s): the container shares the host's network, so every
# listener is reachable wherever the host is.
network_mode_host(s) if s.deployment.network_mode == "host"

# published_all(s, port): compose publishes the container port on every host
# interface; returns the index of the first such port entry. A service may
# publish one container port several times ("4222:4222" and "14222:4222", or
# a base file and an override that both publish it): a function must have one
# value per input, so it is the lowest index, never one value per entry.
published_all(s, port) := min(idx) if {
	idx := {i |
		some i, p in s.deployment.ports
		p.container_port == port
		p.all_interfaces == true
	}
	count(idx) > 0
}

# published_by(s, i): what publishes port entry i: a Kubernetes Service or
# hostPort ("Service nats (LoadBalancer, k8s/nats.yaml)"), else the compose
# file.
published_by(s, i) := v if {
	v := s.deployment.ports[i].via
	v != ""
} else := s.deployment.file

# published_beyond_loopback(s, port): compose publishes the port on an
# address other people can reach (all interfaces or a non-loopback IP);
# returns the index of the first such entry (see published_all).
published_beyond_loopback(s, port) := min(idx) if {
	idx := {i |
		some i, p in s.deployment.ports
		p.container_port == port
		not lib.loopback(p.host_ip)
	}
	count(idx) > 0
}

# public(s, l): the listener binds every interface and nothing in the
# deployment narrows that: no compose deployment, compose publishes the port
# on all host interfaces, or the container uses the host network. Set
# params.network.assume_public_without_deployment to false when servers
# without a compose deployment sit behind a firewall the scan cannot see.
public(s, l) if {
	lib.all_interfaces(l.host)
	not s.deployment
	lib.params.network.assume_public_without_deployment == true
}

public(s, l) if _public_deployed(s, l)

# _facts(s, l): what the scanner computed in Go (s.derived.exposure) about
# l when l is the server's configured listener of its kind; undefined for
# live and made-up listeners and for inputs without derived facts, which
# the Rego below judges.
_facts(s, l) := x if {
	x := s.derived.exposure[l.kind]
	s.derived.listeners[l.kind] == l
}

# _public_deployed(s, l): public through the deployment. A listener bound
# to the compose service's own name (cluster { listen: c1-js1:6222 } in
# service c1-js1, fuscoyu/nats-samples) binds the container's address on
# the project network, which is where Docker forwards a published port:
# published on all host interfaces, it is as public as 0.0.0.0.
_public_deployed(s, l) := x.public if {
	x := _facts(s, l)
} else if {
	lib.all_interfaces(l.host)
	network_mode_host(s)
} else if {
	lib.all_interfaces(l.host)
	published_all(s, l.port)
} else if {
	own_service_address(s, l.host)
	published_all(s, l.port)
}

# own_service_address(s, h): h is the compose service name of s.
own_service_address(s, h) if {
	s.deployment.kind == "compose"
	h != ""
	h == s.deployment.service
}

# reachable(s, l): the listener can be reached from other machines: it is
# not bound to loopback and, under compose, is published on a non-loopback
# address or uses the host network.
reachable(s, l) if _reachable(s, l)

_reachable(s, l) := x.reachable if {
	x := _facts(s, l)
} else if {
	not lib.loopback(l.host)
	not s.deployment
} else if {
	not lib.loopback(l.host)
	network_mode_host(s)
} else if {
	not lib.loopback(l.host)
	published_beyond_loopback(s, l.port)
}

# listener_published_all(s, l) is published_all(s, l.port), from the Go
# facts when l is the configured listener.
listener_published_all(s, l) := i if {
	i := _facts(s, l).published_all
} else := i if {
	not _facts(s, l)
	i := published_all(s, l.port)
}

# listener_published_beyond_loopback(s, l) is
# published_beyond_loopback(s, l.port), from the Go facts when l is the
# configured listener.
listener_published_beyond_loopback(s, l) := i if {
	i := _facts(s, l).published_beyond_loopback
} else := i if {
	not _facts(s, l)
	i := published_beyond_loopback(s, l.port)
}

# exposure_path(s, l): where to point a finding about an exposed listener:
# the compose port entry when compose publishes it, else the listener.
exposure_path(s, l) := sprintf("deployment/ports/%d", [i]) if {
	i := listener_published_all(s, l)
} else := l.path

# exposure_note(s, l) explains why the listener counts as exposed.
exposure_note(s, l) := sprintf("exposed beyond the cluster by %s", [published_by(s, i)]) if {
	i := listener_published_all(s, l)
	s.deployment.ports[i].via
} else := sprintf("published on all host interfaces by %s", [s.deployment.file]) if {
	listener_published_all(s, l)
} else := "the container uses network_mode: host" if {
	network_mode_host(s)
} else := sprintf("bound to %s", [_host_label(l.host)])

_host_label(h) := "all interfaces" if {
	h == ""
} else := h

# image_default_config is the nats-server.conf bundled with the official
# nats image (github.com/nats-io/nats-docker), in effect when compose runs the
# image without a command: monitoring on 8222, routes on 6222 protected by the
# documented ruser/T0pS3cr3t, no client authentication and no TLS.
image_default_config := {
	"port": 4222,
	"http_port": 8222,
	"cluster": {
		"name": "my_cluster",
		"port": 6222,
		"authorization": {"user": "ruser", "password": {"secret": true, "origin": "literal", "placeholder": true, "bcrypt": false, "length": 9}, "timeout": 2},
		"routes": [],
	},
}
