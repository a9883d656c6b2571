package natsaudit.rules.hygiene_test

import data.natsaudit.rules.hygiene
import data.natsaudit.test.helpers
import data.natsaudit.test.security

findings(doc) := fs if {
	fs := hygiene.deny with input as object.union({"scan": {"now_ns": 0, "sources": ["config"]}, "servers": [], "streams": [], "consumers": [], "errors": [], "files": []}, doc)
}

by_id(doc, id) := helpers.hits(findings(doc), id)

srv(i, cfg) := object.union(security.server(cfg), {"ref": sprintf("servers/%d", [i]), "name": sprintf("nats-%d", [i])})

js(extra) := object.union({"jetstream": {"enabled": true, "store_dir": "/data"}}, extra)

versioned(s, v) := object.union(s, {"version": {"value": v, "semver": v, "series": substring(v, 0, 4), "source": "image_tag"}})

stream(name, cfg) := {"ref": "streams/0", "name": name, "account": "", "source": "file", "config": object.union({"name": name, "storage": "file", "num_replicas": 1}, cfg)}

cluster3(extra) := [srv(i, js(object.union({"server_name": sprintf("n%d", [i]), "cluster": {"name": "c1", "port": 6222, "routes": ["nats://n0:6222", "nats://n1:6222", "nats://n2:6222"]}}, extra))) | some i in [0, 1, 2]]

# --- NATS-JS-008 ----------------------------------------------------------

test_js_008_fires_strict_false if {
	[f] := by_id({"servers": [srv(0, js({"jetstream": {"enabled": true, "strict": false}}))]}, "NATS-JS-008")
	f.path == "config/jetstream/strict"
}

test_js_008_fires_live_strict_false if {
	s := {"ref": "servers/0", "name": "n1", "config": null, "live": {"varz": {"jetstream": {"config": {"strict": false}}}}}
	[f] := by_id({"servers": [s]}, "NATS-JS-008")
	f.path == "live/varz/jetstream/config/strict"
}

test_js_008_quiet_default if {
	count(by_id({"servers": [srv(0, js({}))]}, "NATS-JS-008")) == 0
}

# --- NATS-JS-009 ----------------------------------------------------------

test_js_009_fires_buffered_option_on_2_10 if {
	s := versioned(srv(0, js({"jetstream": {"enabled": true, "max_buffered_msgs": 10000}})), "2.10.24")
	[f] := by_id({"servers": [s]}, "NATS-JS-009")
	f.path == "config/jetstream/max_buffered_msgs"
}

test_js_009_quiet_on_2_12 if {
	s := versioned(srv(0, js({"jetstream": {"enabled": true, "max_buffered_msgs": 10000}})), "2.12.15")
	count(by_id({"servers": [s]}, "NATS-JS-009")) == 0
}

test_js_009_quiet_unknown_version if {
	count(by_id({"servers": [srv(0, js({"jetstream": {"enabled": true, "max_buffered_msgs": 10000}}))]}, "NATS-JS-009")) == 0
}

# --- NATS-JS-010 ----------------------------------------------------------

test_js_010_fires_sync_always_in_cluster if {
	fs := by_id({"servers": cluster3({"jetstream": {"enabled": true, "sync_interval": "always"}})}, "NATS-JS-010")
	count(fs) == 3
}

test_js_010_quiet_sync_always_standalone if {
	count(by_id({"servers": [srv(0, js({"jetstream": {"enabled": true, "sync_interval": "always"}}))]}, "NATS-JS-010")) == 0
}

# --- NATS-JS-011 ----------------------------------------------------------

test_js_011_fires_memory_stream_without_memory_store if {
	s := srv(0, js({"jetstream": {"enabled": true, "max_memory_store": 0}}))
	[f] := by_id({"servers": [s], "streams": [stream("CACHE", {"storage": "memory"})]}, "NATS-JS-011")
	f.path == "config/storage"
}

