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

test_live_documents_objects_only if {
	doc := {"servers": [{"name": "a", "live": {}}, {"name": "b", "live": "x"}]}
	{s.name | some s in livedocs.live_servers} == {"a"} with input as doc
	not livedocs.live_varz({"live": {"varz": "x"}})
	not livedocs.live_jsz({"live": {"jsz": "x"}})
	not livedocs.varz_of({"live": {"varz": "x"}})
	livedocs.varz_of({"live": {"varz": {}}}) == {}
}

# jsz's meta group first, varz's as fallback, objects only.
test_live_meta_sources if {
	livedocs.live_meta({"live": {"jsz": {"meta_cluster": {"cluster_size": 3}}, "varz": {"jetstream": {"meta": {"cluster_size": 5}}}}}) == {"cluster_size": 3}
	livedocs.live_meta({"live": {"jsz": {"meta_cluster": "x"}, "varz": {"jetstream": {"meta": {"cluster_size": 5}}}}}) == {"cluster_size": 5}
	not livedocs.live_meta({"live": {"varz": {"jetstream": {"meta": "x"}}}})
	livedocs.live_meta_path({"live": {"jsz": {"meta_cluster": {}}}}) == "live/jsz/meta_cluster"
	livedocs.live_meta_path({"live": {"jsz": {}}}) == "live/varz/jetstream/meta"
}

# A reported size of 0 falls back to 1 only for a standalone JetStream
# server (no meta group).
test_live_cluster_size if {
	livedocs.live_cluster_size({"live": {"jsz": {"meta_cluster": {"cluster_size": 3}}}}) == 3
	not livedocs.live_cluster_size({"live": {"jsz": {"config": {}, "meta_cluster": {"cluster_size": 0}}}})
	livedocs.live_cluster_size({"live": {"jsz": {"config": {}}}}) == 1
	not livedocs.live_cluster_size({"live": {"jsz": {"config": {}, "disabled": true}}})
}

test_live_only_and_lists if {
	doc := {"servers": [
		{"name": "a", "live": {"varz": {}}, "config": null},
		{"name": "b", "live": {"varz": {}}, "config": {}},
		{"name": "c", "live": {"varz": "x"}, "config": null},
	]}
	vs := livedocs.varz_servers with input as doc
	[s.name | some s in vs] == ["a", "b"]
	lo := livedocs.live_only_servers with input as doc
	[s.name | some s in lo] == ["a"]
}

test_live_only if {
	livedocs.live_only({"live": {"varz": {}}, "config": null})
	not livedocs.live_only({"live": {"varz": {}}, "config": {}})
	not livedocs.live_only({"live": {}, "config": null})
}

test_varz_flag_and_port if {
	livedocs.varz_flag({"auth_required": true}, "auth_required")
	not livedocs.varz_flag({}, "auth_required")
	livedocs.varz_port({"port": 7422}, "port") == 7422
	not livedocs.varz_port({"port": 0}, "port")
	not livedocs.varz_port({}, "port")
}
