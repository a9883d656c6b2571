# Tests of the clustering helpers' Rego paths.
package natsaudit.lib.clustering_test

import data.natsaudit.lib.clustering

# A single route may be written as a string; anything else is no route.
test_routes_of_string_or_array if {
	clustering.routes_of({"config": {"cluster": {"routes": "nats://a:6222"}}}) == ["nats://a:6222"]
	clustering.routes_of({"config": {"cluster": {"routes": ["nats://a:6222", "nats://b:6222"]}}}) == ["nats://a:6222", "nats://b:6222"]
	clustering.routes_of({"config": {"cluster": {"routes": {"a": 1}}}}) == []
	clustering.routes_of({"config": {}}) == []
}

# A cluster_group that is not a non-empty string falls back to the cluster
# name, so such a server still counts with its peers of that name.
test_group_key_string_only if {
	a := {"ref": "a", "cluster_group": 5, "config": {"jetstream": {"enabled": true}, "cluster": {"name": "c", "port": 6222}}}
	b := {"ref": "b", "config": {"jetstream": {"enabled": true}, "cluster": {"name": "c", "port": 6222}}}
	clustering.cluster_group_size(a) == 2 with input as {"servers": [a, b]}
	clustering.cluster_group_size(b) == 2 with input as {"servers": [a, b]}
}

# A volume mounted at / (target "" once trimmed) is not the store's volume.
test_store_volume_ignores_root_mount if {
	s := {"config": {"jetstream": {"store_dir": "/data/js"}}, "deployment": {"volumes": [{"target": "/", "size": 100, "source": "root"}]}}
	not clustering.store_volume(s)
	s2 := {"config": {"jetstream": {"store_dir": "/data/js"}}, "deployment": {"volumes": [{"target": "/", "size": 100, "source": "root"}, {"target": "/data/", "size": 50, "source": "data"}]}}
	clustering.store_volume(s2) == {"index": 1, "size": 50, "source": "data"}
}

test_store_dir_strings_only if {
	clustering.store_dir({"config": {"jetstream": {"store_dir": 5}, "store_dir": "/d"}}) == "/d"
	not clustering.store_dir({"config": {"store_dir": 5}})
	clustering.store_dir_path({"config": {"store_dir": 5}}) == "config/jetstream"
	clustering.store_dir_path({"config": {"store_dir": "/d"}}) == "config/store_dir"
}

test_clustered_config_object_only if {
	clustering.clustered_config({"config": {"cluster": {"port": 6222}}})
	not clustering.clustered_config({"config": {"cluster": {"name": "c"}}})
	not clustering.clustered_config({"config": {"cluster": ["port"]}})
}

test_route_hosts_and_self_names if {
	s := {"name": "n1", "config": {"server_name": 5, "cluster": {"routes": ["nats://N1:6222", 7]}}, "deployment": {"service": ""}}
	clustering.route_hosts(s) == {"n1:6222"}
	clustering.self_names(s) == {"n1"}
	clustering.routes_include_self(s)
}

test_literal_server_name if {
	clustering.literal_server_name({"config": {"server_name": "a"}})
	not clustering.literal_server_name({"config": {"server_name": "$NAME"}})
	not clustering.literal_server_name({"config": {"server_name": 5}})
	not clustering.literal_server_name({"config": {"server_name": "a"}, "config_env": {"server_name": "NAME"}})
}

# Replicas of a workload decide; routes that name all members count once.
test_config_cluster_size_estimates if {
	clustering.config_cluster_size({"config": {"cluster": {"port": 6222}}, "deployment": {"replicas": 5}}) == 5
	clustering.config_cluster_size({"config": {"cluster": {"port": 6222}}, "deployment": {"replicas": 0}}) == 1
	r := ["nats://a:6222", "nats://b:6222"]
	clustering.config_cluster_size({"config": {"server_name": "x", "cluster": {"routes": r}}}) == 3
	clustering.config_cluster_size({"config": {"server_name": "$N", "cluster": {"routes": r}}}) == 2
	not clustering.clustered_config({"config": {}})
	clustering.config_cluster_size({"config": {}}) == 1
}

# Two JetStream servers of one group that route to each other only: g == h.
test_config_cluster_size_group_equals_routes if {
	a := {"ref": "a", "name": "a", "cluster_group": "g", "config": {"server_name": "a", "jetstream": {"enabled": true}, "cluster": {"name": "c", "routes": ["nats://b:6222", "nats://x:6222"]}}}
	b := {"ref": "b", "name": "b", "cluster_group": "g", "config": {"server_name": "b", "jetstream": {"enabled": true}, "cluster": {"name": "c", "routes": ["nats://a:6222", "nats://y:6222"]}}}
	clustering.config_cluster_size(a) == 2 with input as {"servers": [a, b]}
	c := {"ref": "c", "name": "c", "config": {"server_name": "c", "jetstream": {"enabled": true}, "cluster": {"name": "c", "routes": ["nats://a:6222", "nats://y:6222"]}}}
	clustering.config_cluster_size(c) == 3 with input as {"servers": [c]}
}

test_file_reservation_needs_js_and_store if {
	s := {"ref": "a", "config": {"jetstream": {"enabled": true, "max_file_store": 1000}}}
	r := clustering.file_reservation(s) with input as {"servers": [s], "streams": [
		{"ref": "s1", "name": "S1", "source": "file", "config": {"max_bytes": 100}, "linked_servers": ["a"]},
		{"ref": "s2", "name": "S2", "source": "live", "config": {"max_bytes": 300}, "linked_servers": ["a"]},
		{"ref": "s3", "name": "S3", "source": "file", "config": {"max_bytes": 0}, "linked_servers": ["a"]},
	]}
	r.capacity == 1000
	r.reserved == 100
	r.unbounded == ["S3"]
	off := {"ref": "a", "name": "a", "config": {"jetstream": {"enabled": false, "max_file_store": 1000}}, "live": {"jsz": {"config": {}}}}
	not clustering.file_reservation(off) with input as {"servers": [off]}
	zero := {"ref": "a", "config": {"jetstream": {"enabled": true, "max_file_store": 0}}}
	not clustering.file_reservation(zero) with input as {"servers": [zero]}
}

# A definition file linked to servers takes their largest cluster; linked
# to servers of unknown size it is 0; unlinked, the inventory's.
test_linked_cluster_size if {
	a := {"ref": "a", "config": {"jetstream": {"enabled": true}, "cluster": {"port": 6222}}, "deployment": {"replicas": 3}}
	b := {"ref": "b", "config": {"jetstream": {"enabled": true}}}
	doc := {"servers": [a, b]}
	clustering.linked_cluster_size({"linked_servers": ["a", "b"]}) == 3 with input as doc
	clustering.linked_cluster_size({"linked_servers": ["b"]}) == 1 with input as doc
	clustering.linked_cluster_size({"linked_servers": ["zz"]}) == 0 with input as doc
	clustering.linked_cluster_size({}) == 3 with input as doc
	clustering.inventory_cluster_size == 0 with input as {"servers": []}
}

# Only servers whose config clusters them count as members.
test_cluster_members_need_cluster_config if {
	a := {"ref": "a", "config": {"jetstream": {"enabled": true}, "cluster": {"name": "c", "port": 6222}}}
	b := {"ref": "b", "config": {"jetstream": {"enabled": true}, "cluster": {"name": "c"}}}
	clustering.cluster_group_size(a) == 1 with input as {"servers": [a, b]}
}