test_js_011_quiet_with_memory_store if {
	s := srv(0, js({"jetstream": {"enabled": true, "max_memory_store": 268435456}}))
	count(by_id({"servers": [s], "streams": [stream("CACHE", {"storage": "memory"})]}, "NATS-JS-011")) == 0
}

test_js_011_quiet_default_memory_store if {
	count(by_id({"servers": [srv(0, js({}))], "streams": [stream("CACHE", {"storage": "memory"})]}, "NATS-JS-011")) == 0
}

# --- NATS-CLU-006 ---------------------------------------------------------

test_clu_006_fires_duplicate_names_in_cluster if {
	servers := [srv(i, js({"server_name": "nats", "cluster": {"name": "c1", "port": 6222}})) | some i in [0, 1, 2]]
	fs := by_id({"servers": servers}, "NATS-CLU-006")
	count(fs) == 2
}

test_clu_006_quiet_unique_names if {
	count(by_id({"servers": cluster3({})}, "NATS-CLU-006")) == 0
}

dep(i, project, profiles) := {"kind": "compose", "file": "docker-compose.yml", "service": sprintf("s%d", [i]), "project": project, "profiles": profiles}

named(i, name, extra) := object.union(srv(i, {"server_name": name}), extra)

test_clu_006_fires_same_compose_project if {
	servers := [named(i, "nats", {"deployment": dep(i, "docker-compose.yml", [])}) | some i in [0, 1]]
	[f] := by_id({"servers": servers}, "NATS-CLU-006")
	contains(f.msg, "with 1 other server(s)")
}

# Shaped like absmach/magistrala@2c4880485d7b86a0a891f1fac6ecc76ab71406ac
# docker/brokers (broker and nats extend one service with server_name
# nats_internal_broker, each behind its own profiles), but with disjoint
# profiles: the two alternatives never run together. (In magistrala both
# list nats_rabbitmq, so they do, and the finding there is right: see the
# overlapping case below.)
test_clu_006_quiet_disjoint_profiles if {
	servers := [
		named(0, "nats_internal_broker", {"deployment": dep(0, "brokers/docker-compose.yml", ["vernemq_nats", "vernemq_rabbitmq"])}),
		named(1, "nats_internal_broker", {"deployment": dep(1, "brokers/docker-compose.yml", ["nats_nats", "nats_rabbitmq"])}),
	]
	count(by_id({"servers": servers}, "NATS-CLU-006")) == 0
}

test_clu_006_fires_overlapping_or_unset_profiles if {
	a := [
		named(0, "nats_internal_broker", {"deployment": dep(0, "p", ["vernemq_nats", "vernemq_rabbitmq", "nats_rabbitmq"])}),
		named(1, "nats_internal_broker", {"deployment": dep(1, "p", ["nats_nats", "nats_rabbitmq"])}),
	]
	count(by_id({"servers": a}, "NATS-CLU-006")) == 1
	b := [named(0, "nats", {"deployment": dep(0, "p", ["dev"])}), named(1, "nats", {"deployment": dep(1, "p", [])})]
	count(by_id({"servers": b}, "NATS-CLU-006")) == 1
}

# fuscoyu/nats-samples@34b3b8c9a9852f948f8a5008f10fe64e7e9124aa nats-cluster:
# allinone-with-gateway/cluster1 and allinone-with-leafnode/cluster1 are
# separate sample projects, each with a cluster C1 whose first server is
# c1-js1; they were reported as duplicates of each other.
test_clu_006_quiet_unrelated_projects_and_clusters if {
	c := {"server_name": "c1-js1", "cluster": {"name": "C1", "port": 6222}}
	servers := [
		object.union(srv(0, js(c)), {"cluster_group": "C1@servers/0", "deployment": dep(0, "allinone-with-gateway/cluster1/allinone.yml", [])}),
		object.union(srv(1, js(c)), {"cluster_group": "C1@servers/1", "deployment": dep(1, "allinone-with-leafnode/cluster1/allinone.yml", [])}),
	]
	count(by_id({"servers": servers}, "NATS-CLU-006")) == 0
}

