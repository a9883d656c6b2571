# Tests of the listener helpers' Rego fallback (inputs without
# s.derived.listeners, which the scanner computes in Go).
package natsaudit.lib.exposure_test

import data.natsaudit.lib.exposure

# Only the known listener blocks open a listener.
test_config_listener_known_blocks_only if {
	s := {"config": {"foo": {"port": 1234}, "cluster": {"port": 6222}}}
	not exposure.config_listener(s, "foo")
	exposure.config_listener(s, "cluster").port == 6222
}

# A port is a number or an unresolved "$NAME"; any other string is not.
test_port_value_numbers_and_env if {
	exposure.port_value(4222) == 4222
	exposure.port_value("$PORT") == "$PORT"
	not exposure.port_value("4222")
	exposure.client_port({"config": {"port": "abc"}}) == 4222
}

# When the Go-computed listeners are present they decide: a kind they lack
# is not rebuilt from the config.
test_config_listener_derived_decides if {
	s := {"config": {"port": 4222}, "derived": {"listeners": {}}}
	not exposure.config_listener(s, "client")
	exposure.config_listener({"config": {"port": 4223}}, "client").port == 4223
}

# Port 0 means the listener is off (config and /varz).
test_port_zero_is_off if {
	s := {"config": {"http_port": 0, "https_port": 0, "cluster": {"port": 0}, "gateway": "x"}}
	exposure.config_listeners(s) == {{"kind": "client", "host": "0.0.0.0", "port": 4222, "path": "config/port", "block": "config"}}
	exposure.config_listeners({"config": "x"}) == set()
	count(exposure.config_listeners({"config": {"http_port": 8222, "https_port": 8443}})) == 3
	not exposure.config_listener({"config": "x"}, "client")
	ls := exposure.live_listeners({"live": {"varz": {"port": 4222, "http_port": 0, "https_port": 8443}}})
	{l.kind | some l in ls} == {"client", "monitoring_https"}
}

test_hosts_strings_only if {
	exposure.http_host({"config": {"http_host": 5, "host": "10.0.0.1"}}) == "10.0.0.1"
	exposure.http_host({"config": {"http_host": "127.0.0.1"}}) == "127.0.0.1"
	exposure.block_host({"host": 5}) == "0.0.0.0"
	exposure.block_host({"host": "10.0.0.2"}) == "10.0.0.2"
}

test_published_lookups if {
	s := {"deployment": {"file": "compose.yaml", "ports": [
		{"container_port": 4222, "host_ip": "127.0.0.1", "via": ""},
		{"container_port": 4222, "all_interfaces": true, "host_ip": "0.0.0.0", "via": "Service nats"},
	]}}
	exposure.published_all(s, 4222) == 1
	not exposure.published_all(s, 8222)
	exposure.published_beyond_loopback(s, 4222) == 1
	not exposure.published_beyond_loopback(s, 6222)
	exposure.published_by(s, 0) == "compose.yaml"
	exposure.published_by(s, 1) == "Service nats"
}

test_own_service_address_nonempty if {
	not exposure.own_service_address({"deployment": {"kind": "compose", "service": ""}}, "")
	exposure.own_service_address({"deployment": {"kind": "compose", "service": "js1"}}, "js1")
}
