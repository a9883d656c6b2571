package natsaudit.rules.jetstream

import data.natsaudit.lib.authconf

import data.natsaudit.lib
import data.natsaudit.lib.clustering
import data.natsaudit.lib.livedocs

# METADATA
# title: JetStream store on temporary storage
# description: >-
#   Without store_dir, nats-server keeps streams under os.TempDir()/nats/jetstream
#   and logs "Temporary storage directory used, data could be lost on system
#   reboot"; a store under /tmp, /var/tmp or /dev/shm has the same problem.
#   A reboot, tmp cleaner or container recreate deletes every stream. A
#   store under /tmp that the container mounts a volume on is not temporary.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/resource_management
# custom:
#   id: NATS-JS-001
#   severity: high
#   category: reliability
#   facets: [config, deployment, live]
#   remediation: |-
#     Point store_dir at persistent storage (a volume in a container):
#
#         jetstream {
#           store_dir: /data/jetstream
#         }
#
#     or on the command line: `nats-server -js -sd /data/jetstream`.
deny contains f if {
	some h in _js_001
	f := lib.finding_of(rego.metadata.rule(), h)
}

_js_001 contains h if {
	some s in clustering.js_servers
	not clustering.store_dir(s)
	h := {"obj": s, "path": "config/jetstream/enabled", "msg": sprintf("%s enables JetStream without store_dir: streams go to the temporary directory (<tmp>/nats/jetstream) and are lost when it is cleaned", [lib.server_label(s)])}
}

_js_001 contains h if {
	some s in clustering.js_servers
	d := clustering.store_dir(s)
	_temporary(d)
	not _on_volume(s, d)
	h := {"obj": s, "path": clustering.store_dir_path(s), "msg": sprintf("%s stores JetStream data in %s, a temporary directory: a reboot or cleanup deletes every stream", [lib.server_label(s), d])}
}

_js_001 contains h if {
	some s in livedocs.live_servers
	not _config_store_flagged(s)
	d := livedocs.live_varz(s).jetstream.config.store_dir
	_temporary(d)
	h := {"obj": s, "path": "live/varz/jetstream/config/store_dir", "msg": sprintf("%s stores JetStream data in %s, a temporary directory: a reboot or cleanup deletes every stream", [lib.server_label(s), d])}
}

_temporary(d) if {
	is_string(d)
	some p in lib.params.jetstream.temp_store_prefixes
	_under(d, p)
}

# _on_volume(s, d): the container mounts a bind mount or named volume on d
# (or above it): a store under /tmp there survives reboots and re-creation.
_on_volume(s, d) if {
	some v in s.deployment.volumes
	v.type in {"bind", "volume"}
	t := trim_suffix(v.target, "/")
	t != ""
	_under(d, t)
}

_under(d, p) if d == p

_under(d, p) if startswith(d, concat("", [trim_suffix(p, "/"), "/"]))

_config_store_flagged(s) if {
	s in clustering.js_servers
	not clustering.store_dir(s)
}

_config_store_flagged(s) if {
	s in clustering.js_servers
	_temporary(clustering.store_dir(s))
}

# METADATA
# title: JetStream storage limits not set
# description: >-
#   Without max_memory_store and max_file_store, JetStream allows itself 75%
#   of the machine's RAM (or GOMEMLIMIT) and 75% of the disk space free at
#   start. On a shared host or in a container those defaults exceed what the
#   server really has, and streams fail or the process is killed instead of
#   hitting a clear JetStream limit.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration
# custom:
#   id: NATS-JS-002
#   severity: medium
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Set both limits below the container memory limit and the volume size:
#
#         jetstream {
#           store_dir: /data
#           max_memory_store: 256MB
#           max_file_store: 20GB
#         }
deny contains f if {
	some s in clustering.js_servers
	missing := [k | some k in ["max_memory_store", "max_file_store"]; object.get(s.config.jetstream, k, null) == null]
	count(missing) > 0
	f := lib.finding(rego.metadata.rule(), s, sprintf("config/jetstream/%s", [missing[0]]), sprintf("%s enables JetStream without %s: JetStream sizes itself at 75%% of the host's RAM/disk", [lib.server_label(s), concat(" and ", missing)]))
}