test_clu_006_fires_one_cluster_group_across_projects if {
	c := {"server_name": "n1", "cluster": {"name": "C1", "port": 6222}}
	servers := [
		object.union(srv(0, js(c)), {"cluster_group": "C1@servers/0", "deployment": dep(0, "a.yml", [])}),
		object.union(srv(1, js(c)), {"cluster_group": "C1@servers/0", "deployment": dep(1, "b.yml", [])}),
	]
	count(by_id({"servers": servers}, "NATS-CLU-006")) == 1
}

test_clu_006_quiet_test_variant_config if {
	# nats.conf and nats-test.conf of one server: neither runs in compose
	# nor clusters.
	count(by_id({"servers": [srv(0, {"server_name": "sahool-nats"}), srv(1, {"server_name": "sahool-nats"})]}, "NATS-CLU-006")) == 0
}

# --- NATS-CLU-007 ---------------------------------------------------------

test_clu_007_fires_names_differ if {
	[f] := by_id({"servers": [srv(0, {"cluster": {"name": "east", "port": 6222}, "gateway": {"name": "us-east", "port": 7222}})]}, "NATS-CLU-007")
	f.path == "config/gateway/name"
}

test_clu_007_quiet_same_name if {
	count(by_id({"servers": [srv(0, {"cluster": {"name": "east", "port": 6222}, "gateway": {"name": "east", "port": 7222}})]}, "NATS-CLU-007")) == 0
}

# --- NATS-NET-005 ---------------------------------------------------------

ws_users(types) := {"websocket": {"port": 8443}, "authorization": {"users": [{"user": "app", "allowed_connection_types": types}]}}

test_net_005_fires_websocket_without_connection_types if {
	[f] := by_id({"servers": [srv(0, ws_users([]))]}, "NATS-NET-005")
	f.path == "config/websocket"
}

test_net_005_quiet_with_connection_types if {
	count(by_id({"servers": [srv(0, ws_users(["WEBSOCKET"]))]}, "NATS-NET-005")) == 0
}

test_net_005_quiet_client_listener_only if {
	count(by_id({"servers": [srv(0, {"authorization": {"users": [{"user": "app"}]}})]}, "NATS-NET-005")) == 0
}

# --- NATS-LIM-009 ---------------------------------------------------------

test_lim_009_fires_1mb_control_line if {
	[f] := by_id({"servers": [srv(0, {"max_control_line": 1048576})]}, "NATS-LIM-009")
	contains(f.msg, "1 MiB")
}

test_lim_009_quiet_sahool_4096 if {
	count(by_id({"servers": [srv(0, {"max_control_line": 4096})]}, "NATS-LIM-009")) == 0
}

# --- NATS-CON-012 ---------------------------------------------------------

push(cfg) := {"ref": "consumers/0", "name": "pusher", "stream": "ORDERS", "account": "", "source": "file", "config": object.union({"ack_policy": "explicit", "deliver_subject": "deliver.pusher"}, cfg)}

test_con_012_fires_push_without_heartbeat if {
	[f] := by_id({"consumers": [push({})]}, "NATS-CON-012")
	f.path == "config/deliver_subject"
}

test_con_012_quiet_with_heartbeat if {
	count(by_id({"consumers": [push({"idle_heartbeat": 5000000000})]}, "NATS-CON-012")) == 0
}

test_con_012_quiet_pull_consumer if {
	c := object.remove(push({}), ["config"])
	count(by_id({"consumers": [object.union(c, {"config": {"ack_policy": "explicit"}})]}, "NATS-CON-012")) == 0
}

# --- NATS-STR-016 ---------------------------------------------------------

