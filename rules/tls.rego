package natsaudit.rules.tls

import data.natsaudit.lib

# METADATA
# title: Client listener without TLS
# description: >-
#   Clients connect in plaintext: credentials and messages cross the network
#   unencrypted and can be read or altered by anyone on the path.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
# custom:
#   id: NATS-TLS-001
#   severity: high
#   category: security
#   sources: [config, compose, live]
#   remediation: |-
#     Add a tls block to the server config (or terminate TLS in front of it):
#
#         tls {
#           cert_file: "/etc/nats/certs/server.crt"
#           key_file:  "/etc/nats/certs/server.key"
#         }
deny contains f if {
	some s in lib.configured_servers
	not s.config.tls
	f := lib.finding(rego.metadata.rule(), s, "config/port", sprintf("%s accepts client connections without TLS", [lib.server_label(s)]))
}

# METADATA
# title: TLS configured but optional (plaintext still accepted)
# description: >-
#   allow_non_tls lets clients skip the TLS upgrade, so a misconfigured or
#   malicious client talks in plaintext although the server has a certificate.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/tls
# custom:
#   id: NATS-TLS-002
#   severity: medium
#   category: security
#   sources: [config, live]
#   remediation: Remove `allow_non_tls` so that every client must use TLS.
deny contains f if {
	some s in lib.configured_servers
	s.config.tls
	s.config.allow_non_tls == true
	f := lib.finding(rego.metadata.rule(), s, "config/allow_non_tls", sprintf("%s has TLS but allow_non_tls lets clients connect in plaintext", [lib.server_label(s)]))
}