# METADATA
# title: JetStream storage or memory nearly full
# description: >-
#   The server's JetStream file or memory store is close to its limit. When it
#   is full, publishes to every stream on the server fail with "insufficient
#   resources".
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/monitoring
# custom:
#   id: NATS-JS-003
#   severity: medium
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Add capacity (raise max_file_store/max_memory_store together with the
#     volume or memory), or bound the largest streams with max_bytes/max_age
#     and purge what is no longer needed (`nats stream report` shows the
#     biggest ones).
deny contains f if {
	some s in livedocs.live_servers
	js := livedocs.live_varz(s).jetstream
	some kind in ["storage", "memory"]
	used := lib.num(js.stats[kind])
	limit := lib.num(js.config[_limit_key(kind)])
	limit > 0
	ratio := used / limit
	ratio >= lib.params.jetstream.usage_medium
	f := lib.finding_sev(
		rego.metadata.rule(), s, sprintf("live/varz/jetstream/stats/%s", [kind]), sprintf(
			"%s: JetStream %s is %s full (%s of %s)",
			[lib.server_label(s), kind, lib.percent(used, limit), lib.human_bytes(used), lib.human_bytes(limit)],
		),
		_usage_sev(ratio),
	)
}

_limit_key("storage") := "max_storage"

_limit_key("memory") := "max_memory"

_usage_sev(r) := "high" if r >= lib.params.jetstream.usage_high

_usage_sev(r) := "medium" if r < lib.params.jetstream.usage_high

# METADATA
# title: Account JetStream enabled without limits
# description: >-
#   An account with `jetstream: enabled` and no limits may use all of the
#   server's JetStream memory and storage, so one tenant can fill the disk and
#   stop every other account's streams.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/resource_management
# custom:
#   id: NATS-JS-004
#   severity: medium
#   category: reliability
#   facets: [config, live]
#   remediation: |-
#     Give each account its share:
#
#         accounts {
#           APP {
#             jetstream { max_memory: 256MB, max_store: 10GB, max_streams: 50, max_consumers: 500 }
#             users: [ ... ]
#           }
#         }
deny contains f if {
	some h in _js_004
	f := lib.finding_of(rego.metadata.rule(), h)
}

_js_004 contains h if {
	some s in clustering.js_servers
	some name, acc in s.config.accounts
	js := acc.jetstream
	js.enabled == true
	js.limits_set == false
	h := {"obj": s, "path": sprintf("config/accounts/%s/jetstream", [name]), "msg": sprintf("%s: account %s has JetStream without limits: it can take all of the server's JetStream storage and memory", [lib.server_label(s), name])}
}

# Live: one finding per account, on the first of the servers (by name) that
# report it unlimited, naming them all (a cluster reports every account on
# every server: one finding per account x server x resource was thousands).
_js_004 contains h if {
	some name in {t[0] | some t in _js_004_live}
	hits := [t | some t in _js_004_live; t[0] == name]
	servers := {t[1] | some t in hits}
	first := min(servers)
	some s in livedocs.live_servers
	s.name == first
	kinds := sort({trim_prefix(t[2], "reserved_") | some t in hits})
	at := min({[t[2], t[3]] | some t in hits; t[1] == first})
	h := {"obj": s, "path": sprintf("live/jsz/account_details/%d/%s", [at[1], at[0]]), "msg": sprintf(
		"account %s has JetStream without limits (%s unlimited) on %s: it can take all of their JetStream %s",
		[name, concat(" and ", [sprintf("reserved_%s", [k]) | some k in kinds]), _servers_named(servers), concat(" and ", kinds)],
	)}
}

# [account, server, key, index] of every unlimited live reservation.
_js_004_live contains [acc.name, s.name, k, i] if {
	some s in livedocs.live_servers
	some i, acc in object.get(livedocs.live_jsz(s), "account_details", [])
	is_string(acc.name)

	# $G is the implicit account of a single-tenant server: nobody to share with.
	acc.name != "$G"
	not _config_account_flagged(s, acc.name)
	some k in ["reserved_storage", "reserved_memory"]
	lib.num(acc[k]) >= lib.params.jetstream.unlimited_reserved_min
}

_servers_named(names) := sprintf("server %s", [n]) if {
	count(names) == 1
	some n in names
} else := sprintf("%d servers (%s)", [count(names), lib.short_list(names, 10)])

_config_account_flagged(s, name) if {
	s.config.accounts[name].jetstream.limits_set == false
}

# METADATA
# title: R1 file streams with the default 2-minute sync interval
# description: >-
#   JetStream fsyncs file stores every 2 minutes by default and relies on
#   replicas for durability. A stream with one replica has no other copy, so
#   an OS crash or power loss can lose up to the last 2 minutes of
#   acknowledged messages.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration
# custom:
#   id: NATS-JS-005
#   severity: low
#   category: reliability
#   facets: [config, streams, live]
#   remediation: |-
#     Replicate the streams (num_replicas: 3), or sync more often on
#     servers that keep R1 data:
#
#         jetstream {
#           sync_interval: 10s   # or: always
#         }
deny contains f if {
	some h in _js_005
	f := object.union(lib.finding_of(rego.metadata.rule(), h), {"remediation": _js005_fix(h.obj, h.names)})
}

# _js005_fix(s, names): NATS-JS-005's fix checked against the cluster: R1
# streams can only be replicated where the cluster has the servers
# (nats-server refuses more replicas than servers), so a smaller cluster
# gets the sync interval now and the replicas once it has grown.
_js005_fix(s, names) := sprintf("Conflict: %s, so %s cannot be given 3 replicas (nats-server refuses more replicas than servers) until the cluster has 3 servers (NATS-CLU-001). Meanwhile set %s, so that an OS crash or power loss loses at most 10 seconds of writes (`always` loses none, at a cost in write throughput).", [
	_js005_alone(s, n), lib.short_list(names, 5), _js005_set(s),
]) if {
	n := _js005_size(s)
	n < 3
} else := sprintf("Give %s 3 replicas (`num_replicas: 3`; the cluster has %d servers), or set %s so that an OS crash or power loss loses at most 10 seconds of writes.", [
	lib.short_list(names, 5), _js005_size(s), _js005_set(s),
])

_js005_set(s) := "`config.jetstream.merge: {sync_interval: 10s}` in the nats chart's values" if {
	s.deployment.kind == "helm"
} else := sprintf("`sync_interval: 10s` in the jetstream block%s", [_js007_in(s)])

_js005_size(s) := n if {
	n := clustering.cluster_size(s)
} else := 1

_js005_alone(s, 1) := sprintf("%s runs JetStream without a cluster", [lib.server_label(s)])

_js005_alone(s, n) := sprintf("the JetStream cluster of %s has %d servers", [lib.server_label(s), n]) if n != 1

_js_005 contains h if {
	some s in clustering.js_servers
	_default_sync(object.get(s.config.jetstream, "sync_interval", null))
	names := _r1_file_streams(s)
	count(names) > 0
	h := {"obj": s, "names": names, "path": "config/jetstream/sync_interval", "msg": _sync_msg(s, names)}
}

_js_005 contains h if {
	some s in livedocs.live_servers
	not s in clustering.js_servers
	c := livedocs.live_varz(s).jetstream.config
	_default_sync(object.get(c, "sync_interval", null))
	not c.sync_always == true
	names := _r1_file_streams(s)
	count(names) > 0
	h := {"obj": s, "names": names, "path": "live/varz/jetstream/config/sync_interval", "msg": _sync_msg(s, names)}
}

_default_sync(null)

_default_sync(v) if v == lib.params.jetstream.default_sync_interval_ns

_sync_msg(s, names) := sprintf("%s syncs JetStream files every 2m (sync_interval not set: the default) and hosts R1 file streams (%s): an OS crash or power loss can lose their last 2 minutes", [lib.server_label(s), lib.short_list(names, 5)])

# R1 file streams the server holds: definition files apply to the
# configured JetStream servers they are linked to (their directory's; every
# server when linked to none); live streams to the servers that host them.
# The streams are indexed once per evaluation (complete rules are cached),
# so that a server costs a lookup, not a pass over every stream: the naive
# servers x streams join dominated a 500-service monorepo scan.
_r1_file_streams(s) := (_r1_unlinked | object.get(_r1_linked, s.ref, set())) | _r1_live_hosted(s) if {
	s in clustering.js_servers
} else := _r1_live_hosted(s)

# R1 file streams from definition files linked to no server.
_r1_unlinked contains st.name if {
	some st in input.streams
	st.source != "live"
	count(object.get(st, "linked_servers", [])) == 0
	_r1_file(st)
}

# R1 file streams from definition files, by the ref of each linked server.
_r1_linked := natsaudit.group({[ref, st.name] |
	some st in input.streams
	st.source != "live"
	_r1_file(st)
	some ref in object.get(st, "linked_servers", [])
})

# R1 file live streams by the name of each server that hosts them.
_r1_live_by_server := natsaudit.group({[n, st.name] |
	some st in input.streams
	st.source == "live"
	_r1_file(st)
	some n in object.get(st, "servers", [])
})

# (The whole object is looked up, not _r1_live_by_server[n]: with a key,
# OPA evaluates the rule body again for each call instead of its cache.)
_r1_live_hosted(s) := {name |
	some n in {s.name, _live_server_name(s)}
	some name in object.get(_r1_live_by_server, n, set())
}

_live_server_name(s) := n if {
	n := livedocs.live_varz(s).server_name
} else := s.name

_r1_file(st) if {
	lib.num(object.get(st.config, "num_replicas", 1)) <= 1
	object.get(st.config, "storage", "file") == "file"
}

# METADATA
# title: JetStream encryption at rest is off
# description: >-
#   Stream files are stored in clear on disk: anyone with access to the volume
#   or a backup reads every message.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/jetstream_admin/encryption_at_rest
# custom:
#   id: NATS-JS-006
#   severity: info
#   category: reliability
#   facets: [config, deployment]
#   remediation: |-
#     Encrypt the store with a key from the environment (or a TPM, 2.11+):
#
#         jetstream {
#           cipher: chachapoly
#           key: $JS_KEY
#         }
deny contains f if {
	some s in clustering.js_servers
	js := s.config.jetstream
	not js.key
	not js.tpm
	f := lib.finding(rego.metadata.rule(), s, "config/jetstream/key", sprintf("%s stores JetStream data unencrypted (no jetstream.key/cipher)", [lib.server_label(s)]))
}

# METADATA
# title: Container memory limit below what JetStream may use
# description: >-
#   The container's memory limit is lower than the memory JetStream is allowed
#   to use (max_memory_store, or 75% of the host's RAM when it is unset:
#   nats-server does not read the container limit). Memory streams and caches
#   can then grow until the kernel OOM-kills the server, instead of JetStream
#   refusing writes at its own limit.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration
#   - ref: https://docs.docker.com/reference/compose-file/deploy/#resources
# custom:
#   id: NATS-JS-007
#   severity: high
#   category: reliability
#   facets: [config, deployment, live]
#   remediation: |-
#     Keep max_memory_store well below the container limit (the server needs
#     memory of its own for connections and buffers), or raise the limit:
#
#         # nats.conf
#         jetstream { max_memory_store: 256MB }
#
#         # docker-compose.prod.yml
#         deploy:
#           resources:
#             limits:
#               memory: 1G
deny contains f if {
	some h in _js_007
	f := object.union(lib.finding_of(rego.metadata.rule(), h), {"remediation": _js007_fix(h.obj, h.limit, h.mem)})
}

_js_007 contains h if {
	some s in clustering.js_servers
	limit := _memory_limit(s)
	mem := lib.num(s.config.jetstream.max_memory_store)
	mem > 0
	limit < mem
	h := {"obj": s, "limit": limit, "mem": mem, "path": "deployment/memory_limit", "msg": sprintf(
		"%s: the container memory limit (%s) is lower than JetStream's max_memory_store (%s): %s",
		[lib.server_label(s), lib.human_bytes(limit), lib.human_bytes(mem), _js_007_risk(s)],
	)}
}

_js_007 contains h if {
	some s in clustering.js_servers
	limit := _memory_limit(s)
	object.get(s.config.jetstream, "max_memory_store", null) == null
	not _live_max_memory(s)

	# GOMEMLIMIT caps JetStream's default too (its value is not in the inventory).
	not s.deployment.environment.GOMEMLIMIT
	h := {
		"obj": s, "limit": limit, "mem": 0, "path": "deployment/memory_limit", "msg": sprintf(
			"%s: the container memory limit is %s but max_memory_store is not set, so JetStream allows itself 75%% of the host's RAM, not of the container's",
			[lib.server_label(s), lib.human_bytes(limit)],
		),
		"sev": "medium",
	}
}

_js_007 contains h if {
	some s in input.servers
	limit := _memory_limit(s)
	mem := _live_max_memory(s)
	limit < mem
	not _config_max_memory(s)
	h := {"obj": s, "limit": limit, "mem": mem, "path": "deployment/memory_limit", "msg": sprintf(
		"%s: the container memory limit (%s) is lower than the JetStream memory limit the server reports (%s): %s",
		[lib.server_label(s), lib.human_bytes(limit), lib.human_bytes(mem), _js_007_risk(s)],
	)}
}

# What the gap risks on this deployment: the message names the memory
# streams the server holds, or says that none of the streams it knows uses
# memory storage (a generic "memory streams can grow" misdescribed a
# deployment whose streams are all file streams).
_js_007_risk(s) := sprintf("its memory streams (%s) can grow until the container is OOM-killed", [lib.short_list(names, 5)]) if {
	names := _mem_streams(s)
	count(names) > 0
} else := sprintf("none of the %d streams defined for it uses memory storage today, but a memory stream or memory key-value bucket created later can grow until the container is OOM-killed", [n]) if {
	n := count(_streams_of(s))
	n > 0
} else := "a memory stream or memory key-value bucket can grow until the container is OOM-killed"

_mem_streams(s) := {name | some [name, "memory"] in _streams_of(s)}

# _js007_fix(s, limit, mem): NATS-JS-007's fix computed for this server: a
# max_memory_store of half the container limit (whole MiB), checked against
# what its bounded memory streams reserve (JetStream refuses a memory
# stream whose max_bytes no longer fits); when they reserve more than
# that, the conflict and the container limit that would fit instead.
_js007_fix(s, limit, mem) := sprintf("Conflict: the memory streams defined for %s reserve %s (%s), more than half of the container's %s limit, so a lower max_memory_store would make JetStream refuse them. Raise the container's memory limit to at least %s (twice what they reserve), or move some of them to file storage first.", [
	lib.server_label(s), lib.human_bytes(r.total), r.names, lib.human_bytes(limit), lib.human_bytes(2 * r.total),
]) if {
	r := _js007_mem_reserved(s)
	r.total > _js007_half(limit)
} else := sprintf("Set %s: half of the container's %s limit, leaving the rest to connections, buffers and caches; %s.%s", [
	_js007_set(s, _js007_half(limit) / 1048576), lib.human_bytes(limit), _js007_fits(s), _js007_raise(mem),
])

# Where the value goes: the nats chart's values for a Helm release, else
# the jetstream block of the server's config.
_js007_set(s, mib) := sprintf("`config.jetstream.memoryStore.maxSize: %dMi` in the nats chart's values", [mib]) if {
	s.deployment.kind == "helm"
} else := sprintf("`max_memory_store: %dMB` in the jetstream block%s", [mib, _js007_in(s)])

_js007_half(limit) := max({floor(limit / 2097152), 1}) * 1048576

_js007_in(s) := sprintf(" of %s", [s.config_file]) if {
	object.get(s, "config_file", "") != ""
} else := ""

# Or raise the container limit: to twice max_memory_store, when it is known.
_js007_raise(mem) := sprintf(" Or raise the container's memory limit to at least %s, twice max_memory_store %s.", [lib.human_bytes(2 * mem), lib.human_bytes(mem)]) if {
	mem > 0
} else := ""

_js007_fits(s) := sprintf("its memory streams reserve %s (%s), which fits", [lib.human_bytes(r.total), r.names]) if {
	r := _js007_mem_reserved(s)
	r.total > 0
} else := "no stream is refused by it: those with memory storage, if any, set no max_bytes" if {
	count(_mem_streams(s)) > 0
} else := "none of its streams uses memory storage, so no stream is refused by it"

# What the bounded memory streams defined for s reserve (max_bytes times
# replicas; definitions linked to s or to no server, live streams on it),
# looked up in indexes built once per evaluation, as for _streams_of.
_js007_mem_reserved(s) := {"total": sum([b | some [_, b] in items]), "names": lib.short_list({n | some [n, _] in items}, 5)} if {
	items := (_js7_mem_unlinked | object.get(_js7_mem_linked, s.ref, set())) | object.get(_js7_mem_live, s.name, set())
	count(items) > 0
}

_js7_mem_bytes(st) := b if {
	object.get(st.config, "storage", "file") == "memory"
	b := lib.num(object.get(st.config, "max_bytes", -1)) * max({lib.num(object.get(st.config, "num_replicas", 1)), 1})
	b > 0
}

_js7_mem_unlinked contains [st.name, _js7_mem_bytes(st)] if {
	some st in input.streams
	st.source != "live"
	count(object.get(st, "linked_servers", [])) == 0
}

_js7_mem_linked := natsaudit.group({[ref, [st.name, _js7_mem_bytes(st)]] |
	some st in input.streams
	st.source != "live"
	some ref in object.get(st, "linked_servers", [])
})

_js7_mem_live := natsaudit.group({[n, [st.name, _js7_mem_bytes(st)]] |
	some st in input.streams
	st.source == "live"
	some n in object.get(st, "servers", [])
})

# The streams a server holds, as [name, storage]: definition files linked to
# it (or to no server), and live streams it hosts. Indexed once per
# evaluation, as for _r1_file_streams: a per-server scan of every stream
# grows with servers x streams.
_streams_of(s) := (_js7_unlinked | object.get(_js7_linked, s.ref, set())) | _js7_live_hosted(s)

_js7_storage(st) := object.get(st.config, "storage", "file")

_js7_unlinked contains [st.name, _js7_storage(st)] if {
	some st in input.streams
	st.source != "live"
	count(object.get(st, "linked_servers", [])) == 0
}

_js7_linked := natsaudit.group({[ref, [st.name, _js7_storage(st)]] |
	some st in input.streams
	st.source != "live"
	some ref in object.get(st, "linked_servers", [])
})

_js7_live_by_server := natsaudit.group({[n, [st.name, _js7_storage(st)]] |
	some st in input.streams
	st.source == "live"
	some n in object.get(st, "servers", [])
})

_js7_live_hosted(s) := {x |
	some n in {s.name, _live_server_name(s)}
	some x in object.get(_js7_live_by_server, n, set())
}

_config_max_memory(s) if lib.num(s.config.jetstream.max_memory_store) > 0

_config_max_memory(s) if lib.unknown(s.config.jetstream.max_memory_store)

_memory_limit(s) := n if {
	n := lib.num(s.deployment.memory_limit)
	n > 0
}

_live_max_memory(s) := n if {
	n := lib.num(livedocs.live_varz(s).jetstream.config.max_memory)
	n > 0
}

# METADATA
# title: Stream reservations exceed the JetStream file store
# description: >-
#   nats-server reserves the `max_bytes` of every bounded file stream from
#   `max_file_store` (on each server holding a replica) and from the
#   account's `max_store`, and refuses a stream that does not fit what is
#   left (error 10047, insufficient storage resources), whatever the disk
#   really holds. When the streams defined for a server reserve more than
#   its file store, one of them cannot be created (high); when they reserve
#   all of it, no further file stream can be created and no stream's
#   `max_bytes` can be raised (medium). Live: the server's reserved storage
#   has reached its file store. Volume: when the deployment says how big
#   the volume under store_dir is (a Kubernetes PersistentVolumeClaim or
#   volumeClaimTemplate storage request, the nats Helm chart's
#   `fileStore.pvc.size`, 10Gi by default), a `max_file_store` larger than
#   the volume lets the disk fill before JetStream's limit (writes fail and
#   nats-server disables JetStream), and without `max_file_store` the
#   reservations must fit the volume (nats-server sizes the store from the
#   free disk space).
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/resource_management
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams#configuration
# custom:
#   id: NATS-JS-012
#   severity: high
#   severity_varies: medium when the reservations fill the store exactly (nothing more fits), high when they exceed it
#   category: reliability
#   facets: [config, deployment, deployment.kubernetes, streams, live]
#   remediation: |-
#     Make the reservations fit: lower the largest streams' max_bytes, or
#     raise max_file_store (and the volume under it), e.g.
#
#         jetstream { max_file_store: 20GB }
#         nats stream edit ARCHIVE --max-bytes 5368709120
deny contains f if {
	some h in _js_012
	f := object.union(lib.finding_of(rego.metadata.rule(), h), {"remediation": _js12_remediation(h)})
}

_js12_remediation(h) := h.fix if {
	is_string(h.fix)
} else := _js12_fix(h)

# Volume: max_file_store larger than the volume under store_dir.
_js_012 contains h if {
	some s in clustering.js_servers
	per := lib.num(s.config.jetstream.max_file_store)
	v := clustering.store_volume(s)
	per > v.size
	h := {
		"obj": s, "path": "config/jetstream/max_file_store", "sev": "high",
		"msg": sprintf("%s: max_file_store %s is larger than the %s volume %s under its store directory: the disk fills %s before JetStream's limit, writes fail and nats-server disables JetStream", [
			lib.server_label(s), lib.human_bytes(per), lib.human_bytes(v.size), v.source, lib.human_bytes(per - v.size),
		]),
		"fix": sprintf("Keep max_file_store within the volume (leave room for the filesystem): lower it to at most %s, or grow the volume's storage request (the PersistentVolumeClaim or volumeClaimTemplate, or the nats chart's config.jetstream.fileStore.pvc.size) to at least %s; a claim's storageClass must allow expansion to grow it in place.", [
			lib.human_bytes(v.size), lib.human_bytes(per),
		]),
	}
}

# Volume: no max_file_store; nats-server sizes the store from the disk, so
# the reservations must fit the volume on every server of the cluster.
_js_012 contains h if {
	some s in clustering.js_servers
	object.get(s.config.jetstream, "max_file_store", null) == null
	v := clustering.store_volume(s)
	r := clustering.file_reservation_of(s, v.size)
	r.reserved > r.capacity
	h := {
		"obj": s, "path": sprintf("deployment/volumes/%d/size", [v.index]), "sev": "high",
		"msg": sprintf("%s: the file streams defined for it reserve %s (max_bytes%s: %s) but its store directory is on a %s volume (%s)%s, and no max_file_store is set: nats-server refuses at least one of them (%s too many; error 10047)", [
			lib.server_label(s), lib.human_bytes(r.reserved), _js12_replicas_note(r), _js12_top(r.bounded),
			lib.human_bytes(v.size), v.source, _js12_volume_servers(r), lib.human_bytes(r.reserved - r.capacity),
		]),
		"fix": sprintf("Lower the largest reservations (%s) with `nats stream edit NAME --max-bytes N`, or grow the volume's storage request to at least %s per server and set max_file_store to what the streams may use.", [
			_js12_top(r.bounded), lib.human_bytes(_js12_ceil_div(r.reserved, r.servers)),
		]),
	}
}

_js12_volume_servers(r) := "" if r.servers == 1

_js12_volume_servers(r) := sprintf(" on each of its %d servers", [r.servers]) if r.servers > 1

_js_012 contains h if {
	some s in clustering.js_servers
	r := clustering.file_reservation(s)
	r.reserved >= r.capacity
	h := {
		"obj": s, "path": "config/jetstream/max_file_store",
		"sev": _js12_sev(r.reserved, r.capacity),
		"top": r.bounded, "need": r.reserved - r.capacity, "unit": r.servers,
		"raise": "max_file_store", "size": r.capacity / r.servers,
		"msg": sprintf("%s: the file streams defined for it reserve %s (max_bytes%s: %s) of %s%s: %s", [
			lib.server_label(s), lib.human_bytes(r.reserved), _js12_replicas_note(r),
			_js12_top(r.bounded), _js12_store(r), _js12_unbounded(r.unbounded), _js12_effect(r.reserved, r.capacity),
		]),
	}
}

# Accounts: an account's max_store caps the sum of its streams' max_bytes,
# replicas counted (untiered limits).
_js_012 contains h if {
	some s in clustering.js_servers
	some name, acc in object.get(s.config, "accounts", {})
	is_object(acc)
	limit := lib.num(acc.jetstream.max_store)
	limit > 0
	bounded := [[b * max({lib.num(rep), 1}), sname] |
		some [_, sname, mb, rep, a] in object.get(clustering.file_defs, s.ref, set())
		a == name
		b := lib.num(mb)
		b > 0
		lib.num(rep)
	]
	reserved := sum([x[0] | some x in bounded])
	reserved >= limit
	h := {
		"obj": s, "path": sprintf("config/accounts/%s/jetstream/max_store", [authconf.escape_key(name)]),
		"sev": _js12_sev(reserved, limit),
		"top": array.reverse(sort(bounded)), "need": reserved - limit, "unit": 1,
		"raise": sprintf("account %s's jetstream max_store", [name]), "size": limit,
		"msg": sprintf("%s: the file streams of account %s reserve %s (max_bytes × replicas: %s) of its max_store %s: %s", [
			lib.server_label(s), name, lib.human_bytes(reserved), _js12_top(array.reverse(sort(bounded))), lib.human_bytes(limit), _js12_effect(reserved, limit),
		]),
	}
}

# Live: what the server has reserved (nats-server never reserves more than
# its store, so this is the "full" case).
_js_012 contains h if {
	some s in livedocs.live_servers
	js := livedocs.live_varz(s).jetstream
	limit := lib.num(js.config.max_storage)
	limit > 0
	reserved := lib.num(js.stats.reserved_storage)
	reserved >= limit
	not _js12_config_judged(s)
	h := {
		"obj": s, "path": "live/varz/jetstream/stats/reserved_storage", "sev": "medium",
		"msg": sprintf("%s: its streams reserve %s of the %s file store (max_bytes): %s", [lib.server_label(s), lib.human_bytes(reserved), lib.human_bytes(limit), _js12_effect(reserved, limit)]),
	}
}

_js12_config_judged(s) if clustering.file_reservation(s).reserved >= clustering.file_reservation(s).capacity

_js12_sev(reserved, limit) := "high" if reserved > limit

_js12_sev(reserved, limit) := "medium" if reserved == limit

_js12_effect(reserved, limit) := sprintf("nats-server refuses to create at least one of them (%s too many), and any other file stream or max_bytes increase (error 10047)", [lib.human_bytes(reserved - limit)]) if {
	reserved > limit
} else := "nothing is left, so nats-server refuses every further file stream and any max_bytes increase (error 10047)"

_js12_top(bounded) := lib.short_list_ordered([sprintf("%s %s", [x[1], lib.human_bytes(x[0])]) | some x in bounded], 5)

_js12_replicas_note(r) := "" if r.servers == 1

_js12_replicas_note(r) := " × replicas" if r.servers > 1

_js12_store(r) := sprintf("max_file_store %s", [lib.human_bytes(r.capacity)]) if {
	r.servers == 1
} else := sprintf("the %s of its %d-server cluster (max_file_store %s each)", [lib.human_bytes(r.capacity), r.servers, lib.human_bytes(r.capacity / r.servers)])

_js12_unbounded([]) := ""

_js12_unbounded(names) := sprintf(" (unbounded %s: refused too if created after them)", [lib.short_list(names, 5)]) if count(names) > 0

# _js12_fix(h): the remediation computed from the reservations: which stream
# to shrink and by how much, or the store size that fits them all.
_js12_fix(h) := sprintf("Make the reservations fit before creating more streams or raising any max_bytes. Either lower the largest reservation, %s, to %s:\n\n    nats stream edit %s --max-bytes %d\n\nor raise %s to at least %s (with room for the unbounded streams), and grow the volume under it to match.", [
	x[1], lib.human_bytes(target), x[1], target, h.raise, lib.human_bytes((h.size + _js12_ceil_div(h.need, h.unit)) + 1073741824),
]) if {
	x := h.top[0]

	# Frees what is over the limit plus 1 GiB for the unbounded streams, per replica.
	target := _js12_mib(((x[0] - h.need) - 1073741824) / _js12_ceil_replicas(h, x))
	target > 0
} else := "Make the reservations fit: lower the max_bytes of the streams that reserve the store, or raise max_file_store together with the volume under it. The server's /varz shows reserved_storage against max_storage."

_js12_ceil_div(a, b) := ceil(a / b)

# Per-replica max_bytes of the largest stream (its reservation counts every
# replica the cluster holds).
_js12_ceil_replicas(h, _) := 1 if h.unit == 1

_js12_ceil_replicas(h, x) := n if {
	h.unit > 1
	some [_, name, mb, _, _] in _js12_defs_named(x[1])
	n := max({round(x[0] / lib.num(mb)), 1})
}

_js12_defs_named(name) := object.get(_js12_defs_by_name, name, set())

# _js12_defs_by_name[name]: every file definition of a stream of that name,
# grouped once rather than scanning all definitions per lookup.
_js12_defs_by_name := natsaudit.group({[name, d] |
	some defs in clustering.file_defs
	some d in defs
	name := d[1]
})

_js12_mib(b) := floor(b / 1048576) * 1048576
