# Configured JetStream and clustering: which servers run JetStream
# together, cluster sizes, routes, store directories.
package natsaudit.lib.clustering

import data.natsaudit.lib
import data.natsaudit.lib.livedocs

# js_servers: servers whose configuration enables JetStream.
js_servers contains s if {
	some s in lib.configured_servers
	lib.jetstream_enabled(s)
}

# store_dir(s) / store_dir_path(s): JetStream's store directory, which may be
# set inside jetstream{} or at the top level.
store_dir(s) := d if {
	d := s.config.jetstream.store_dir
	is_string(d)
} else := d if {
	d := s.config.store_dir
	is_string(d)
}

store_dir_path(s) := "config/jetstream/store_dir" if {
	is_string(s.config.jetstream.store_dir)
} else := "config/store_dir" if {
	is_string(s.config.store_dir)
} else := "config/jetstream"

# clustered_config(s): the config has a cluster listener or routes.
clustered_config(s) if {
	c := s.config.cluster
	is_object(c)
	some k in ["port", "listen", "routes"]
	object.get(c, k, null) != null
}

# routes_of(s): cluster.routes as an array (a single route may be a string).
routes_of(s) := r if {
	r := s.config.cluster.routes
	is_array(r)
} else := [r] if {
	r := s.config.cluster.routes
	is_string(r)
} else := []

# route_target(u) is "host:port" of a route URL (credentials dropped).
route_target(u) := lower(sprintf("%s:%s", [m[1], m[2]])) if {
	some m in regex.find_all_string_submatch_n(`^[A-Za-z+-]+://(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::([0-9]+))?`, u, 1)
}

route_host(t) := split(t, ":")[0]

route_hosts(s) := {t | some r in routes_of(s); is_string(r); t := route_target(r)}

# self_names(s): names under which the server may appear in its own routes.
self_names(s) := {lower(n) |
	some n in [s.name, object.get(s.config, "server_name", ""), object.get(object.get(s, "deployment", {}), "service", "")]
	is_string(n)
	n != ""
}

routes_include_self(s) if {
	some t in route_hosts(s)
	route_host(t) in self_names(s)
}

# literal_server_name(s): server_name is written in the config, not taken
# from an environment variable ($SERVER_NAME in a shared template).
literal_server_name(s) if {
	n := s.config.server_name
	is_string(n)
	not startswith(n, "$")
	not s.config_env.server_name
}

# cluster_group_size(s): servers of this inventory with JetStream in s's
# cluster: the same cluster name and linked to s (cluster_group: one compose
# project, routes naming each other, configs side by side), e.g. three
# compose services running one cluster; never every server that happens to
# share the name.
cluster_group_size(s) := count(object.get(_cluster_members, _group_key(s), set())) if {
	is_string(s.config.cluster.name)
} else := 1

# _cluster_members: cluster group -> refs of the JetStream servers whose
# config joins it; built once per evaluation so that sizing every server's
# cluster stays linear in the number of servers.
_cluster_members := natsaudit.group({[_group_key(t), t.ref] |
	some t in js_servers
	clustered_config(t)
})

# _group_key(s): the server's cluster group, or its cluster name when the
# inventory gives no group (live servers).
_group_key(s) := g if {
	g := s.cluster_group
	is_string(g)
	g != ""
} else := s.config.cluster.name

# config_cluster_size(s) estimates the JetStream cluster size from the
# config: 1 without a cluster; else the route list plus this server (a list
# that names the server itself, or a shared template without a literal
# server_name, is taken to list every member), or the servers of the
# inventory sharing the cluster name, whichever is larger.
config_cluster_size(s) := 1 if {
	not clustered_config(s)
} else := n if {
	# A Kubernetes workload runs exactly its replicas, whatever the routes
	# list (routes to pods that do not exist never connect).
	n := lib.num(s.deployment.replicas)
	n > 0
} else := n if {
	g := cluster_group_size(s)
	h := count(route_hosts(s))
	n := _rel_cluster_size(g, h, _rel_routes_list_all(s))
}

_rel_routes_list_all(s) if {
	routes_include_self(s)
} else if {
	not literal_server_name(s)
} else := false

_rel_cluster_size(g, h, list_all) := g if {
	g > 1
	g == h
} else := max({g, h}) if {
	list_all == true
} else := max({g, h + 1})

# cluster_size(s): the best knowledge of s's JetStream cluster size: what the
# live server reports, else the config estimate.
cluster_size(s) := n if {
	n := livedocs.live_cluster_size(s)
} else := n if {
	s in js_servers
	n := config_cluster_size(s)
}

