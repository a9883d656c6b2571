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
