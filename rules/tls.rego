# TLS rules: encryption of the client, inter-server, WebSocket, MQTT and
# monitoring listeners, certificate hygiene and committed private keys.
package natsaudit.rules.tls

import data.natsaudit.lib
import data.natsaudit.lib.authconf
import data.natsaudit.lib.exposure
import data.natsaudit.lib.livedocs
import data.natsaudit.lib.tlsconf
import data.natsaudit.lib.versions

# METADATA
# title: Client listener without TLS
# description: >-
#   Clients connect in plaintext: credentials and messages cross the network
#   unencrypted and can be read or altered by anyone on the path. Critical
#   when the server also has no client authentication and the port is public.
#   A client listener bound to loopback is not reported: its traffic never
#   leaves the host.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
# custom:
#   id: NATS-TLS-001
#   severity: high
#   category: security
#   facets: [config, deployment, live]
#   remediation: |-
#     Add a tls block to the server config (or terminate TLS in front of it):
#
#         tls {
#           cert_file: "/etc/nats/certs/server.crt"
#           key_file:  "/etc/nats/certs/server.key"
#         }
#
#     With compose command-line flags: `--tls --tlscert ... --tlskey ...`.
#     Once clients support it, `handshake_first: true` also hides the INFO banner.
deny contains f if {
	some h in _tls_001
	f := lib.finding_of(rego.metadata.rule(), h)
}

_tls_001 contains h if {
	some s in lib.configured_servers
	not tlsconf.has_tls(s.config)
	l := exposure.config_listener(s, "client")
	not lib.loopback(l.host)
	h := object.union(
		{"obj": s, "path": "config/port"},
		_tls_001_open(s, l, _anon_config(s)),
	)
}

# A live server whose config is not in the scan: /varz cannot tell "no TLS"
# from "TLS optional", but either way plaintext clients are accepted.
_tls_001 contains h if {
	some s in livedocs.live_only_servers
	v := livedocs.varz_of(s)
	not livedocs.varz_flag(v, "tls_required")
	not livedocs.varz_flag(v, "tls_verify")
	not v.tls_cert_not_after
	some l in exposure.live_listeners(s)
	l.kind == "client"
	not lib.loopback(l.host)
	h := object.union(
		{"obj": s, "path": "live/varz/tls_required"},
		_tls_001_open(s, l, _varz_false(v, "auth_required")),
	)
}

# The config requires TLS but the running server does not: what runs is not
# what the repository says.
_tls_001 contains h if {
	some s in livedocs.varz_servers
	is_object(s.config)
	tlsconf.has_tls(s.config)
	not s.config.allow_non_tls == true
	v := livedocs.varz_of(s)
	not livedocs.varz_flag(v, "tls_required")
	h := {"obj": s, "path": "live/varz/tls_required", "msg": sprintf("%s: the config requires TLS but the running server does not (/varz tls_required is false): the deployed configuration differs from the repository", [lib.server_label(s)])}
}

_anon_config(s) if {
	authconf.anonymous_clients(s)
} else := false

_auth_config(s) if {
	authconf.client_auth(s.config)
} else := false

_varz_false(v, k) if {
	not livedocs.varz_flag(v, k)
} else := false

_tls_001_open(s, l, anonymous) := {"sev": "critical", "msg": sprintf("%s accepts client connections without TLS on port %v, with no client authentication, on a public listener (%s)", [lib.server_label(s), l.port, exposure.exposure_note(s, l)])} if {
	anonymous == true
	exposure.public(s, l)
} else := {"msg": sprintf("%s accepts client connections without TLS on port %v", [lib.server_label(s), l.port])}

# METADATA
# title: TLS configured but optional (plaintext still accepted)
# description: >-
#   allow_non_tls lets clients skip the TLS upgrade, so a misconfigured or
#   malicious client talks in plaintext although the server has a
#   certificate, and credentials of such clients cross the network in clear.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
# custom:
#   id: NATS-TLS-002
#   severity: medium
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Remove `allow_non_tls: true` so that every client must use TLS, after
#     moving the clients still in plaintext to tls:// (`/connz` lists them
#     with an empty `tls_version`). With `verify: true` each of them also
#     needs a client certificate first, or the change cuts it off.
deny contains f if {
	some h in _tls_002
	f := object.union(lib.finding_of(rego.metadata.rule(), h), _tls002_remediation(h))
}

_tls002_remediation(h) := {"remediation": h.fix} if {
	h.fix
} else := {}

