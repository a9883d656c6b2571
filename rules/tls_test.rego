package natsaudit.rules.tls_test

import data.natsaudit.rules.tls
import data.natsaudit.test.helpers
import data.natsaudit.test.security as fx

findings(doc) := {f | some f in tls.deny with input as doc}

hits(doc, id) := helpers.hits(findings(doc), id)

fires(doc, id) if helpers.fires(findings(doc), id)

one(doc, id) := helpers.one(findings(doc), id)

cfg(extra) := object.union(fx.good_config, extra)

without(obj, keys) := object.remove(obj, keys)

# with_tls replaces the tls block (object.union would merge it).
with_tls(t) := object.union(without(fx.good_config, ["tls"]), {"tls": t})

# ---------------------------------------------------------------- NATS-TLS-001

test_tls_001_fires_without_tls_block if {
	f := one(fx.input_with(fx.server(without(fx.good_config, ["tls"]))), "NATS-TLS-001")
	f.path == "config/port"
	not f.severity
	contains(f.msg, "port 4222")
}

test_tls_001_fires_critical_when_open_and_public if {
	# No tls, no auth, client port published on all interfaces by compose.
	c := {"port": 4222, "server_name": "nats-1"}
	f := one(fx.input_with(fx.compose_server(c, [fx.port("", 4222)])), "NATS-TLS-001")
	f.severity == "critical"
	contains(f.msg, "published on all host interfaces by docker-compose.yml")
}

test_tls_001_fires_critical_when_client_port_published_twice if {
	f := one(fx.input_with(fx.published_twice({"port": 4222}, 4222)), "NATS-TLS-001")
	f.severity == "critical"
}

test_tls_001_fires_high_when_open_but_loopback_published if {
	c := {"port": 4222}
	f := one(fx.input_with(fx.compose_server(c, [fx.port("127.0.0.1", 4222)])), "NATS-TLS-001")
	not f.severity
}

test_tls_001_quiet_with_tls_block if {
	not fires(fx.input_with(fx.server(fx.good_config)), "NATS-TLS-001")
}

test_tls_001_quiet_on_loopback if {
	# `listen: 127.0.0.1:4222`: the plaintext never leaves the host.
	c := without(cfg({"host": "127.0.0.1"}), ["tls"])
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-001")
}

test_tls_001_fires_on_a_private_address if {
	c := without(cfg({"host": "10.0.1.22"}), ["tls"])
	fires(fx.input_with(fx.server(c)), "NATS-TLS-001")
}

test_tls_001_quiet_live_on_loopback if {
	not fires(fx.input_with(fx.live_server(fx.varz({"host": "127.0.0.1"}))), "NATS-TLS-001")
}

test_tls_001_quiet_with_tls_flags if {
	# compose: --tls --tlscert --tlskey land in config.tls
	c := {"port": 4222, "tls": {"enabled": true, "cert_file": "/certs/s.crt", "key_file": "/certs/s.key"}}
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-001")
}

test_tls_001_quiet_without_config if {
	s := object.union(fx.server({}), {"config": null})
	not fires(fx.input_with(s), "NATS-TLS-001")
}

test_tls_001_fires_live_without_tls if {
	f := one(fx.input_with(fx.live_server(fx.varz({}))), "NATS-TLS-001")
	f.path == "live/varz/tls_required"
	f.severity == "critical" # no auth_required and bound to 0.0.0.0 with no deployment
}

test_tls_001_quiet_live_with_tls_required if {
	not fires(fx.input_with(fx.live_server(fx.varz({"tls_required": true, "auth_required": true}))), "NATS-TLS-001")
}

test_tls_001_quiet_live_with_optional_tls if {
	# tls_verify shows TLS is configured: that is TLS-002's case, not TLS-001.
	not fires(fx.input_with(fx.live_server(fx.varz({"tls_verify": true}))), "NATS-TLS-001")
}

test_tls_001_fires_when_live_differs_from_config if {
	s := object.union(fx.server(fx.good_config), {"live": {"endpoint": "http://n1:8222", "varz": fx.varz({"auth_required": true})}})
	f := one(fx.input_with(s), "NATS-TLS-001")
	f.path == "live/varz/tls_required"
	contains(f.msg, "differs from the repository")
}

test_tls_001_quiet_when_live_matches_config if {
	s := object.union(fx.server(fx.good_config), {"live": {"endpoint": "http://n1:8222", "varz": fx.varz({"auth_required": true, "tls_required": true, "tls_verify": true})}})
	not fires(fx.input_with(s), "NATS-TLS-001")
}

# ---------------------------------------------------------------- NATS-TLS-002

test_tls_002_fires_with_allow_non_tls if {
	f := one(fx.input_with(fx.server(cfg({"allow_non_tls": true}))), "NATS-TLS-002")
	f.path == "config/allow_non_tls"
}

test_tls_002_quiet_when_tls_required if {
	not fires(fx.input_with(fx.server(cfg({"allow_non_tls": false}))), "NATS-TLS-002")
}

test_tls_002_quiet_allow_non_tls_without_tls if {
	# allow_non_tls without a tls block is TLS-001 (no TLS at all).
	not fires(fx.input_with(fx.server({"allow_non_tls": true})), "NATS-TLS-002")
}

