# Tests of the live-document helpers' Rego paths (no rule package needed).
package natsaudit.lib.livedocs_test

import data.natsaudit.lib.livedocs

# With a /varz, its jetstream.config decides: a /jsz that looks enabled
# does not override a varz without JetStream config.
test_js_enabled_varz_decides_over_jsz if {
	s := {"live": {"varz": {"jetstream": {}}, "jsz": {"config": {}}}}
	not livedocs.live_js_enabled(s)
}

test_js_enabled_from_varz_config if {
	livedocs.live_js_enabled({"live": {"varz": {"jetstream": {"config": {}}}}})
}

# Without /varz a /jsz needs its config object and no disabled flag.
test_js_enabled_from_jsz_config if {
	livedocs.live_js_enabled({"live": {"jsz": {"config": {}}}})
}

test_js_enabled_jsz_without_config if {
	not livedocs.live_js_enabled({"live": {"jsz": {}}})
	not livedocs.live_js_enabled({"live": {"jsz": {"config": "x"}}})
}

test_js_enabled_jsz_disabled if {
	not livedocs.live_js_enabled({"live": {"jsz": {"config": {}, "disabled": true}}})
}