_tls_002 contains h if {
	some s in lib.configured_servers
	tlsconf.has_tls(s.config)
	s.config.allow_non_tls == true
	h := {"obj": s, "path": "config/allow_non_tls", "msg": sprintf("%s has TLS but allow_non_tls lets clients connect in plaintext", [lib.server_label(s)]), "fix": _tls002_fix(s)}
}

# Live: varz says TLS is not required, yet shows that TLS is configured
# (tls_verify, a certificate date, or TLS connections in /connz).
_tls_002 contains h if {
	some s in livedocs.live_only_servers
	v := livedocs.varz_of(s)
	not livedocs.varz_flag(v, "tls_required")
	_live_tls_configured(s, v)
	h := {"obj": s, "path": "live/varz/tls_required", "msg": sprintf("%s has TLS configured but does not require it%s", [lib.server_label(s), _plaintext_conns(s)])}
}

_live_tls_configured(_, v) if livedocs.varz_flag(v, "tls_verify")

_live_tls_configured(_, v) if v.tls_cert_not_after

_live_tls_configured(s, _) if {
	some c in s.live.connz.connections
	object.get(c, "tls_version", "") != ""
}

_plaintext_conns(s) := sprintf(": %d connection(s) in /connz are plaintext", [n]) if {
	n := count([c | some c in s.live.connz.connections; object.get(c, "tls_version", "") == ""])
	n > 0
} else := ""

# METADATA
# title: Client TLS does not verify client certificates
# description: >-
#   Without verify (mutual TLS) any client that reaches the port can complete
#   the TLS handshake; the server then relies on passwords or tokens alone.
#   Low when clients must also authenticate (users, nkeys, JWT).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/tls_mutual_auth
# custom:
#   id: NATS-TLS-003
#   severity: medium
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Where clients are machines, require client certificates:
#
#         tls {
#           cert_file: "/etc/nats/certs/server.crt"
#           key_file:  "/etc/nats/certs/server.key"
#           ca_file:   "/etc/nats/certs/ca.crt"
#           verify: true            # or verify_and_map: true to map the cert to a user
#         }
deny contains f if {
	some h in _tls_003
	f := object.union(lib.finding_of(rego.metadata.rule(), h), {"remediation": _tls003_fix(h.obj)})
}

# _tls003_fix(s): NATS-TLS-003's fix checked against the deployment: verify
# cuts off every client without a certificate from the CA in ca_file, so
# the clients (the NATS URL variables they read) get certificates first;
# a server without ca_file needs one; allow_non_tls lets plaintext clients
# past the check.
_tls003_fix(s) := sprintf("Prerequisite: once `verify: true` is set, every client must present a certificate signed by %s, or its TLS handshake fails. First issue each client a certificate and key and configure them in the client%s. Then add `verify: true` to the tls block%s%s.%s", [
	_tls003_ca(object.get(s.config, "tls", {})), _tls002_clients, _tls003_in(s), _tls003_map(s), _tls003_plain(s),
]) if {
	not livedocs.live_only(s)
} else := sprintf("Prerequisite: once the server requires client certificates, every client connected to %s must present one signed by the CA in its ca_file, or its TLS handshake fails: issue the clients that /connz lists certificates first, then set `verify: true` in the server's tls block.", [lib.server_label(s)])

_tls003_ca(t) := sprintf("the CA in ca_file (%s)", [t.ca_file]) if {
	is_string(t.ca_file)
} else := "a CA the server trusts (there is no ca_file yet: add the CA that signs the client certificates as `ca_file`)"

_tls003_in(s) := sprintf(" of %s", [s.config_file]) if {
	object.get(s, "config_file", "") != ""
} else := ""

# With users and passwords, verify_and_map can replace them.
_tls003_map(s) := " (or `verify_and_map: true`, which maps each certificate's subject to a user and can replace its password)" if {
	_auth_config(s)
} else := ""

_tls003_plain(s) := " While `allow_non_tls: true` stays, a client that skips TLS skips the certificate check too (NATS-TLS-002)." if {
	s.config.allow_non_tls == true
} else := ""

_tls_003 contains h if {
	some s in lib.configured_servers
	tlsconf.has_tls(s.config)
	not tlsconf.tls_verifies(s.config.tls)
	h := object.union(
		{"obj": s, "path": "config/tls/verify"},
		_tls_003_sev(s, _auth_config(s)),
	)
}

_tls_003 contains h if {
	some s in livedocs.live_only_servers
	v := livedocs.varz_of(s)
	_live_tls_on(v)
	not livedocs.varz_flag(v, "tls_verify")
	h := object.union(
		{"obj": s, "path": "live/varz/tls_verify"},
		_tls_003_sev(s, livedocs.varz_flag(v, "auth_required")),
	)
}