test_tls_002_fires_live_with_mixed_connections if {
	connz := {"num_connections": 2, "connections": [
		{"cid": 5, "kind": "Client", "ip": "10.0.3.4", "tls_version": "1.3", "tls_cipher_suite": "TLS_AES_128_GCM_SHA256"},
		{"cid": 6, "kind": "Client", "ip": "10.0.3.9"},
	]}
	s := fx.live_server_with(fx.varz({"auth_required": true}), {"connz": connz})
	f := one(fx.input_with(s), "NATS-TLS-002")
	contains(f.msg, "1 connection(s) in /connz are plaintext")
}

test_tls_002_fires_live_with_cert_date if {
	fires(fx.input_with(fx.live_server(fx.varz({"tls_cert_not_after": "2027-03-01T00:00:00Z"}))), "NATS-TLS-002")
}

test_tls_002_quiet_live_tls_required if {
	not fires(fx.input_with(fx.live_server(fx.varz({"tls_required": true, "tls_cert_not_after": "2027-03-01T00:00:00Z"}))), "NATS-TLS-002")
}

# ---------------------------------------------------------------- NATS-TLS-003

test_tls_003_fires_without_verify_and_no_auth if {
	c := {"tls": fx.tls_block}
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-003")
	not f.severity
	f.path == "config/tls/verify"
}

test_tls_003_fires_low_with_user_auth if {
	c := with_tls(fx.tls_block)
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-003")
	f.severity == "low"
}

# TLS-003's fix: the client-certificate prerequisite with the CA file, the
# NATS URL variables clients read, the server's config file, and
# verify_and_map where users have passwords.
test_tls_003_fix_prerequisite_with_ca_and_clients if {
	c := object.union(with_tls(fx.tls_block), {"allow_non_tls": true})
	inp := object.union(fx.input_with(fx.server(c)), {"env_files": [{"ref": "env_files/0", "file": "config/base.env", "vars": {"NATS_URL": {"name": "NATS_URL", "line": 3, "facts": {"secret": false, "nats_url": true}}}}]})
	f := one(inp, "NATS-TLS-003")
	f.remediation == "Prerequisite: once `verify: true` is set, every client must present a certificate signed by the CA in ca_file (/etc/nats/certs/ca.crt), or its TLS handshake fails. First issue each client a certificate and key and configure them in the client (clients take their server URL from NATS_URL in config/base.env). Then add `verify: true` to the tls block of nats.conf (or `verify_and_map: true`, which maps each certificate's subject to a user and can replace its password). While `allow_non_tls: true` stays, a client that skips TLS skips the certificate check too (NATS-TLS-002)."
}

test_tls_003_fix_without_ca_file_or_users if {
	c := {"tls": object.remove(fx.tls_block, ["ca_file"])}
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-003")
	contains(f.remediation, "signed by a CA the server trusts (there is no ca_file yet: add the CA that signs the client certificates as `ca_file`), or its TLS handshake fails.")
	endswith(f.remediation, "Then add `verify: true` to the tls block of nats.conf.")
}

# A ca_file that is not a path (a number in a hostile config) is no CA file.
test_tls_003_fix_non_string_ca_file if {
	c := {"tls": object.union(fx.tls_block, {"ca_file": 5})}
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-003")
	contains(f.remediation, "signed by a CA the server trusts (there is no ca_file yet:")
}

test_tls_003_fix_live if {
	f := one(fx.input_with(fx.live_server(fx.varz({"tls_required": true, "auth_required": true}))), "NATS-TLS-003")
	startswith(f.remediation, "Prerequisite: once the server requires client certificates, every client connected to server nats-live must present one")
}

test_tls_003_quiet_with_verify_and_map if {
	c := with_tls(object.union(fx.tls_block, {"verify_and_map": true}))
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-003")
}

test_tls_003_quiet_with_verify if {
	not fires(fx.input_with(fx.server(fx.good_config)), "NATS-TLS-003")
}

test_tls_003_fires_live_tls_without_verify if {
	f := one(fx.input_with(fx.live_server(fx.varz({"tls_required": true, "auth_required": true}))), "NATS-TLS-003")
	f.severity == "low"
}

test_tls_003_quiet_live_with_verify if {
	not fires(fx.input_with(fx.live_server(fx.varz({"tls_required": true, "tls_verify": true}))), "NATS-TLS-003")
}

# ---------------------------------------------------------------- NATS-TLS-004

test_tls_004_fires_for_plaintext_cluster if {
	c := cfg({"cluster": {"name": "c1", "host": "0.0.0.0", "port": 6222, "listen": "0.0.0.0:6222", "routes": ["nats://nats-2:6222"]}})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-004")
	f.path == "config/cluster/port"
	contains(f.msg, "cluster (routes) listener on port 6222")
}

test_tls_004_fires_for_gateway_and_leafnodes if {
	c := cfg({
		"gateway": {"name": "east", "port": 7222},
		"leafnodes": {"port": 7422},
	})
	paths := {f.path | some f in hits(fx.input_with(fx.server(c)), "NATS-TLS-004")}
	paths == {"config/gateway/port", "config/leafnodes/port"}
}

test_tls_004_fires_for_plaintext_leaf_remote if {
	c := cfg({"leafnodes": {"remotes": [
		{"urls": ["nats-leaf://hub.example.com:7422"], "account": "APP"},
		{"urls": ["tls://hub2.example.com:7422"]},
	]}})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-004")
	f.path == "config/leafnodes/remotes/0"
	contains(f.msg, "hub.example.com")
}

test_tls_004_quiet_with_route_tls if {
	c := cfg({"cluster": {"name": "c1", "port": 6222, "tls": fx.tls_block}})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-004")
}

