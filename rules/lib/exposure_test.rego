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