_live_tls_on(v) if livedocs.varz_flag(v, "tls_required")

_live_tls_on(v) if v.tls_cert_not_after

_tls_003_sev(s, true) := {"sev": "low", "msg": sprintf("%s does not verify client certificates (clients still authenticate with credentials)", [lib.server_label(s)])}

_tls_003_sev(s, false) := {"msg": sprintf("%s does not verify client certificates and has no other client authentication", [lib.server_label(s)])}

# METADATA
# title: Inter-server link in plaintext (routes, gateways, leafnodes)
# description: >-
#   Routes, gateways and leafnode connections carry every message and the
#   inter-server credentials; without TLS they can be read and tampered with
#   on the network. This rule also covers the catalog's TLS-005 (gateways) and
#   TLS-006 (leafnode listener and remotes); the message names the link.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering/cluster_tls
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/leafnodes/leafnode_conf
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/gateways/gateway
# custom:
#   id: NATS-TLS-004
#   severity: high
#   category: security
#   facets: [config, deployment, live]
#   remediation: |-
#     Add a tls block to each inter-server listener (route TLS is always mutual):
#
#         cluster {
#           tls { cert_file: "/etc/nats/certs/route.crt", key_file: "/etc/nats/certs/route.key", ca_file: "/etc/nats/certs/ca.crt" }
#         }
#         leafnodes {
#           tls { cert_file: ..., key_file: ..., ca_file: ..., verify: true }
#           remotes = [ { urls: ["tls://hub.example.com:7422"], tls { ca_file: ... } } ]
#         }
deny contains f if {
	some h in _tls_004
	f := lib.finding_of(rego.metadata.rule(), h)
}

_tls_004 contains h if {
	some s in lib.configured_servers
	some kind in ["cluster", "gateway", "leafnodes"]
	l := exposure.config_listener(s, kind)
	not lib.loopback(l.host)
	not tlsconf.has_tls(s.config[kind])
	h := {"obj": s, "path": l.path, "msg": sprintf("%s: the %s listener on port %v has no tls block, so this inter-server traffic is plaintext", [lib.server_label(s), exposure.listener_names[kind], l.port])}
}

_tls_004 contains h if {
	some s in lib.configured_servers
	some i, r in s.config.leafnodes.remotes
	is_object(r)
	not tlsconf.has_tls(r)
	urls := object.get(r, "urls", [])
	count(urls) > 0
	not _any_tls_url(urls)
	not _all_loopback_urls(urls)
	h := {"obj": s, "path": sprintf("config/leafnodes/remotes/%d", [i]), "msg": sprintf("%s: leafnode remote %d (%s) has no tls block and no tls:// or wss:// URL, so the link is plaintext unless the hub requires TLS", [lib.server_label(s), i, concat(", ", [sprintf("%v", [u]) | some u in urls])])}
}

_tls_004 contains h if {
	some s in livedocs.live_only_servers
	v := livedocs.varz_of(s)
	some kind, vk in {"cluster": "cluster", "gateway": "gateway", "leafnodes": "leaf"}
	some l in exposure.live_listeners(s)
	l.kind == kind
	not lib.loopback(l.host)
	not livedocs.varz_flag(v[vk], "tls_required")
	h := {"obj": s, "path": sprintf("live/varz/%s/tls_required", [vk]), "msg": sprintf("%s: the %s listener on port %v does not require TLS (/varz %s.tls_required is false)", [lib.server_label(s), exposure.listener_names[kind], l.port, vk])}
}

_any_tls_url(urls) if {
	some u in urls
	regex.match(`(?i)^(tls|wss)://`, u)
}

_all_loopback_urls(urls) if {
	every u in urls {
		lib.loopback(u)
	}
}

# METADATA
# title: WebSocket listener without TLS
# description: >-
#   websocket.no_tls serves the WebSocket port in plaintext; browsers and
#   other WebSocket clients then send credentials and messages in clear.
#   Medium when the listener is not reachable from other machines (a local
#   TLS-terminating proxy is then the only way in).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/websocket/websocket_conf
# custom:
#   id: NATS-TLS-007
#   severity: high
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Give the WebSocket listener its own TLS and drop `no_tls`:
#
#         websocket {
#           port: 443
#           tls { cert_file: "/etc/nats/certs/ws.crt", key_file: "/etc/nats/certs/ws.key" }
#         }
#
#     If an ingress terminates TLS, bind the listener to loopback or the
#     ingress network only.
deny contains f if {
	some h in _tls_007
	f := lib.finding_of(rego.metadata.rule(), h)
}