test_tls_004_quiet_cluster_on_loopback if {
	c := cfg({"cluster": {"name": "c1", "host": "127.0.0.1", "port": 6222}})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-004")
}

test_tls_004_quiet_loopback_leaf_remote if {
	# A remote on this host (a sidecar hub, a tunnel endpoint) never crosses a network.
	c := cfg({"leafnodes": {"remotes": [{"urls": ["nats://127.0.0.1:7422", "nats://user@localhost:7423"]}]}})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-004")
}

test_tls_004_fires_remote_with_one_non_loopback_url if {
	c := cfg({"leafnodes": {"remotes": [{"urls": ["nats://127.0.0.1:7422", "nats://hub.example.com:7422"]}]}})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-004")
	f.path == "config/leafnodes/remotes/0"
}

test_tls_004_quiet_remote_with_tls_block if {
	c := cfg({"leafnodes": {"remotes": [{"urls": ["nats-leaf://hub.example.com:7422"], "tls": {"ca_file": "/ca.pem"}}]}})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-004")
}

test_tls_004_fires_live_route_plaintext if {
	v := fx.varz({"cluster": {"addr": "0.0.0.0", "auth_timeout": 3, "cluster_port": 6222, "name": "c1", "pool_size": 3, "tls_timeout": 2, "urls": ["nats-2:6222"]}})
	f := one(fx.input_with(fx.live_server(v)), "NATS-TLS-004")
	f.path == "live/varz/cluster/tls_required"
}

test_tls_004_quiet_live_route_tls if {
	v := fx.varz({"cluster": {"addr": "0.0.0.0", "cluster_port": 6222, "name": "c1", "tls_required": true, "tls_verify": true, "tls_timeout": 2}})
	not fires(fx.input_with(fx.live_server(v)), "NATS-TLS-004")
}

# ---------------------------------------------------------------- NATS-TLS-007

test_tls_007_fires_for_ws_no_tls if {
	c := cfg({"websocket": {"port": 8080, "no_tls": true}})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-007")
	f.path == "config/websocket/no_tls"
	not f.severity
}

test_tls_007_fires_medium_on_loopback if {
	c := cfg({"websocket": {"host": "127.0.0.1", "port": 8080, "no_tls": true}})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-007")
	f.severity == "medium"
}

test_tls_007_quiet_with_ws_tls if {
	c := cfg({"websocket": {"port": 443, "tls": fx.tls_block}})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-007")
}

test_tls_007_fires_live if {
	v := fx.varz({"websocket": {"host": "0.0.0.0", "no_tls": true, "port": 8080}})
	fires(fx.input_with(fx.live_server(v)), "NATS-TLS-007")
}

test_tls_007_quiet_live_with_tls if {
	v := fx.varz({"websocket": {"host": "0.0.0.0", "port": 443, "tls_cert_not_after": "2027-01-01T00:00:00Z"}})
	not fires(fx.input_with(fx.live_server(v)), "NATS-TLS-007")
}

# ---------------------------------------------------------------- NATS-TLS-008

test_tls_008_fires_for_mqtt_without_tls if {
	c := cfg({"mqtt": {"port": 1883}})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-008")
	f.path == "config/mqtt/port"
}

test_tls_008_quiet_with_mqtt_tls if {
	c := cfg({"mqtt": {"port": 8883, "tls": fx.tls_block}})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-008")
}

test_tls_008_fires_live_on_214 if {
	v := fx.varz({"mqtt": {"host": "0.0.0.0", "port": 1883, "tls_timeout": 2}})
	fires(fx.input_with(fx.live_server(v)), "NATS-TLS-008")
}

test_tls_008_quiet_live_with_cert if {
	v := fx.varz({"mqtt": {"host": "0.0.0.0", "port": 8883, "tls_cert_not_after": "2026-12-13T23:20:43Z", "tls_timeout": 2}})
	not fires(fx.input_with(fx.live_server(v)), "NATS-TLS-008")
}

test_tls_008_quiet_live_before_214 if {
	# 2.12 does not report tls_cert_not_after: unknown, not "no TLS".
	v := fx.varz({"version": "2.12.15", "mqtt": {"host": "0.0.0.0", "port": 8883, "tls_timeout": 2}})
	not fires(fx.input_with(fx.live_server(v)), "NATS-TLS-008")
}

# ---------------------------------------------------------------- NATS-TLS-009

test_tls_009_fires_for_insecure_route_tls if {
	c := cfg({"cluster": {"port": 6222, "tls": object.union(fx.tls_block, {"insecure": true})}})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-009")
	f.path == "config/cluster/tls/insecure"
}

test_tls_009_fires_for_insecure_leaf_remote if {
	c := cfg({"leafnodes": {"remotes": [{"urls": ["tls://hub:7422"], "tls": {"insecure": true}}]}})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-009")
	f.path == "config/leafnodes/remotes/0/tls/insecure"
}

test_tls_009_quiet_insecure_false if {
	c := cfg({"cluster": {"port": 6222, "tls": object.union(fx.tls_block, {"insecure": false})}})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-009")
}

test_tls_009_quiet_on_client_tls if {
	# Server-side only: insecure has no effect on the client listener.
	c := cfg({"tls": object.union(fx.good_config.tls, {"insecure": true})})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-009")
}

# ---------------------------------------------------------------- NATS-TLS-010

