package natsaudit.rules.tls_test

import data.natsaudit.rules.tls

server(cfg) := {"ref": "servers/0", "name": "n1", "config": cfg}

ids(input_doc) := {f.rule_id | some f in tls.deny with input as input_doc}

# NATS-TLS-001
test_tls_001_fires_without_tls_block if {
	"NATS-TLS-001" in ids({"servers": [server({"port": 4222})]})
}

test_tls_001_quiet_with_tls_block if {
	not "NATS-TLS-001" in ids({"servers": [server({"port": 4222, "tls": {"cert_file": "a", "key_file": "b"}})]})
}

test_tls_001_quiet_without_config if {
	not "NATS-TLS-001" in ids({"servers": [{"ref": "servers/0", "name": "n1", "config": null}]})
}

# NATS-TLS-002
test_tls_002_fires_with_allow_non_tls if {
	"NATS-TLS-002" in ids({"servers": [server({"tls": {"cert_file": "a"}, "allow_non_tls": true})]})
}

test_tls_002_quiet_when_tls_required if {
	not "NATS-TLS-002" in ids({"servers": [server({"tls": {"cert_file": "a"}, "allow_non_tls": false})]})
}
