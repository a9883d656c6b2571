# Live documents: /varz, /jsz and the meta group of probed servers,
# undefined offline.
package natsaudit.lib.livedocs

import data.natsaudit.lib

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
	n := lib.num(live_meta(s).cluster_size)
	n > 0
} else := 1 if {
	live_js_enabled(s)
	not live_meta(s)
}

# varz_of(s) is the server's /varz, undefined offline.
varz_of(s) := v if {
	v := s.live.varz
	is_object(v)
}

# varz_servers are the servers with a /varz, and live_only_servers those of
# them without a config (live_only). Rules about /varz iterate these instead
# of asking every server for its /varz: offline, the usual case, each rule
# package computes an empty list once where every such rule called
# varz_of/live_only for every server (50,000 calls on a 2,000-server
# compose file, docs/performance.md).
varz_servers := [s | some s in input.servers; is_object(s.live.varz)]

live_only_servers := [s | some s in varz_servers; not is_object(s.config)]

# live_only(s): the server is known from its monitoring endpoint only, so the
# live documents are the only evidence (config rules cannot see it).
live_only(s) if {
	varz_of(s)
	not is_object(s.config)
}

# varz_flag(v, k) reads an omitempty boolean of /varz: absent means false.
varz_flag(v, k) := object.get(v, k, false) == true

# varz_port(b, k): the port of a nested varz listener object (cluster,
# gateway, leaf, websocket, mqtt); these objects are empty when the listener
# is off, so a missing port means "not enabled".
varz_port(b, k) := p if {
	p := lib.num(b[k])
	p != 0
}