test_str_016_fires_unknown_cluster if {
	[f] := by_id({"servers": cluster3({}), "streams": [stream("ORDERS", {"placement": {"cluster": "west"}})]}, "NATS-STR-016")
	f.path == "config/placement/cluster"
}

test_str_016_fires_missing_tags if {
	servers := cluster3({"server_tags": ["az:1"]})
	[f] := by_id({"servers": servers, "streams": [stream("ORDERS", {"placement": {"tags": ["ssd"]}})]}, "NATS-STR-016")
	f.path == "config/placement/tags"
}

test_str_016_quiet_known_cluster_and_tags if {
	servers := cluster3({"server_tags": ["az:1", "ssd"]})
	count(by_id({"servers": servers, "streams": [stream("ORDERS", {"placement": {"cluster": "c1", "tags": ["ssd"]}})]}, "NATS-STR-016")) == 0
}

test_str_016_judges_linked_servers_only if {
	# Placed in c2, linked to the c2 servers: quiet although the repository
	# also runs c1.
	c1 := cluster3({})
	c2 := [object.union(s, {"ref": sprintf("servers/%d", [i + 3]), "config": object.union(s.config, {"cluster": object.union(s.config.cluster, {"name": "c2"})})}) | some i, s in cluster3({})]
	st := object.union(stream("ORDERS", {"placement": {"cluster": "c2"}}), {"linked_servers": ["servers/3", "servers/4", "servers/5"]})
	count(by_id({"servers": array.concat(c1, c2), "streams": [st]}, "NATS-STR-016")) == 0
}

test_str_016_quiet_for_an_unlinked_script_stream if {
	# nats-by-example's cli/main.sh starts its own servers from
	# here-documents: the repository's other clusters are not its.
	st := object.union(stream("ORDERS", {"placement": {"cluster": "west", "tags": ["ssd"]}}), {"source": "script"})
	count(by_id({"servers": cluster3({}), "streams": [st]}, "NATS-STR-016")) == 0
}

test_str_016_quiet_without_servers if {
	count(by_id({"streams": [stream("ORDERS", {"placement": {"cluster": "west", "tags": ["ssd"]}})]}, "NATS-STR-016")) == 0
}

# --- NATS-CLU-008 ---------------------------------------------------------

# gw_server(i, group, gw, project): a server of cluster group `group` with
# gateway name gw in compose project `project`.
gw_server(i, group, gw, project) := object.union(srv(i, {"server_name": sprintf("n%d", [i]), "cluster": {"name": gw, "port": 6222}, "gateway": {"name": gw, "port": 7222}}), {"cluster_group": group, "deployment": dep(i, project, [])})

test_clu_008_fires_two_clusters_one_name if {
	servers := [
		gw_server(0, "east", "east", "p"), gw_server(1, "east", "east", "p"),
		gw_server(2, "west", "east", "p"), gw_server(3, "west", "east", "p"),
	]
	fs := by_id({"servers": servers}, "NATS-CLU-008")
	count(fs) == 2
	{f.ref | some f in fs} == {"servers/0", "servers/2"}
	some f in fs
	f.ref == "servers/0"
	f.path == "config/gateway/name"
	f.msg == "server nats-0: its cluster and another cluster of the deployment (nats-2, nats-3) both use gateway name \"east\", so the super-cluster takes them for one"
}

test_clu_008_quiet_distinct_names if {
	servers := [gw_server(0, "east", "east", "p"), gw_server(1, "west", "west", "p")]
	count(by_id({"servers": servers}, "NATS-CLU-008")) == 0
}

test_clu_008_quiet_one_cluster if {
	servers := [gw_server(0, "east", "east", "p"), gw_server(1, "east", "east", "p")]
	count(by_id({"servers": servers}, "NATS-CLU-008")) == 0
}