_tls_007 contains h if {
	some s in lib.configured_servers
	l := exposure.config_listener(s, "websocket")
	s.config.websocket.no_tls == true
	h := object.union({"obj": s, "path": "config/websocket/no_tls"}, _ws_sev(s, l))
}

_tls_007 contains h if {
	some s in livedocs.live_only_servers
	v := livedocs.varz_of(s)
	some l in exposure.live_listeners(s)
	l.kind == "websocket"
	livedocs.varz_flag(v.websocket, "no_tls")
	h := object.union({"obj": s, "path": "live/varz/websocket/no_tls"}, _ws_sev(s, l))
}

_ws_sev(s, l) := {"msg": sprintf("%s serves WebSocket clients on port %v without TLS (no_tls)", [lib.server_label(s), l.port])} if {
	exposure.reachable(s, l)
} else := {"sev": "medium", "msg": sprintf("%s serves WebSocket clients on port %v without TLS (no_tls); the port is only reachable locally, so TLS must be terminated in front of it", [lib.server_label(s), l.port])}

# METADATA
# title: MQTT listener without TLS
# description: >-
#   MQTT clients send their user names and passwords in the CONNECT packet;
#   without TLS they cross the network in clear (see also CVE-2026-33216).
#   Medium when the listener is not reachable from other machines.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/mqtt/mqtt_config
#   - ref: https://advisories.nats.io/CVE/secnote-2026-05.txt
# custom:
#   id: NATS-TLS-008
#   severity: high
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Give the MQTT listener a certificate:
#
#         mqtt {
#           port: 8883
#           tls { cert_file: "/etc/nats/certs/mqtt.crt", key_file: "/etc/nats/certs/mqtt.key" }
#         }
deny contains f if {
	some h in _tls_008
	f := lib.finding_of(rego.metadata.rule(), h)
}

_tls_008 contains h if {
	some s in lib.configured_servers
	l := exposure.config_listener(s, "mqtt")
	not tlsconf.has_tls(s.config.mqtt)
	h := object.union({"obj": s, "path": "config/mqtt/port"}, _mqtt_sev(s, l))
}

# varz has no mqtt.tls_required; from 2.14 on it reports the certificate's
# expiry (tls_cert_not_after) for a TLS listener, so its absence means no TLS.
# Older servers cannot tell: no finding.
_tls_008 contains h if {
	some s in livedocs.live_only_servers
	v := livedocs.varz_of(s)
	semver.compare(versions.server_semver(s), "2.14.0") >= 0
	some l in exposure.live_listeners(s)
	l.kind == "mqtt"
	not v.mqtt.tls_cert_not_after
	h := object.union({"obj": s, "path": "live/varz/mqtt/port"}, _mqtt_sev(s, l))
}

_mqtt_sev(s, l) := {"msg": sprintf("%s accepts MQTT clients on port %v without TLS", [lib.server_label(s), l.port])} if {
	exposure.reachable(s, l)
} else := {"sev": "medium", "msg": sprintf("%s accepts MQTT clients on port %v without TLS; the port is only reachable locally", [lib.server_label(s), l.port])}

# METADATA
# title: TLS certificate verification disabled on an outgoing link
# description: >-
#   insecure: true makes the server accept any certificate from the peer it
#   connects to (route, gateway, leafnode remote, account resolver), so anyone
#   who can intercept the connection can impersonate that peer.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
# custom:
#   id: NATS-TLS-009
#   severity: critical
#   category: security
#   facets: [config]
#   remediation: |-
#     Remove `insecure: true` and give the block the CA that signed the peer's
#     certificate: `tls { ca_file: "/etc/nats/certs/ca.crt" }`.
deny contains f if {
	some s in lib.configured_servers
	some [path, t] in tlsconf.tls_blocks(s)
	t.insecure == true
	_outgoing_tls(path)
	f := lib.finding(rego.metadata.rule(), s, sprintf("%s/insecure", [path]), sprintf("%s: %s has insecure: true, so the peer's certificate is not verified", [lib.server_label(s), path]))
}

# The client, WebSocket and MQTT tls blocks are server-side only, where
# `insecure` has no effect.
_outgoing_tls(path) if not path in {"config/tls", "config/websocket/tls", "config/mqtt/tls"}

# METADATA
# title: Weak or insecure TLS cipher suites
# description: >-
#   cipher_suites lists suites without forward secrecy (TLS_RSA_WITH_*) or
#   with broken primitives (RC4, 3DES, CBC), or allow_insecure_cipher_suites
#   re-enables them; a passive or active attacker may then decrypt traffic.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
# custom:
#   id: NATS-TLS-010
#   severity: medium
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Remove `cipher_suites` (the Go defaults are ECDHE with AEAD ciphers) and
#     `allow_insecure_cipher_suites`, or list only suites such as
#     `TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384` and
#     `TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305`.
deny contains f if {
	some h in _tls_010
	f := lib.finding_of(rego.metadata.rule(), h)
}

