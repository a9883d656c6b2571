# Input fixtures for the security rule tests (tls, auth, credentials, network,
# version, deploy), shaped like docs/model.md. The varz documents are trimmed
# captures of a real nats-server 2.15.2 /varz: nested listener objects are
# empty when the listener is off, and false booleans are omitted.
package natsaudit.test.security

# server(cfg): a server known from a config file only.
server(cfg) := {
	"ref": "servers/0",
	"name": "nats-1",
	"sources": ["config"],
	"config_file": "nats.conf",
	"config": cfg,
	"config_env": {},
	"certs": [],
}

# compose_server(cfg, ports): a compose service running a mounted config.
compose_server(cfg, ports) := object.union(server(cfg), {
	"sources": ["compose", "config"],
	"deployment": deployment(ports),
	"version": version("2.15.2", "2.15.2-alpine"),
})

deployment(ports) := {
	"kind": "compose",
	"file": "docker-compose.yml",
	"service": "nats",
	"image": "nats:2.15.2-alpine",
	"image_repo": "nats",
	"image_tag": "2.15.2-alpine",
	"image_digest": "",
	"command": ["-c", "/etc/nats/nats.conf"],
	"flags": {},
	"flag_names": ["c"],
	"ports": ports,
	"volumes": [{"type": "bind", "source": "./nats.conf", "target": "/etc/nats/nats.conf", "read_only": true, "repo_path": "nats.conf"}],
	"environment": {},
	"env_files": [],
	"memory_limit": 0,
	"cpu_limit": 0,
	"stop_grace_period": 0,
	"stop_signal": "",
	"config_path": "/etc/nats/nats.conf",
	"uses_image_default_config": false,
}

# port(host_ip, p): a compose port entry publishing container port p.
port(host_ip, p) := {
	"host_ip": host_ip,
	"host_port": p,
	"container_port": p,
	"protocol": "tcp",
	"all_interfaces": host_ip == "",
}

# port_map(host_ip, host_port, container_port): a compose port entry that
# publishes container_port on another host port ("14222:4222").
port_map(host_ip, host_port, container_port) := object.union(port(host_ip, container_port), {"host_port": host_port})

# published_twice(cfg, p): a compose service publishing container port p
# twice on all interfaces ("p:p" and "1p:p"), as one service with two
# entries or a base file and an override that both publish it do.
published_twice(cfg, p) := compose_server(cfg, [port("", p), port_map("", p + 10000, p)])

version(v, raw) := {"value": v, "semver": v, "series": series(v), "source": "image_tag", "raw": raw}

series(v) := concat(".", array.slice(split(v, "."), 0, 2))

# live_server(varz): a server known from its monitoring endpoint only.
live_server(varz) := {
	"ref": "servers/0",
	"name": "nats-live",
	"sources": ["live"],
	"config": null,
	"config_env": {},
	"certs": [],
	"live": {"endpoint": "http://10.0.0.5:8222", "varz": varz},
}

live_server_with(varz, docs) := object.union(live_server(varz), {"live": object.union({"endpoint": "http://10.0.0.5:8222", "varz": varz}, docs)})

# varz(extra): a 2.15.2 /varz without TLS, auth or optional listeners,
# merged with extra.
varz(extra) := object.union(
	{
		"auth_timeout": 2,
		"cluster": {},
		"connections": 0,
		"gateway": {},
		"go": "go1.26.8",
		"host": "0.0.0.0",
		"http_base_path": "",
		"http_host": "0.0.0.0",
		"http_port": 8222,
		"https_port": 0,
		"jetstream": {},
		"leaf": {},
		"leafnodes": 0,
		"max_connections": 65536,
		"max_control_line": 4096,
		"max_payload": 1048576,
		"max_pending": 67108864,
		"mqtt": {},
		"ping_interval": 120000000000,
		"ping_max": 2,
		"port": 4222,
		"proto": 1,
		"remotes": 0,
		"routes": 0,
		"server_id": "NBNKLUCXY5QO5HDFYR76J4XWN5OLX2CZXCCFVI44UXACB3KR2J2FGRPC",
		"server_name": "nats-live",
		"system_account": "$SYS",
		"tls_timeout": 2,
		"version": "2.15.2",
		"websocket": {},
		"write_deadline": 10000000000,
	},
	extra,
)

# secret(facts): a redacted secret as the config source produces it.
secret(facts) := object.union(
	{
		"secret": true,
		"origin": "literal",
		"resolved": false,
		"empty": false,
		"bcrypt": false,
		"placeholder": false,
		"known_hash": false,
		"nkey_seed": false,
		"private_key": false,
		"url_credentials": false,
		"length": 32,
		"entropy": 4.8,
		"equals_user": false,
		"digest": "9f2c1e0a77b3d415",
	},
	facts,
)

# A strong random password, a placeholder and a bcrypt hash.
strong := secret({})

placeholder := secret({"placeholder": true, "length": 8, "entropy": 2.75, "digest": "b1f8de82829180c3"})

bcrypt := secret({"bcrypt": true, "length": 60, "entropy": 5.1, "digest": "0d1e2f3a4b5c6d7e"})

# users(list): an authorization block with users.
users(list) := {"authorization": {"users": list}}

tls_block := {"cert_file": "/etc/nats/certs/server.crt", "key_file": "/etc/nats/certs/server.key", "ca_file": "/etc/nats/certs/ca.crt"}

# A server with TLS, mutual TLS and users: the baseline the quiet tests start from.
good_config := {
	"host": "0.0.0.0",
	"port": 4222,
	"server_name": "nats-1",
	"tls": object.union(tls_block, {"verify": true, "min_version": "1.3", "handshake_first": true}),
	"authorization": {"users": [{"user": "app", "password": bcrypt, "permissions": {"publish": {"allow": ["app.>"], "deny": []}, "subscribe": {"allow": ["app.>", "_INBOX.>"], "deny": []}}}]},
}

input_with(s) := {
	"scan": {"now_ns": 1795392000000000000, "now": "2026-11-23T00:00:00Z", "sources": ["config"], "live": false},
	"servers": [s],
	"streams": [],
	"consumers": [],
	"env_files": [],
	"files": [],
	"errors": [],
}

# now_ns is 2026-11-23T00:00:00Z, as in input_with.
now_ns := 1795392000000000000

day_ns := 86400000000000