test_clu_008_quiet_separate_projects if {
	# Two example deployments that reuse a name never meet.
	servers := [gw_server(0, "east", "east", "a/docker-compose.yml"), gw_server(1, "west", "east", "b/docker-compose.yml")]
	count(by_id({"servers": servers}, "NATS-CLU-008")) == 0
}

# NATS-NET-005: a list naming every type the server accepts restricts
# nothing (issue 17: allowed_connection_types never restricting).

test_net_005_fires_list_of_every_type if {
	[f] := by_id({"servers": [srv(0, ws_users(["STANDARD", "websocket"]))]}, "NATS-NET-005")
	endswith(f.msg, "no user is restricted with allowed_connection_types (the lists that are set name every connection type the server accepts, so they restrict nothing)")
}

test_net_005_quiet_list_leaving_a_type_out if {
	# MQTT is a listener of the server too: STANDARD+WEBSOCKET keeps MQTT out.
	cfg := object.union(ws_users(["STANDARD", "WEBSOCKET"]), {"mqtt": {"port": 1883}})
	count(by_id({"servers": [srv(0, cfg)]}, "NATS-NET-005")) == 0
}

test_net_005_quiet_one_restricted_user if {
	cfg := {"websocket": {"port": 8443}, "authorization": {"users": [{"user": "app"}, {"user": "browser", "allowed_connection_types": ["WEBSOCKET"]}]}}
	count(by_id({"servers": [srv(0, cfg)]}, "NATS-NET-005")) == 0
}

test_net_005_fires_without_lists_has_no_note if {
	[f] := by_id({"servers": [srv(0, ws_users([]))]}, "NATS-NET-005")
	endswith(f.msg, "no user is restricted with allowed_connection_types")
}

test_clu_008_quiet_empty_or_variable_names if {
	every gw in ["", "$GATEWAY_NAME"] {
		servers := [gw_server(0, "east", gw, "p"), gw_server(1, "west", gw, "p")]
		count(by_id({"servers": servers}, "NATS-CLU-008")) == 0
	}
}

test_clu_008_quiet_outside_compose if {
	servers := [gw_server(0, "east", "east", ""), gw_server(1, "west", "east", "")]
	count(by_id({"servers": servers}, "NATS-CLU-008")) == 0
}

test_clu_008_quiet_disjoint_profiles if {
	a := object.union(gw_server(0, "east", "east", "p"), {"deployment": {"profiles": ["a"]}})
	b := object.union(gw_server(1, "west", "east", "p"), {"deployment": {"profiles": ["b"]}})
	count(by_id({"servers": [a, b]}, "NATS-CLU-008")) == 0
}

# --- conditions, one by one (issue 20), round 2 ----------------------------

strict_live(strict) := {"varz": {"jetstream": {"config": {"strict": strict}}}}

test_js_008_config_and_live_report_once if {
	s := object.union(srv(0, js({"jetstream": {"enabled": true, "strict": false}})), {"live": strict_live(false)})
	[f] := by_id({"servers": [s]}, "NATS-JS-008")
	f.path == "config/jetstream/strict"
}

test_js_008_quiet_live_strict_true if {
	s := {"ref": "servers/0", "name": "n1", "config": null, "live": strict_live(true)}
	count(by_id({"servers": [s]}, "NATS-JS-008")) == 0
}

test_js_009_quiet_on_2_11_0 if {
	s := versioned(srv(0, js({"jetstream": {"enabled": true, "max_buffered_msgs": 10000}})), "2.11.0")
	count(by_id({"servers": [s]}, "NATS-JS-009")) == 0
}

test_js_010_quiet_cluster_with_periodic_sync if {
	count(by_id({"servers": cluster3({"jetstream": {"enabled": true, "sync_interval": "2m"}})}, "NATS-JS-010")) == 0
}

test_js_011_quiet_without_jetstream_servers if {
	count(by_id({"servers": [srv(0, {})], "streams": [stream("CACHE", {"storage": "memory"})]}, "NATS-JS-011")) == 0
}