_tls_010 contains h if {
	some s in lib.configured_servers
	some [path, t] in tlsconf.tls_blocks(s)
	weak := [c | some c in t.cipher_suites; _weak_cipher(c)]
	count(weak) > 0
	h := {"obj": s, "path": sprintf("%s/cipher_suites", [path]), "msg": sprintf("%s: %s allows weak cipher suites: %s", [lib.server_label(s), path, concat(", ", weak)])}
}

_tls_010 contains h if {
	some s in lib.configured_servers
	some [path, t] in tlsconf.tls_blocks(s)
	t.allow_insecure_cipher_suites == true
	h := {"obj": s, "path": sprintf("%s/allow_insecure_cipher_suites", [path]), "msg": sprintf("%s: %s sets allow_insecure_cipher_suites", [lib.server_label(s), path])}
}

_tls_010 contains h if {
	some s in livedocs.live_only_servers
	weak := {c.tls_cipher_suite | some c in s.live.connz.connections; is_string(c.tls_cipher_suite); _weak_cipher(c.tls_cipher_suite)}
	count(weak) > 0
	h := {"obj": s, "path": "live/connz/connections", "msg": sprintf("%s: connections in /connz use weak cipher suites: %s", [lib.server_label(s), concat(", ", sort(weak))])}
}

_weak_cipher(c) if {
	is_string(c)
	some p in lib.params.tls.weak_cipher_patterns
	regex.match(p, upper(c))
}

# METADATA
# title: TLS 1.2 still allowed on the client listener
# description: >-
#   The server accepts TLS 1.2 (its default minimum). TLS 1.2 is safe with
#   the default cipher suites, but TLS 1.3 removes legacy negotiation and
#   always has forward secrecy; require it once every client supports it.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
# custom:
#   id: NATS-TLS-011
#   severity: low
#   category: security
#   facets: [config, live]
#   remediation: |-
#     Require TLS 1.3 once every client supports it:
#
#         tls {
#           ...
#           min_version: "1.3"
#         }
deny contains f if {
	some h in _tls_011
	f := lib.finding_of(rego.metadata.rule(), h)
}

_tls_011 contains h if {
	some s in lib.configured_servers
	tlsconf.has_tls(s.config)
	not _min_tls13(s.config.tls)
	h := {"obj": s, "path": "config/tls/min_version", "msg": sprintf("%s accepts TLS 1.2 clients (min_version is not 1.3)", [lib.server_label(s)])}
}

_tls_011 contains h if {
	some s in livedocs.live_only_servers
	n := count([c | some c in s.live.connz.connections; c.tls_version == "1.2"])
	n > 0
	h := {"obj": s, "path": "live/connz/connections", "msg": sprintf("%s: %d connection(s) in /connz use TLS 1.2", [lib.server_label(s), n])}
}

_min_tls13(t) if sprintf("%v", [t.min_version]) in {"1.3", "TLS1.3", "tls1.3", "TLS13"}

# METADATA
# title: TLS-first handshake not used
# description: >-
#   Without handshake_first the server sends its INFO banner (version, server
#   id, feature flags) in plaintext before the TLS upgrade, which helps
#   fingerprinting and needs an extra round trip.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
# custom:
#   id: NATS-TLS-012
#   severity: info
#   category: security
#   facets: [config]
#   remediation: |-
#     Once every client supports TLS-first (nats.go 1.31+ and other recent
#     clients), set `handshake_first` in the tls block:
#
#         tls { ...; handshake_first: true }     # or "auto" during the migration
deny contains f if {
	some s in lib.configured_servers
	tlsconf.has_tls(s.config)
	not _handshake_first(s.config.tls)
	f := lib.finding(rego.metadata.rule(), s, "config/tls/handshake_first", sprintf("%s sends its INFO banner in plaintext before the TLS handshake (handshake_first not set)", [lib.server_label(s)]))
}

_handshake_first(t) if t.handshake_first == true

_handshake_first(t) if {
	is_string(t.handshake_first)
	t.handshake_first != ""
	not lower(t.handshake_first) in {"false", "off", "no"}
}