test_tls_010_fires_for_cbc_and_rsa_kex if {
	suites := ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_GCM_SHA384"]
	c := cfg({"tls": object.union(fx.good_config.tls, {"cipher_suites": suites})})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-010")
	f.path == "config/tls/cipher_suites"
	contains(f.msg, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_GCM_SHA384")
	not contains(f.msg, "AES_128_GCM")
}

test_tls_010_fires_for_allow_insecure if {
	c := cfg({"gateway": {"port": 7222, "tls": object.union(fx.tls_block, {"allow_insecure_cipher_suites": true})}})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-010")
	f.path == "config/gateway/tls/allow_insecure_cipher_suites"
}

test_tls_010_quiet_with_aead_ecdhe_suites if {
	suites := ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"]
	c := cfg({"tls": object.union(fx.good_config.tls, {"cipher_suites": suites})})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-010")
}

test_tls_010_fires_live_connz if {
	connz := {"connections": [{"cid": 1, "tls_version": "1.2", "tls_cipher_suite": "TLS_RSA_WITH_AES_128_CBC_SHA"}]}
	fires(fx.input_with(fx.live_server_with(fx.varz({"tls_required": true}), {"connz": connz})), "NATS-TLS-010")
}

# ---------------------------------------------------------------- NATS-TLS-011

test_tls_011_fires_without_min_version if {
	c := with_tls(object.remove(fx.good_config.tls, ["min_version"]))
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-011")
	f.path == "config/tls/min_version"
}

test_tls_011_fires_with_min_12_number if {
	# unquoted `min_version: 1.2` is a float in the conf lexer
	c := cfg({"tls": object.union(fx.good_config.tls, {"min_version": 1.2})})
	fires(fx.input_with(fx.server(c)), "NATS-TLS-011")
}

test_tls_011_quiet_with_min_13 if {
	not fires(fx.input_with(fx.server(fx.good_config)), "NATS-TLS-011")
}

test_tls_011_fires_live_tls12_connections if {
	connz := {"connections": [{"cid": 1, "tls_version": "1.2", "tls_cipher_suite": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, {"cid": 2, "tls_version": "1.3"}]}
	f := one(fx.input_with(fx.live_server_with(fx.varz({"tls_required": true}), {"connz": connz})), "NATS-TLS-011")
	contains(f.msg, "1 connection(s)")
}

test_tls_011_quiet_live_tls13_only if {
	connz := {"connections": [{"cid": 2, "tls_version": "1.3"}]}
	not fires(fx.input_with(fx.live_server_with(fx.varz({"tls_required": true}), {"connz": connz})), "NATS-TLS-011")
}

# ---------------------------------------------------------------- NATS-TLS-012

test_tls_012_fires_without_handshake_first if {
	c := with_tls(object.remove(fx.good_config.tls, ["handshake_first"]))
	fires(fx.input_with(fx.server(c)), "NATS-TLS-012")
}

test_tls_012_fires_with_handshake_first_false if {
	c := cfg({"tls": object.union(fx.good_config.tls, {"handshake_first": false})})
	fires(fx.input_with(fx.server(c)), "NATS-TLS-012")
}

test_tls_012_quiet_with_auto if {
	c := cfg({"tls": object.union(fx.good_config.tls, {"handshake_first": "auto"})})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-012")
}

# ---------------------------------------------------------------- NATS-TLS-013

test_tls_013_fires_http_on_all_interfaces if {
	f := one(fx.input_with(fx.server(cfg({"http_port": 8222}))), "NATS-TLS-013")
	f.path == "config/http_port"
}

test_tls_013_fires_when_compose_publishes_it if {
	s := fx.compose_server(cfg({"http_port": 8222}), [fx.port("", 4222), fx.port("", 8222)])
	f := one(fx.input_with(s), "NATS-TLS-013")
	contains(f.msg, "published by docker-compose.yml")
}

test_tls_013_quiet_on_loopback if {
	not fires(fx.input_with(fx.server(cfg({"http_host": "127.0.0.1", "http_port": 8222}))), "NATS-TLS-013")
}

test_tls_013_quiet_when_compose_publishes_loopback_only if {
	s := fx.compose_server(cfg({"http_port": 8222}), [fx.port("", 4222), fx.port("127.0.0.1", 8222)])
	not fires(fx.input_with(s), "NATS-TLS-013")
}

test_tls_013_quiet_with_https if {
	not fires(fx.input_with(fx.server(cfg({"https_port": 8222}))), "NATS-TLS-013")
}

test_tls_013_fires_live if {
	fires(fx.input_with(fx.live_server(fx.varz({}))), "NATS-TLS-013")
}

# ---------------------------------------------------------------- NATS-TLS-014

cert(days) := {
	"path": "config/tls/cert_file",
	"file": "certs/server.crt",
	"subject": "CN=nats",
	"issuer": "CN=Internal CA",
	"not_before": "2026-01-01T00:00:00Z",
	"not_after": "",
	"not_after_ns": fx.now_ns + (days * fx.day_ns),
	"self_signed": false,
	"is_ca": false,
	"dns_names": ["nats"],
}

with_cert(days) := fx.input_with(object.union(fx.server(fx.good_config), {"certs": [cert(days)]}))

test_tls_014_fires_medium_at_29_days if {
	f := one(with_cert(29), "NATS-TLS-014")
	f.severity == "medium"
	f.path == "config/tls/cert_file"
	contains(f.msg, "server certificate certs/server.crt (CN=nats) expires on 2026-12-22 (in 29 days)")
}

test_tls_014_quiet_at_31_days if {
	not fires(with_cert(31), "NATS-TLS-014")
}

test_tls_014_fires_high_under_14_days if {
	f := one(with_cert(13), "NATS-TLS-014")
	f.severity == "high"
}

test_tls_014_fires_critical_when_expired if {
	f := one(with_cert(-2), "NATS-TLS-014")
	f.severity == "critical"
	contains(f.msg, "expired on 2026-11-21")
}

# Boundaries: the thresholds are "under N days" (params.tls), so exactly N
# days left is the milder severity, and a certificate that expires at the
# scan instant has expired.

cert_ns(ns) := fx.input_with(object.union(fx.server(fx.good_config), {"certs": [object.union(cert(0), {"not_after_ns": ns})]}))

test_tls_014_quiet_at_exactly_30_days if {
	not fires(with_cert(30), "NATS-TLS-014")
}

test_tls_014_fires_medium_one_ns_under_30_days if {
	f := one(cert_ns((fx.now_ns + (30 * fx.day_ns)) - 1), "NATS-TLS-014")
	f.severity == "medium"
}

test_tls_014_fires_medium_at_exactly_14_days if {
	f := one(with_cert(14), "NATS-TLS-014")
	f.severity == "medium"
	contains(f.msg, "(in 14 days)")
}

test_tls_014_fires_high_one_ns_under_14_days if {
	f := one(cert_ns((fx.now_ns + (14 * fx.day_ns)) - 1), "NATS-TLS-014")
	f.severity == "high"
	contains(f.msg, "(in 13 days)")
}

test_tls_014_fires_critical_at_the_scan_instant if {
	f := one(with_cert(0), "NATS-TLS-014")
	f.severity == "critical"
	contains(f.msg, "expired on")
}

test_tls_014_fires_high_one_ns_after_the_scan_instant if {
	f := one(cert_ns(fx.now_ns + 1), "NATS-TLS-014")
	f.severity == "high"
	contains(f.msg, "(in 0 days)")
}

test_tls_014_fires_from_live_varz if {
	v := fx.varz({"tls_required": true, "cluster": {"cluster_port": 6222, "tls_required": true, "tls_cert_not_after": "2026-11-30T12:00:00Z"}})
	f := one(fx.input_with(fx.live_server(v)), "NATS-TLS-014")
	f.path == "live/varz/cluster/tls_cert_not_after"
	f.severity == "high"
}

test_tls_014_quiet_live_far_future if {
	v := fx.varz({"tls_required": true, "tls_cert_not_after": "2027-11-30T12:00:00Z"})
	not fires(fx.input_with(fx.live_server(v)), "NATS-TLS-014")
}

test_tls_014_quiet_live_when_repo_cert_known if {
	# The repository's certificate for the client listener is judged already.
	s := object.union(fx.server(fx.good_config), {
		"certs": [cert(20)],
		"live": {"endpoint": "http://n1:8222", "varz": fx.varz({"tls_required": true, "tls_cert_not_after": "2026-12-13T00:00:00Z"})},
	})
	count(hits(fx.input_with(s), "NATS-TLS-014")) == 1
}

# ---------------------------------------------------------------- NATS-TLS-015

test_tls_015_fires_for_http_resolver if {
	c := cfg({"operator": "/etc/nats/op.jwt", "resolver": "URL(http://nats-account-server:9090/jwt/v1/accounts/)"})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-015")
	f.path == "config/resolver"
	f.msg == "server nats-1 fetches account JWTs over plain HTTP from nats-account-server:9090"
}

test_tls_015_fires_without_printing_url_credentials if {
	c := cfg({"operator": "/etc/nats/op.jwt", "resolver": "URL(\"http://jwt:hunter2hunter2@accounts.internal/jwt/v1/accounts/\")"})
	f := one(fx.input_with(fx.server(c)), "NATS-TLS-015")
	not contains(f.msg, "hunter2")
	contains(f.msg, "from accounts.internal")
}

test_tls_015_quiet_for_https_resolver if {
	c := cfg({"operator": "/etc/nats/op.jwt", "resolver": "URL(https://nats-account-server:9090/jwt/v1/accounts/)"})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-015")
}

test_tls_015_quiet_for_full_resolver if {
	c := cfg({"operator": "/etc/nats/op.jwt", "resolver": {"type": "full", "dir": "/data/jwt"}})
	not fires(fx.input_with(fx.server(c)), "NATS-TLS-015")
}

# ---------------------------------------------------------------- NATS-TLS-016

files_input(files) := object.union(fx.input_with(fx.server(fx.good_config)), {"files": files})

test_tls_016_fires_for_committed_key if {
	f := one(files_input([{"ref": "files/3", "path": "config/certs/nats/server.key", "kind": "private_key", "key_type": "pkcs8", "line": 1}]), "NATS-TLS-016")
	f.ref == "files/3"
	not f.severity
	f.msg == "private key (pkcs8) committed in the repository at config/certs/nats/server.key"
}

test_tls_016_fires_medium_for_encrypted_key if {
	f := one(files_input([{"ref": "files/0", "path": "keys/server.key", "kind": "private_key", "key_type": "rsa", "encrypted": true}]), "NATS-TLS-016")
	f.severity == "medium"
}

test_tls_016_fires_for_creds_file if {
	f := one(files_input([{"ref": "files/0", "path": "deploy/app.creds", "kind": "creds", "key_type": "nkey"}]), "NATS-TLS-016")
	f.msg == ".creds file (user JWT and nkey seed) committed in the repository at deploy/app.creds"
}

test_tls_016_fires_for_nkey_seed_file if {
	f := one(files_input([{"ref": "files/0", "path": "nkeys/app.seed", "kind": "nkey_seed", "key_type": "nkey"}]), "NATS-TLS-016")
	f.msg == "nkey seed committed in the repository at nkeys/app.seed"
}

test_tls_016_fires_low_under_testdata if {
	f := one(files_input([{"ref": "files/0", "path": "test/fixtures/server.key", "kind": "private_key", "key_type": "ec"}]), "NATS-TLS-016")
	f.severity == "low"
}

test_tls_016_quiet_for_certificate if {
	not fires(files_input([{"ref": "files/0", "path": "config/certs/nats/server.crt", "kind": "certificate"}]), "NATS-TLS-016")
}

# Loopback is decided in Go (net.IP.IsLoopback): all of 127.0.0.0/8, and
# URLs of any scheme, nats-leaf:// included.
test_tls_004_quiet_loopback_leaf_remote_any_scheme if {
	every u in ["nats-leaf://127.0.0.1:7422", "nats-leaf://user:pw@127.0.1.1:7422", "ws://[::1]:443", "nats://localhost:7422"] {
		natsaudit.loopback(u)
	}
	not natsaudit.loopback("nats-leaf://hub.example.com:7422")
	not natsaudit.loopback("128.0.0.1")
	natsaudit.loopback("127.0.1.1")
}

# ------------------------------------------- conditions, one by one (issue 20)

# both(cfg, varz): a server known from its config and its monitoring endpoint.
both(c, varz) := object.union(fx.server(c), {"live": {"endpoint": "http://n1:8222", "varz": varz}})

live_conns(varz, conns) := fx.input_with(fx.live_server_with(varz, {"connz": {"num_connections": count(conns), "connections": conns}}))

test_tls_001_quiet_live_with_certificate_only if {
	# A certificate date in /varz means TLS is configured: TLS-002's case.
	not fires(fx.input_with(fx.live_server(fx.varz({"tls_cert_not_after": "2027-03-01T00:00:00Z"}))), "NATS-TLS-001")
}

test_tls_001_no_config_mismatch_when_config_allows_plaintext if {
	# Without TLS in the config, or with allow_non_tls, a running server that
	# does not require TLS is what the repository says.
	not_live_mismatch(both(without(fx.good_config, ["tls"]), fx.varz({"auth_required": true})))
	not_live_mismatch(both(cfg({"allow_non_tls": true}), fx.varz({"auth_required": true})))
}

not_live_mismatch(s) if {
	every f in hits(fx.input_with(s), "NATS-TLS-001") {
		f.path != "live/varz/tls_required"
	}
}

test_tls_001_live_with_auth_is_not_critical if {
	f := one(fx.input_with(fx.live_server(fx.varz({"auth_required": true}))), "NATS-TLS-001")
	not f.severity
}

test_tls_002_live_only_when_tls_is_configured if {
	not fires(fx.input_with(both(fx.good_config, fx.varz({"tls_verify": true, "auth_required": true}))), "NATS-TLS-002")
	not fires(fx.input_with(fx.live_server(fx.varz({}))), "NATS-TLS-002")
	f := one(fx.input_with(fx.live_server(fx.varz({"tls_verify": true}))), "NATS-TLS-002")
	endswith(f.msg, "has TLS configured but does not require it")
}

test_tls_002_live_tls_connections if {
	# A TLS connection shows TLS is configured; plaintext ones alone do not.
	f := one(live_conns(fx.varz({}), [{"cid": 5, "tls_version": "1.3"}]), "NATS-TLS-002")
	endswith(f.msg, "has TLS configured but does not require it")
	not fires(live_conns(fx.varz({}), [{"cid": 5, "tls_version": ""}, {"cid": 6}]), "NATS-TLS-002")
	g := one(live_conns(fx.varz({}), [{"cid": 5, "tls_version": "1.3"}, {"cid": 6}, {"cid": 7, "tls_version": ""}]), "NATS-TLS-002")
	endswith(g.msg, ": 2 connection(s) in /connz are plaintext")
}

test_tls_003_needs_tls if {
	not fires(fx.input_with(fx.server(without(fx.good_config, ["tls"]))), "NATS-TLS-003")
	not fires(fx.input_with(fx.live_server(fx.varz({}))), "NATS-TLS-003")
	not fires(fx.input_with(both(fx.good_config, fx.varz({"tls_required": true}))), "NATS-TLS-003")
	fires(fx.input_with(fx.live_server(fx.varz({"tls_cert_not_after": "2027-03-01T00:00:00Z"}))), "NATS-TLS-003")
}

test_tls_004_live_rules_for_live_only_servers if {
	c := cfg({"cluster": {"port": 6222, "tls": fx.tls_block}})
	v := fx.varz({"cluster": {"addr": "0.0.0.0", "cluster_port": 6222, "name": "c1"}})
	not fires(fx.input_with(both(c, v)), "NATS-TLS-004")
	lo := fx.varz({"cluster": {"addr": "127.0.0.1", "cluster_port": 6222, "name": "c1"}})
	not fires(fx.input_with(fx.live_server(lo)), "NATS-TLS-004")
}

test_tls_007_live_websocket_only if {
	c := cfg({"websocket": {"port": 443, "tls": fx.tls_block}})
	v := fx.varz({"websocket": {"host": "0.0.0.0", "no_tls": true, "port": 8080}})
	not fires(fx.input_with(both(c, v)), "NATS-TLS-007")
	f := one(fx.input_with(fx.live_server(v)), "NATS-TLS-007")
	contains(f.msg, "on port 8080")
}

test_tls_008_live if {
	v := fx.varz({"mqtt": {"host": "0.0.0.0", "port": 1883, "tls_timeout": 2}})
	not fires(fx.input_with(both(cfg({"mqtt": {"port": 1883, "tls": fx.tls_block}}), v)), "NATS-TLS-008")
	f := one(fx.input_with(fx.live_server(object.union(v, {"version": "2.14.0"}))), "NATS-TLS-008")
	contains(f.msg, "on port 1883")
	not f.severity
	lo := fx.varz({"mqtt": {"host": "127.0.0.1", "port": 1883, "tls_timeout": 2}})
	g := one(fx.input_with(fx.live_server(lo)), "NATS-TLS-008")
	g.severity == "medium"
}

test_tls_010_live if {
	conns := [{"cid": 5, "tls_version": "1.2", "tls_cipher_suite": "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}]
	fires(live_conns(fx.varz({}), conns), "NATS-TLS-010")
	s := object.union(both(fx.good_config, fx.varz({})), {"live": {"endpoint": "http://n1:8222", "varz": fx.varz({}), "connz": {"connections": conns}}})
	not fires(fx.input_with(s), "NATS-TLS-010")
	not fires(live_conns(fx.varz({}), [{"cid": 5, "tls_version": "1.3", "tls_cipher_suite": "TLS_AES_128_GCM_SHA256"}]), "NATS-TLS-010")
}

test_tls_011_live_only if {
	conns := [{"cid": 5, "tls_version": "1.2"}]
	fires(live_conns(fx.varz({}), conns), "NATS-TLS-011")
	s := object.union(both(fx.good_config, fx.varz({})), {"live": {"endpoint": "http://n1:8222", "varz": fx.varz({}), "connz": {"connections": conns}}})
	not fires(fx.input_with(s), "NATS-TLS-011")
}

test_tls_012_handshake_first_values if {
	not fires(fx.input_with(fx.server(without(fx.good_config, ["tls"]))), "NATS-TLS-012")
	not fires(fx.input_with(fx.server(with_tls(object.union(fx.tls_block, {"verify": true, "min_version": "1.3", "handshake_first": "300ms"})))), "NATS-TLS-012")
	fires(fx.input_with(fx.server(with_tls(object.union(fx.tls_block, {"verify": true, "min_version": "1.3", "handshake_first": ""})))), "NATS-TLS-012")
	fires(fx.input_with(fx.server(with_tls(object.union(fx.tls_block, {"verify": true, "min_version": "1.3", "handshake_first": "OFF"})))), "NATS-TLS-012")
	fires(fx.input_with(fx.server(with_tls(object.union(fx.tls_block, {"verify": true, "min_version": "1.3", "handshake_first": 5})))), "NATS-TLS-012")
}

test_tls_014_repo_certificates_only_with_a_date if {
	c0 := object.union(cert(1), {"not_after_ns": 0})
	not fires(fx.input_with(object.union(fx.server(fx.good_config), {"certs": [c0]})), "NATS-TLS-014")
	lc := object.union(cert(5), {"path": "live/varz/tls_cert_not_after"})
	not fires(fx.input_with(object.union(fx.server(fx.good_config), {"certs": [lc]})), "NATS-TLS-014")
}

test_tls_014_path_of_a_certificate_without_one if {
	f := one(fx.input_with(object.union(fx.server(fx.good_config), {"certs": [object.remove(cert(5), ["path"])]})), "NATS-TLS-014")
	f.path == "config"
	g := one(fx.input_with(object.union(fx.server(fx.good_config), {"certs": [object.union(cert(5), {"path": 7})]})), "NATS-TLS-014")
	g.path == "config"
}

test_tls_014_live_cert_of_another_listener_still_judged if {
	# The repository has the cluster's certificate, not the client one.
	s := object.union(fx.server(fx.good_config), {
		"certs": [object.union(cert(20), {"path": "config/cluster/tls/cert_file"})],
		"live": {"endpoint": "http://n1:8222", "varz": fx.varz({"tls_required": true, "tls_cert_not_after": "2026-12-13T00:00:00Z"})},
	})
	count(hits(fx.input_with(s), "NATS-TLS-014")) == 2
}

test_tls_016_only_key_files if {
	not fires(files_input([{"ref": "files/0", "path": "certs/server.crt", "kind": "certificate", "line": 1}]), "NATS-TLS-016")
	f := one(files_input([{"ref": "files/0", "path": "keys/server.key", "kind": "private_key", "key_type": 2048}]), "NATS-TLS-016")
	f.msg == "private key committed in the repository at keys/server.key"
}

test_tls_014_empty_certificate_path_is_config if {
	f := one(fx.input_with(object.union(fx.server(fx.good_config), {"certs": [object.union(cert(5), {"path": ""})]})), "NATS-TLS-014")
	f.path == "config"
}

# NATS-TLS-002's fix checked against the deployment (issue 19): with verify
# the prerequisite is a client certificate for every plaintext client.

test_tls_002_fires_with_client_cert_prerequisite_under_verify if {
	t := object.union(fx.good_config.tls, {"verify": true})
	inp := object.union(fx.input_with(fx.server(object.union(with_tls(t), {"allow_non_tls": true}))), {"env_files": [{"ref": "env_files/0", "file": "config/base.env", "vars": {
		"NATS_URL": {"name": "NATS_URL", "line": 3, "facts": {"secret": true, "nats_url": false}},
		"NATS_USER": {"name": "NATS_USER", "line": 4, "facts": {"secret": true, "nats_url": false}},
	}}]})
	f := one(inp, "NATS-TLS-002")
	startswith(f.remediation, "Prerequisite: `verify: true` is set, so once TLS is required every client must also present a certificate")
	contains(f.remediation, "(clients take their server URL from NATS_URL in config/base.env)")
	not contains(f.remediation, "NATS_USER")
}

test_tls_002_quiet_prerequisite_without_verify if {
	t := object.remove(fx.good_config.tls, ["verify", "verify_and_map"])
	f := one(fx.input_with(fx.server(object.union(with_tls(t), {"allow_non_tls": true}))), "NATS-TLS-002")
	startswith(f.remediation, "Prerequisite: every client must trust the CA")
	not contains(f.remediation, "client certificate")
	not contains(f.remediation, "take their server URL")
}

# ---------------------------------------------------------------- NATS-TLS-017

san_cert(extra) := object.union(object.union(cert(200), {"dns_names": []}), extra)

with_certs(cs) := fx.input_with(object.union(fx.server(fx.good_config), {"certs": cs}))

test_tls_017_fires_cn_only_server_cert if {
	f := one(with_certs([san_cert({})]), "NATS-TLS-017")
	f.path == "config/tls/cert_file"
	f.msg == "server nats-1: certificate certs/server.crt (CN=nats) has no subjectAltName, only a Common Name: Go clients (nats CLI, nats.go, other nats-servers) refuse it"
}

test_tls_017_fires_cluster_cert if {
	f := one(with_certs([san_cert({"path": "config/cluster/tls/cert_file"})]), "NATS-TLS-017")
	f.path == "config/cluster/tls/cert_file"
}

test_tls_017_quiet_with_ip_san if {
	not fires(with_certs([san_cert({"ip_addresses": ["10.0.0.5"]})]), "NATS-TLS-017")
}

test_tls_017_quiet_with_dns_san if {
	not fires(with_certs([cert(200)]), "NATS-TLS-017")
}

test_tls_017_quiet_ca_and_remote_client_cert if {
	not fires(with_certs([san_cert({"is_ca": true, "path": "config/tls/ca_file"}), san_cert({"path": "config/leafnodes/remotes/0/tls/cert_file"}), san_cert({"path": "live/varz/tls_cert_not_after"})]), "NATS-TLS-017")
}

# ---------------------------------------------------------------- NATS-TLS-018

lifetime_cert(days) := object.union(cert(days), {"not_before": "2026-11-22T00:00:00Z"})

test_tls_018_fires_17_day_certificate if {
	# The seed platform's certificate: issued for 17 days.
	f := one(with_certs([lifetime_cert(16)]), "NATS-TLS-018")
	f.path == "config/tls/cert_file"
	contains(f.msg, "server certificate certs/server.crt (CN=nats) is valid for 17 days (2026-11-22 to 2026-12-09), less than the 91 days between quarterly audits")
}

test_tls_018_fires_hours if {
	f := one(with_certs([object.union(cert(0), {"not_before": "2026-11-22T12:00:00Z"})]), "NATS-TLS-018")
	contains(f.msg, "is valid for 12 hours")
}

test_tls_018_quiet_at_the_interval if {
	# 91 days exactly is not shorter than the interval.
	not fires(with_certs([lifetime_cert(90)]), "NATS-TLS-018")
}

test_tls_018_quiet_live_dates if {
	not fires(with_certs([object.union(lifetime_cert(16), {"path": "live/varz/tls_cert_not_after"})]), "NATS-TLS-018")
}

test_tls_002_fires_prerequisite_under_verify_and_map if {
	t := object.union(object.remove(fx.good_config.tls, ["verify"]), {"verify_and_map": true})
	inp := object.union(fx.input_with(fx.server(object.union(with_tls(t), {"allow_non_tls": true}))), {"credentials": [{"ref": "credentials/0", "file": "scripts/setup.sh", "line": 3, "source": "script", "key": "nats context save app/--server", "kind": "url", "facts": {"secret": true, "nats_url": true}}, {"ref": "credentials/1", "file": "scripts/setup.sh", "line": 9, "source": "script", "key": "curl/-u", "kind": "password", "facts": {"secret": true, "nats_url": false}}]})
	f := one(inp, "NATS-TLS-002")
	startswith(f.remediation, "Prerequisite: `verify: true` is set")
	contains(f.remediation, "(clients take their server URL from nats context save app/--server in scripts/setup.sh)")
	not contains(f.remediation, "curl")
}

test_tls_017_quiet_ca_at_cert_path if {
	not fires(with_certs([san_cert({"is_ca": true})]), "NATS-TLS-017")
}

test_tls_018_fires_two_days_and_hours if {
	f := one(with_certs([object.union(cert(0), {"not_before": "2026-11-21T00:00:00Z"})]), "NATS-TLS-018")
	contains(f.msg, "is valid for 2 days")
	g := one(with_certs([object.union(cert(0), {"not_before": "2026-11-21T01:00:00Z"})]), "NATS-TLS-018")
	contains(g.msg, "is valid for 47 hours")
}

test_tls_014_deadline_is_the_expiry_date if {
	f := one(with_cert(29), "NATS-TLS-014")
	f.deadline == {"date": "2026-12-22", "kind": "certificate_expiry", "what": "server certificate certs/server.crt (CN=nats) expires"}
	g := one(with_cert(-2), "NATS-TLS-014")
	g.deadline.date == "2026-11-21"
}