test_js_011_quiet_live_memory_stream if {
	s := srv(0, js({"jetstream": {"enabled": true, "max_memory_store": 0}}))
	st := object.union(stream("CACHE", {"storage": "memory"}), {"source": "live"})
	count(by_id({"servers": [s], "streams": [st]}, "NATS-JS-011")) == 0
}

test_js_011_quiet_file_stream if {
	s := srv(0, js({"jetstream": {"enabled": true, "max_memory_store": 0}}))
	count(by_id({"servers": [s], "streams": [stream("ORDERS", {})]}, "NATS-JS-011")) == 0
}

test_clu_007_quiet_cluster_name_not_a_string if {
	count(by_id({"servers": [srv(0, {"cluster": {"name": 5, "port": 6222}, "gateway": {"name": "east", "port": 7222}})]}, "NATS-CLU-007")) == 0
}

test_clu_007_quiet_gateway_name_not_a_string if {
	count(by_id({"servers": [srv(0, {"cluster": {"name": "east", "port": 6222}, "gateway": {"name": 5, "port": 7222}})]}, "NATS-CLU-007")) == 0
}

test_clu_007_quiet_variable_cluster_name if {
	count(by_id({"servers": [srv(0, {"cluster": {"name": "$CLUSTER", "port": 6222}, "gateway": {"name": "east", "port": 7222}})]}, "NATS-CLU-007")) == 0
}

test_clu_007_quiet_variable_gateway_name if {
	count(by_id({"servers": [srv(0, {"cluster": {"name": "east", "port": 6222}, "gateway": {"name": "$GATEWAY", "port": 7222}})]}, "NATS-CLU-007")) == 0
}

test_net_005_quiet_websocket_without_users if {
	count(by_id({"servers": [srv(0, {"websocket": {"port": 8443}})]}, "NATS-NET-005")) == 0
}

test_lim_009_quiet_at_the_limit if {
	count(by_id({"servers": [srv(0, {"max_control_line": 65536})]}, "NATS-LIM-009")) == 0
}

test_lim_009_fires_live_only_server if {
	s := {"ref": "servers/0", "name": "n1", "config": null, "live": {"varz": {"max_control_line": 1048576}}}
	[f] := by_id({"servers": [s]}, "NATS-LIM-009")
	f.path == "live/varz/max_control_line"
}

test_lim_009_quiet_live_at_the_limit if {
	s := {"ref": "servers/0", "name": "n1", "config": null, "live": {"varz": {"max_control_line": 65536}}}
	count(by_id({"servers": [s]}, "NATS-LIM-009")) == 0
}

test_lim_009_config_and_live_report_once if {
	s := object.union(srv(0, {"max_control_line": 1048576}), {"live": {"varz": {"max_control_line": 1048576}}})
	[f] := by_id({"servers": [s]}, "NATS-LIM-009")
	f.path == "config/max_control_line"
}

test_con_012_cname_prefers_name if {
	[f] := by_id({"consumers": [push({"durable_name": "dur"})]}, "NATS-CON-012")
	contains(f.msg, "consumer pusher on")
}

test_con_012_cname_falls_back_to_durable_name if {
	c := object.union(push({"durable_name": "dur"}), {"name": ""})
	[f] := by_id({"consumers": [c]}, "NATS-CON-012")
	contains(f.msg, "consumer dur on")
}

test_str_016_quiet_live_stream if {
	st := object.union(stream("ORDERS", {"placement": {"cluster": "west", "tags": ["ssd"]}}), {"source": "live"})
	count(by_id({"servers": cluster3({"server_tags": ["az:1"]}), "streams": [st]}, "NATS-STR-016")) == 0
}

test_str_016_quiet_cluster_not_a_string if {
	count(by_id({"servers": cluster3({}), "streams": [stream("ORDERS", {"placement": {"cluster": 5}})]}, "NATS-STR-016")) == 0
}