# METADATA
# title: Monitoring served over HTTP, not HTTPS
# description: >-
#   The monitoring port answers over plain HTTP on an address other machines
#   can reach, so /connz (user names, client IPs), /accountz and /jsz
#   responses cross the network in clear. HTTP on loopback (or published by
#   compose on 127.0.0.1 only) is not reported.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/monitoring
# custom:
#   id: NATS-TLS-013
#   severity: medium
#   category: security
#   facets: [config, deployment, live]
#   remediation: |-
#     Serve monitoring over HTTPS (it reuses the top-level tls block), or keep
#     HTTP on loopback for a local scraper:
#
#         https: "0.0.0.0:8222"     # with tls { ... }
#         # or
#         http: "127.0.0.1:8222"
deny contains f if {
	some s in input.servers
	some l in exposure.listeners(s)
	l.kind == "monitoring"
	exposure.reachable(s, l)
	f := lib.finding(rego.metadata.rule(), s, l.path, sprintf("%s serves monitoring over plain HTTP on port %v (%s)", [lib.server_label(s), l.port, _reach_note(s, l)]))
}

_reach_note(s, l) := sprintf("published by %s", [exposure.published_by(s, i)]) if {
	i := exposure.listener_published_beyond_loopback(s, l)
} else := exposure.exposure_note(s, l)

# METADATA
# title: Certificate expired or about to expire
# description: >-
#   A server certificate (or the CA it chains to) expires soon; when it does,
#   clients and peers refuse the TLS handshake and the server is unreachable.
#   Critical once expired, high under 14 days, medium under 30 days
#   (thresholds in params.tls).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
# custom:
#   id: NATS-TLS-014
#   severity: medium
#   category: security
#   fix_kind: certificate
#   facets: [certs, live]
#   remediation: |-
#     Renew the certificate and reload the server (`nats-server --signal reload`);
#     automate renewal (cert-manager, ACME) and alert on
#     `tls_cert_not_after` (reported in /varz from nats-server 2.14).
deny contains f if {
	some h in _tls_014
	f := lib.with_deadline(lib.finding_of(rego.metadata.rule(), h), h.date, "certificate_expiry", sprintf("%s expires", [h.what]))
}

_tls_014 contains h if {
	some s in input.servers
	some c in s.certs
	is_number(c.not_after_ns)
	c.not_after_ns > 0
	not startswith(object.get(c, "path", ""), "live/")
	h := object.union(
		{"obj": s, "path": _cert_path(c)},
		_expiry(c.not_after_ns, sprintf("%s certificate %s (%s)", [_cert_kind(c), c.file, c.subject])),
	)
}

# Live: the dates the running server reports (nats-server 2.14+), unless the
# repository's certificate for the same listener is already judged.
_tls_014 contains h if {
	some s in livedocs.varz_servers
	v := livedocs.varz_of(s)
	some vk, cfg in _live_cert_fields
	na := _varz_cert_date(v, vk)
	not _cert_known(s, cfg)
	ns := time.parse_rfc3339_ns(na)
	h := object.union(
		{"obj": s, "path": _live_cert_path(vk)},
		_expiry(ns, sprintf("the %s certificate the running server uses", [_live_cert_label(vk)])),
	)
}

_live_cert_fields := {
	"": "config/tls/cert_file",
	"cluster": "config/cluster/tls/cert_file",
	"gateway": "config/gateway/tls/cert_file",
	"leaf": "config/leafnodes/tls/cert_file",
	"websocket": "config/websocket/tls/cert_file",
	"mqtt": "config/mqtt/tls/cert_file",
}

_varz_cert_date(v, "") := v.tls_cert_not_after

_varz_cert_date(v, vk) := v[vk].tls_cert_not_after if vk != ""

_live_cert_path("") := "live/varz/tls_cert_not_after"

_live_cert_path(vk) := sprintf("live/varz/%s/tls_cert_not_after", [vk]) if vk != ""

_live_cert_label("") := "client"

_live_cert_label(vk) := vk if vk != ""

_cert_known(s, path) if {
	some c in s.certs
	c.path == path
}

_cert_path(c) := c.path if {
	is_string(c.path)
	c.path != ""
} else := "config"

_cert_kind(c) := "CA" if {
	c.is_ca == true
} else := "server"

_expiry(not_after_ns, what) := object.union({"date": _date(not_after_ns), "what": what}, _expiry_case(not_after_ns, what))

_expiry_case(not_after_ns, what) := {"sev": "critical", "msg": sprintf("%s expired on %s", [what, _date(not_after_ns)])} if {
	not_after_ns <= input.scan.now_ns
} else := {"sev": "high", "msg": sprintf("%s expires on %s (in %d days)", [what, _date(not_after_ns), _days_left(not_after_ns)])} if {
	_days_left_exact(not_after_ns) < lib.params.tls.cert_expiry_high_days
} else := {"sev": "medium", "msg": sprintf("%s expires on %s (in %d days)", [what, _date(not_after_ns), _days_left(not_after_ns)])} if {
	_days_left_exact(not_after_ns) < lib.params.tls.cert_expiry_medium_days
}

