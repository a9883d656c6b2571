# Helpers for the reliability, performance and operations rules (cluster,
# jetstream, streams, consumers, limits, ops). Same package as natsaudit.rego.
package natsaudit.lib

# ---------------------------------------------------------------------------
# Live documents

# has_config(s): the server has a configuration (file and/or command line).
# Use `not has_config(s)` rather than `not is_object(s.config)`: in Rego a
# function called with an undefined argument makes `not` fail as well.
has_config(s) if is_object(s.config)

# live_servers: servers that were probed.
live_servers contains s if {
	some s in input.servers
	is_object(s.live)
}

# live_varz(s) / live_jsz(s): the document, undefined when not collected.
live_varz(s) := v if {
	v := s.live.varz
	is_object(v)
}

live_jsz(s) := j if {
	j := s.live.jsz
	is_object(j)
}

# live_js_enabled(s): the live server runs JetStream (varz always has a
# jetstream object; its config is present only when JetStream is on).
live_js_enabled(s) if is_object(live_varz(s).jetstream.config)

# Without varz: jsz always carries a config object, even with
# "disabled": true, so the flag decides.
live_js_enabled(s) if {
	not live_varz(s)
	j := live_jsz(s)
	is_object(j.config)
	not j.disabled == true
}

# live_meta(s) is the JetStream meta group as the server sees it (jsz first,
# varz as fallback); undefined for a standalone JetStream server.
live_meta(s) := m if {
	m := live_jsz(s).meta_cluster
	is_object(m)
} else := m if {
	m := live_varz(s).jetstream.meta
	is_object(m)
}

# live_meta_path(s) is the path of live_meta(s) inside the server.
live_meta_path(s) := "live/jsz/meta_cluster" if {
	is_object(live_jsz(s).meta_cluster)
} else := "live/varz/jetstream/meta"

# live_cluster_size(s): the JetStream cluster size the live server reports
# (1 for a standalone JetStream server).
live_cluster_size(s) := n if {
	n := num(live_meta(s).cluster_size)
	n > 0
} else := 1 if {
	live_js_enabled(s)
	not live_meta(s)
}

# ---------------------------------------------------------------------------
# Configured JetStream and clustering

# js_servers: servers whose configuration enables JetStream.
js_servers contains s if {
	some s in configured_servers
	jetstream_enabled(s)
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
_cluster_members[_group_key(t)] contains t.ref if {
	some t in js_servers
	clustered_config(t)
}

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
	n := num(s.deployment.replicas)
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
	n := live_cluster_size(s)
} else := n if {
	s in js_servers
	n := config_cluster_size(s)
}

# linked_cluster_size(st): the largest JetStream cluster among the servers a
# definition file is linked to (its directory's), or the assumed size from
# the parameters; inventory_cluster_size when the file is linked to none.
linked_cluster_size(st) := max(sizes) if {
	count(object.get(st, "linked_servers", [])) > 0
	sizes := {n | some r in st.linked_servers; n := object.get(_size_by_ref, r, null); n != null} | {n | n := num(params.streams.assumed_cluster_size); n > 0}
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
	sizes := {n | some s in input.servers; n := cluster_size(s)} | {n | n := num(params.streams.assumed_cluster_size); n > 0}
	count(sizes) > 0
} else := 0

# ---------------------------------------------------------------------------
# Formatting for messages

# human_bytes(n): 536870912 → "512 MiB".
human_bytes(n) := sprintf("%d bytes", [n]) if {
	n < 1024
} else := _rel_scaled(n, 1024, "KiB") if {
	n < 1048576
} else := _rel_scaled(n, 1048576, "MiB") if {
	n < 1073741824
} else := _rel_scaled(n, 1073741824, "GiB") if {
	n < 1099511627776
} else := _rel_scaled(n, 1099511627776, "TiB")

_rel_scaled(n, unit, name) := sprintf("%d %s", [round(n / unit), name]) if {
	n % unit == 0
} else := sprintf("%.1f %s", [n / unit, name])

# human_duration(ns): 120000000000 → "2m".
human_duration(ns) := sprintf("%dd", [round(ns / 86400000000000)]) if {
	ns >= 86400000000000
	ns % 86400000000000 == 0
} else := sprintf("%dh", [round(ns / 3600000000000)]) if {
	ns >= 3600000000000
	ns % 3600000000000 == 0
} else := sprintf("%dm", [round(ns / 60000000000)]) if {
	ns >= 60000000000
	ns % 60000000000 == 0
} else := sprintf("%ds", [round(ns / 1000000000)]) if {
	ns % 1000000000 == 0
} else := sprintf("%.1fs", [ns / 1000000000]) if {
	ns >= 1000000000
} else := sprintf("%dms", [round(ns / 1000000)])