test_str_016_quiet_empty_cluster if {
	count(by_id({"servers": cluster3({}), "streams": [stream("ORDERS", {"placement": {"cluster": ""}})]}, "NATS-STR-016")) == 0
}

test_str_016_quiet_tags_not_strings if {
	count(by_id({"servers": cluster3({"server_tags": ["az:1"]}), "streams": [stream("ORDERS", {"placement": {"tags": [5]}})]}, "NATS-STR-016")) == 0
}

test_str_016_quiet_empty_tags if {
	count(by_id({"servers": cluster3({"server_tags": ["az:1"]}), "streams": [stream("ORDERS", {"placement": {"tags": []}})]}, "NATS-STR-016")) == 0
}

test_str_016_quiet_tags_on_untagged_servers if {
	count(by_id({"servers": cluster3({}), "streams": [stream("ORDERS", {"placement": {"tags": ["ssd"]}})]}, "NATS-STR-016")) == 0
}

test_str_016_quiet_variable_cluster_names if {
	servers := cluster3({"cluster": {"name": "$CLUSTER", "port": 6222}})
	count(by_id({"servers": servers, "streams": [stream("ORDERS", {"placement": {"cluster": "west"}})]}, "NATS-STR-016")) == 0
}

test_str_016_fires_linked_servers_of_another_cluster if {
	c1 := cluster3({})
	c2 := [object.union(s, {"ref": sprintf("servers/%d", [i + 3]), "config": object.union(s.config, {"cluster": object.union(s.config.cluster, {"name": "c2"})})}) | some i, s in cluster3({})]
	st := object.union(stream("ORDERS", {"placement": {"cluster": "c1"}}), {"linked_servers": ["servers/3", "servers/4", "servers/5"]})
	[f] := by_id({"servers": array.concat(c1, c2), "streams": [st]}, "NATS-STR-016")
	contains(f.msg, "servers are in c2")
}

# Two configs of one server that name a cluster but neither listen for
# routes nor run in compose: variants, not two servers.
test_clu_006_quiet_unclustered_variants_naming_a_cluster if {
	servers := [srv(i, {"server_name": "nats", "cluster": {"name": "c1"}}) | some i in [0, 1]]
	count(by_id({"servers": servers}, "NATS-CLU-006")) == 0
}

# A variant config next to two clustered servers of the same name is not a
# third duplicate.
test_clu_006_variant_next_to_cluster_is_not_counted if {
	c := {"server_name": "nats", "cluster": {"name": "c1", "port": 6222}}
	servers := [srv(0, c), srv(1, c), srv(2, {"server_name": "nats", "cluster": {"name": "c1"}})]
	[f] := by_id({"servers": servers}, "NATS-CLU-006")
	f.ref == "servers/1"
	contains(f.msg, "with 1 other server(s)")
}

test_clu_006_quiet_variable_server_name if {
	servers := [srv(i, {"server_name": "$SERVER_NAME", "cluster": {"name": "c1", "port": 6222}}) | some i in [0, 1]]
	count(by_id({"servers": servers}, "NATS-CLU-006")) == 0
}

test_clu_006_quiet_deployments_without_project if {
	servers := [named(i, "nats", {"deployment": dep(i, "", [])}) | some i in [0, 1]]
	count(by_id({"servers": servers}, "NATS-CLU-006")) == 0
}

test_clu_006_quiet_cluster_name_not_a_string if {
	servers := [srv(i, {"server_name": "nats", "cluster": {"name": 5, "port": 6222}}) | some i in [0, 1]]
	count(by_id({"servers": servers}, "NATS-CLU-006")) == 0
}

test_clu_006_quiet_empty_cluster_name if {
	servers := [srv(i, {"server_name": "nats", "cluster": {"name": "", "port": 6222}}) | some i in [0, 1]]
	count(by_id({"servers": servers}, "NATS-CLU-006")) == 0
}