_day_ns := 86400000000000

_days_left_exact(ns) := (ns - input.scan.now_ns) / _day_ns

_days_left(ns) := floor(_days_left_exact(ns))

_date(ns) := lib.date_of(ns)

# METADATA
# title: Account resolver fetched over plain HTTP
# description: >-
#   In operator mode the URL resolver downloads account JWTs over plain HTTP;
#   an attacker on the path can serve forged or stale account JWTs (revoked
#   users, different permissions).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/jwt/resolver
# custom:
#   id: NATS-TLS-015
#   severity: medium
#   category: security
#   facets: [config]
#   remediation: |-
#     Use an https:// URL with `resolver_tls { ca_file: "/etc/nats/ca.crt" }`, or the built-in
#     full resolver: `resolver { type: full, dir: "/data/jwt" }`.
deny contains f if {
	some s in lib.configured_servers
	r := s.config.resolver
	is_string(r)
	m := regex.find_all_string_submatch_n(`(?i)^\s*url\s*\(\s*["']?http://(?:[^@/]*@)?([^/)"'\s]+)`, r, 1)[0]

	# Only the host: the URL may carry credentials.
	f := lib.finding(rego.metadata.rule(), s, "config/resolver", sprintf("%s fetches account JWTs over plain HTTP from %s", [lib.server_label(s), m[1]]))
}

# METADATA
# title: Private key, nkey seed or .creds file committed to the repository
# description: >-
#   A TLS private key, an nkey seed or a .creds file (a user JWT with its
#   seed) is stored in the scanned repository; everyone with read access to
#   it, its forks and its history can impersonate the server or user. Medium
#   for an encrypted PEM key, low under test/fixture directories.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
#   - ref: https://docs.nats.io/using-nats/developer/connecting/creds
# custom:
#   id: NATS-TLS-016
#   severity: high
#   category: security
#   facets: [files]
#   remediation: |-
#     Remove the file from the repository and its history, rotate the key or
#     seed, and mount it at deploy time (Docker/Kubernetes secret, vault), e.g.
#
#         services:
#           nats:
#             secrets: [nats_server_key]   # key_file: /run/secrets/nats_server_key
deny contains f if {
	some file in input.files
	file.kind in {"private_key", "creds", "nkey_seed"}
	h := object.union({"obj": file, "path": ""}, _key_file_sev(file))
	f := lib.finding_of(rego.metadata.rule(), h)
}

_key_kind("private_key") := "private key"

_key_kind("creds") := ".creds file (user JWT and nkey seed)"

_key_kind("nkey_seed") := "nkey seed"

# The key type of seeds and .creds files is always "nkey": the kind says it.
_key_desc(file) := sprintf("%s (%s)", [_key_kind(file.kind), file.key_type]) if {
	is_string(file.key_type)
	not file.key_type in {"", "nkey"}
} else := _key_kind(file.kind)

_key_file_sev(file) := {"sev": "low", "msg": sprintf("%s committed in the repository at %s (under a test directory)", [_key_desc(file), file.path])} if {
	regex.match(lib.params.tls.test_key_path_pattern, file.path)
} else := {"sev": "medium", "msg": sprintf("encrypted %s committed in the repository at %s", [_key_desc(file), file.path])} if {
	file.encrypted == true
} else := {"msg": sprintf("%s committed in the repository at %s", [_key_desc(file), file.path])}

# _tls002_fix(s): NATS-TLS-002's fix checked against the rest of the
# deployment. With verify: true, requiring TLS also requires a client
# certificate: a client that connects with nats:// and no certificate today
# is cut off by the fix unless it gets one first.
_tls002_fix(s) := sprintf("Prerequisite: `verify: true` is set, so once TLS is required every client must also present a certificate signed by the CA in ca_file. First give each client that connects in plaintext a client certificate and the CA, and switch it to a tls:// URL%s; check that /connz shows no connection with an empty `tls_version`. Only then remove `allow_non_tls: true`: a client without a certificate is cut off by that change.", [_tls002_clients]) if {
	_tls002_verify(s.config.tls)
} else := sprintf("Prerequisite: every client must trust the CA that signed the server certificate and use a tls:// URL (or the TLS options of its library)%s. Check that /connz shows no connection with an empty `tls_version`, then remove `allow_non_tls: true`: a client still in plaintext is cut off by that change.", [_tls002_clients])

_tls002_verify(t) if t.verify == true

_tls002_verify(t) if t.verify_and_map == true