# percent(part, whole): 0.854 → "85%".
percent(part, whole) := sprintf("%d%%", [floor((part * 100) / whole)])

# ---------------------------------------------------------------------------
# NATS subjects

# subjects_overlap(a, b): some subject matches both filters (tokens are
# separated by ".", "*" matches one token, ">" one or more at the end).
subjects_overlap(a, b) if {
	ta := split(a, ".")
	tb := split(b, ".")
	count(ta) == count(tb)
	every i, x in ta {
		_rel_token_match(x, tb[i])
	}
}

subjects_overlap(a, b) if {
	ta := split(a, ".")
	tb := split(b, ".")
	some k in _rel_tail_wildcards(ta, tb)
	every i, x in ta {
		_rel_token_before(i, k, x, tb)
	}
}

# _tail_wildcards: indexes of a ">" in either filter with at least one token
# left in the other one.
_rel_tail_wildcards(ta, tb) := {k | some k, x in ta; x == ">"; count(tb) > k} | {k | some k, x in tb; x == ">"; count(ta) > k}

_rel_token_before(i, k, _, _) if i >= k

_rel_token_before(i, k, x, tb) if {
	i < k
	_rel_token_match(x, tb[i])
}

_rel_token_match(x, x)

_rel_token_match("*", _)

_rel_token_match(_, "*")

# super_cluster(s): the live server is joined to other clusters by gateways,
# so its JetStream meta group spans every cluster of the super-cluster.
super_cluster(s) if {
	g := live_varz(s).gateway
	is_object(g)
	object.get(g, "name", "") != ""
}

# cluster_name(s): the live server's cluster name ("" when unclustered).
cluster_name(s) := n if {
	n := live_varz(s).cluster.name
	is_string(n)
} else := ""

# same_cluster_peers(s): the other probed servers with s's cluster name: in
# a super-cluster, the servers s must have routes to.
same_cluster_peers(s) := {t.name |
	some t in live_servers
	t.name != s.name
	cluster_name(s) != ""
	cluster_name(t) == cluster_name(s)
}

# ---------------------------------------------------------------------------
# JetStream file reservations
#
# nats-server reserves the max_bytes of every bounded file stream from the
# max_file_store of each server holding a replica, and refuses a stream (or
# a max_bytes increase) that does not fit what is left: an unbounded stream
# needs one byte (server/jetstream.go checkBytesLimits, error 10047
# "insufficient storage resources available").

# file_defs[ref]: [stream ref, name, max_bytes, replicas, account] of the
# file streams defined (not live) for server ref.
file_defs[ref] contains [st.ref, st.name, object.get(st.config, "max_bytes", -1), object.get(st.config, "num_replicas", 1), object.get(st, "account", "")] if {
	some st in input.streams
	st.source != "live"
	object.get(st.config, "storage", "file") == "file"
	some ref in object.get(st, "linked_servers", [])
}

# file_reservation(s): what the file streams defined for JetStream server s
# reserve of its cluster's file store, replicas counted (a cluster of n
# servers with the same max_file_store holds n times it):
# {capacity, reserved, bounded: [[bytes, name]] largest first, unbounded:
# names, servers: n}. Undefined without a numeric max_file_store.
file_reservation(s) := r if {
	jetstream_enabled(s)
	per := num(s.config.jetstream.max_file_store)
	per > 0
	n := max({cluster_size(s), 1})
	defs := object.get(file_defs, s.ref, set())
	bounded := [[b * max({min({num(rep), n}), 1}), name] |
		some [_, name, mb, rep, _] in defs
		b := num(mb)
		b > 0
		num(rep)
	]
	r := {
		"capacity": per * n,
		"reserved": sum([x[0] | some x in bounded]),
		"bounded": array.reverse(sort(bounded)),
		"unbounded": sort([name | some [_, name, mb, _, _] in defs; not _rel_positive(mb)]),
		"servers": n,
	}
}

_rel_positive(x) if num(x) > 0

# short_list_ordered(items, n): like short_list, keeping the given order
# (largest first, for example).
short_list_ordered(items, n) := concat(", ", items) if {
	count(items) <= n
} else := sprintf("%s and %d more", [concat(", ", array.slice(items, 0, n)), count(items) - n])