# linked_cluster_size(st): the largest JetStream cluster among the servers a
# definition file is linked to (its directory's), or the assumed size from
# the parameters; inventory_cluster_size when the file is linked to none.
linked_cluster_size(st) := max(sizes) if {
	count(object.get(st, "linked_servers", [])) > 0
	sizes := {n | some r in st.linked_servers; n := object.get(_size_by_ref, r, null); n != null} | {n | n := lib.num(lib.params.streams.assumed_cluster_size); n > 0}
	count(sizes) > 0
} else := 0 if {
	count(object.get(st, "linked_servers", [])) > 0
} else := inventory_cluster_size

# _size_by_ref: server ref -> cluster_size, computed once per evaluation
# (a stream looks its linked servers up instead of scanning every server).
_size_by_ref := {s.ref: n | some s in input.servers; n := cluster_size(s)}

# inventory_cluster_size: the largest JetStream cluster known from the
# inventory (servers in config/compose/live), or the assumed size from the
# parameters; 0 when nothing is known. Stream files carry no cluster, so
# stream rules judge them against this.
inventory_cluster_size := max(sizes) if {
	sizes := {n | some s in input.servers; n := cluster_size(s)} | {n | n := lib.num(lib.params.streams.assumed_cluster_size); n > 0}
	count(sizes) > 0
} else := 0

# JetStream file reservations: nats-server reserves the max_bytes of every
# bounded file stream from the max_file_store of each server holding a
# replica, and refuses a stream (or a max_bytes increase) that does not fit
# what is left: an unbounded stream needs one byte (server/jetstream.go
# checkBytesLimits, error 10047 "insufficient storage resources available").

# file_defs[ref]: [stream ref, name, max_bytes, replicas, account] of the
# file streams defined (not live) for server ref.
file_defs := natsaudit.group({[ref, [st.ref, st.name, object.get(st.config, "max_bytes", -1), object.get(st.config, "num_replicas", 1), object.get(st, "account", "")]] |
	some st in input.streams
	st.source != "live"
	object.get(st.config, "storage", "file") == "file"
	some ref in object.get(st, "linked_servers", [])
})

# file_reservation(s): what the file streams defined for JetStream server s
# reserve of its cluster's file store, replicas counted (a cluster of n
# servers with the same max_file_store holds n times it):
# {capacity, reserved, bounded: [[bytes, name]] largest first, unbounded:
# names, servers: n}. Undefined without a numeric max_file_store.
file_reservation(s) := r if {
	lib.jetstream_enabled(s)
	per := lib.num(s.config.jetstream.max_file_store)
	per > 0
	r := file_reservation_of(s, per)
}

# file_reservation_of(s, per): the same, against a store of per bytes on
# each server (the volume under store_dir when max_file_store is unset).
file_reservation_of(s, per) := r if {
	n := max({cluster_size(s), 1})
	defs := object.get(file_defs, s.ref, set())
	bounded := [[b * max({min({lib.num(rep), n}), 1}), name] |
		some [_, name, mb, rep, _] in defs
		b := lib.num(mb)
		b > 0
		lib.num(rep)
	]
	r := {
		"capacity": per * n,
		"reserved": sum([x[0] | some x in bounded]),
		"bounded": array.reverse(sort(bounded)),
		"unbounded": sort([name | some [_, name, mb, _, _] in defs; not _rel_positive(mb)]),
		"servers": n,
	}
}

_rel_positive(x) if lib.num(x) > 0

# store_volume(s): the volume mounted on JetStream's store directory (the
# deepest mount at or above it) whose size the deployment states:
# {"index": i, "size": bytes, "source": claim}. Undefined when the store
# is not on a sized volume.
store_volume(s) := v if {
	d := store_dir(s)
	is_string(d)
	cands := [[count(t), i] |
		some i, vol in object.get(s, ["deployment", "volumes"], [])
		t := trim_suffix(vol.target, "/")
		t != ""
		_dir_under(d, t)
	]
	count(cands) > 0
	best := max(cands)
	vol := s.deployment.volumes[best[1]]
	size := lib.num(object.get(vol, "size", 0))
	size > 0
	v := {"index": best[1], "size": size, "source": vol.source}
}

_dir_under(d, p) if trim_suffix(d, "/") == p

_dir_under(d, p) if startswith(d, concat("", [p, "/"]))