# The NATS URLs the repository gives clients (.env files, compose
# environment): the clients to migrate first.
_tls002_clients := sprintf(" (clients take their server URL from %s)", [lib.short_list(names, 5)]) if {
	names := {sprintf("%s in %s", [n, e.file]) |
		some e in input.env_files
		some n, v in e.vars
		_tls002_url_var(n, v)
	} | {sprintf("%s in %s", [c.key, c.file]) |
		some c in input.credentials
		c.facts.nats_url == true
	}
	count(names) > 0
} else := ""

_tls002_url_var(_, v) if v.facts.nats_url == true

_tls002_url_var(n, _) if regex.match(`(?i)^[A-Z0-9_]*NATS[A-Z0-9_]*_(URL|URLS|SERVER|SERVERS)$`, n)

# _listener_cert(c): a certificate a listener presents to the clients or
# peers that connect to it (not a CA, not an outgoing remote's client
# certificate, not a date read from /varz).
_listener_cert(c) if {
	c.is_ca != true
	regex.match(`^config/((cluster|gateway|leafnodes|websocket|mqtt)/)?tls/cert_file$`, object.get(c, "path", ""))
}

# METADATA
# title: Server certificate without subjectAltName
# description: >-
#   The certificate a listener presents names its host only in the subject's
#   Common Name, with no DNS or IP subjectAltName. Go clients (the nats CLI,
#   nats.go, NACK, nats-server itself on routes, gateways and leafnodes)
#   ignore the Common Name since Go 1.15 and refuse the handshake ("x509:
#   certificate relies on legacy Common Name field"), as do current
#   browsers for WebSocket.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
#   - ref: https://go.dev/doc/go1.15#commonname
# custom:
#   id: NATS-TLS-017
#   severity: high
#   category: reliability
#   fix_kind: certificate
#   facets: [certs]
#   remediation: |-
#     Reissue the certificate with the names clients use in subjectAltName,
#     e.g. with openssl:
#
#         openssl req -new -key server.key -subj "/CN=nats" \
#           -addext "subjectAltName=DNS:nats,DNS:nats.example.com,IP:10.0.0.5" -out server.csr
#
#     and check it with `openssl x509 -in server.crt -noout -ext subjectAltName`.
deny contains f if {
	some s in input.servers
	some c in s.certs
	_listener_cert(c)
	count(object.get(c, "dns_names", [])) == 0
	count(object.get(c, "ip_addresses", [])) == 0
	f := lib.finding(rego.metadata.rule(), s, _cert_path(c), sprintf("%s: certificate %s (%s) has no subjectAltName, only a Common Name: Go clients (nats CLI, nats.go, other nats-servers) refuse it", [lib.server_label(s), c.file, c.subject]))
}

# METADATA
# title: Certificate lifetime shorter than the audit interval
# description: >-
#   The certificate is valid for less than the interval between quarterly
#   audits (91 days, params.tls.audit_interval_days): each certificate
#   issued this way can expire and lapse between two audits without any
#   audit seeing it. Short lifetimes are good practice only when renewal is
#   automated and expiry is monitored; otherwise the listener goes down
#   when the certificate lapses.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
#   - ref: https://cert-manager.io/docs/usage/certificate/
# custom:
#   id: NATS-TLS-018
#   severity: low
#   category: operations
#   fix_kind: certificate
#   facets: [certs]
#   remediation: |-
#     Automate renewal (cert-manager, an ACME client) and reload the server
#     after each renewal (`nats-server --signal reload`), and alert on expiry
#     (`openssl x509 -in server.crt -noout -enddate`, or
#     `tls_cert_not_after` in /varz from nats-server 2.14); or issue
#     certificates valid for longer than the audit interval.
deny contains f if {
	some s in input.servers
	some c in s.certs
	not startswith(object.get(c, "path", ""), "live/")
	nb := time.parse_rfc3339_ns(c.not_before)
	na := lib.num(c.not_after_ns)
	days := (na - nb) / _day_ns
	days < lib.params.tls.audit_interval_days
	f := lib.finding(rego.metadata.rule(), s, _cert_path(c), sprintf("%s: %s certificate %s (%s) is valid for %s (%s to %s), less than the %d days between quarterly audits: a certificate issued this way lapses between two audits unless its renewal is automated and monitored", [
		lib.server_label(s), _cert_kind(c), c.file, c.subject, _lifetime(days), _date(nb), _date(na), lib.params.tls.audit_interval_days,
	]))
}

_lifetime(days) := sprintf("%d days", [floor(days)]) if {
	days >= 2
} else := sprintf("%d hours", [floor(days * 24)])
