package natsaudit.rules.jetstream_test

import data.natsaudit.rules.jetstream
import data.natsaudit.test.helpers

# Live fragments are trimmed from testdata/live/single.json (a real
# nats-server 2.15.2, recorded by testdata/live/record).

findings(inp) := fs if {
	fs := jetstream.deny with input as object.union({"servers": [], "streams": [], "consumers": [], "errors": []}, inp)
}

by_id(inp, id) := helpers.hits(findings(inp), id)

srv(cfg) := {"ref": "servers/0", "name": "nats-1", "sources": ["config"], "config": cfg, "config_env": {}}

with_deployment(s, d) := object.union(s, {"sources": ["config", "compose"], "deployment": object.union({"kind": "compose", "service": "nats", "memory_limit": 0, "environment": {}, "stop_grace_period": 0, "stop_signal": ""}, d)})

live(doc) := {"ref": "servers/0", "name": "single-1", "sources": ["live"], "config": null, "config_env": {}, "live": doc}

js := {"enabled": true, "store_dir": "/data", "max_memory_store": 268435456, "max_file_store": 10737418240}

varz_js(cfg, stats) := {
	"server_id": "NCHZBP4EQ3WW74CL6A2GBT2NQRGKQDHYVA6ZXHTC7DJORHKLXHIYKNZE", "server_name": "single-1", "cluster": {},
	"jetstream": {
		"config": object.union({"compress_ok": true, "max_memory": 268435456, "max_storage": 1073741824, "store_dir": "/data/jetstream", "strict": true, "sync_interval": 120000000000}, cfg),
		"limits": {"default_max_consumers": 1000},
		"stats": object.union({"accounts": 2, "api": {"errors": 0, "level": 5, "total": 4}, "ha_assets": 0, "memory": 0, "reserved_memory": 0, "reserved_storage": 0, "storage": 3390}, stats),
	},
}

# Recorded: account APP has `jetstream: enabled`, LIM has limits.
account_details := [
	{"accounts": 0, "api": {"errors": 0, "level": 0, "total": 4}, "ha_assets": 0, "id": "APP", "memory": 0, "name": "APP", "reserved_memory": 18446744073709551615, "reserved_storage": 18446744073709551615, "storage": 3390},
	{"accounts": 0, "api": {"errors": 0, "level": 0, "total": 0}, "ha_assets": 0, "id": "LIM", "memory": 0, "name": "LIM", "reserved_memory": 67108864, "reserved_storage": 1073741824, "storage": 0},
]

stream(name, cfg) := {"ref": "streams/0", "name": name, "account": "", "source": "file", "config": object.union({"name": name, "num_replicas": 1, "storage": "file", "retention": "limits", "discard": "old", "max_msgs": -1, "max_bytes": -1, "max_age": 0, "max_msgs_per_subject": -1}, cfg), "cluster_size": 0}

# --- NATS-JS-001 ----------------------------------------------------------

test_js_001_fires_without_store_dir if {
	[f] := by_id({"servers": [srv({"jetstream": {"enabled": true}})]}, "NATS-JS-001")
	f.path == "config/jetstream/enabled"
}

test_js_001_fires_store_dir_in_tmp if {
	[f] := by_id({"servers": [srv({"jetstream": {"enabled": true, "store_dir": "/tmp/nats/jetstream"}})]}, "NATS-JS-001")
	f.path == "config/jetstream/store_dir"
	contains(f.msg, "/tmp/nats/jetstream")
}

test_js_001_fires_top_level_store_dir_in_dev_shm if {
	[f] := by_id({"servers": [srv({"store_dir": "/dev/shm/js", "jetstream": {"enabled": true}})]}, "NATS-JS-001")
	f.path == "config/store_dir"
}

test_js_001_quiet_top_level_store_dir if {
	count(by_id({"servers": [srv({"store_dir": "/data/js", "jetstream": {"enabled": true}})]}, "NATS-JS-001")) == 0
}

test_js_001_quiet_tmp_lookalike if {
	# /tmpdata is not /tmp.
	count(by_id({"servers": [srv({"jetstream": {"enabled": true, "store_dir": "/tmpdata"}})]}, "NATS-JS-001")) == 0
}

test_js_001_quiet_without_jetstream if {
	count(by_id({"servers": [srv({"jetstream": {"enabled": false}})]}, "NATS-JS-001")) == 0
}

test_js_001_fires_live_tmp_store if {
	# As recorded: the test server ran with its store under /tmp.
	v := varz_js({"store_dir": "/tmp/natsaudit-record-1259169585/single-1/jetstream"}, {})
	[f] := by_id({"servers": [live({"varz": v})]}, "NATS-JS-001")
	f.path == "live/varz/jetstream/config/store_dir"
}

test_js_001_quiet_live_persistent_store if {
	count(by_id({"servers": [live({"varz": varz_js({}, {})})]}, "NATS-JS-001")) == 0
}

# --- NATS-JS-002 ----------------------------------------------------------

test_js_002_fires_without_limits if {
	[f] := by_id({"servers": [srv({"jetstream": {"enabled": true, "store_dir": "/data"}})]}, "NATS-JS-002")
	contains(f.msg, "max_memory_store and max_file_store")
}

test_js_002_fires_without_file_limit if {
	[f] := by_id({"servers": [srv({"jetstream": {"enabled": true, "store_dir": "/data", "max_memory_store": 1073741824}})]}, "NATS-JS-002")
	f.path == "config/jetstream/max_file_store"
}

test_js_002_quiet_with_both_limits if {
	count(by_id({"servers": [srv({"jetstream": js})]}, "NATS-JS-002")) == 0
}

# --- NATS-JS-003 ----------------------------------------------------------

test_js_003_fires_storage_91_percent_high if {
	v := varz_js({}, {"storage": 977272832}) # 91% of 1 GiB
	[f] := by_id({"servers": [live({"varz": v})]}, "NATS-JS-003")
	helpers.sev(f) == "high"
	f.path == "live/varz/jetstream/stats/storage"
	contains(f.msg, "91%")
}

test_js_003_fires_memory_81_percent_medium if {
	v := varz_js({}, {"memory": 217432719}) # 81% of 256 MiB
	[f] := by_id({"servers": [live({"varz": v})]}, "NATS-JS-003")
	helpers.sev(f) == "medium"
}

test_js_003_quiet_79_percent if {
	v := varz_js({}, {"storage": 848256040, "memory": 212064796}) # 79%
	count(by_id({"servers": [live({"varz": v})]}, "NATS-JS-003")) == 0
}

# --- NATS-JS-004 ----------------------------------------------------------

test_js_004_fires_account_jetstream_enabled if {
	cfg := {"jetstream": js, "accounts": {"APP": {"jetstream": {"enabled": true, "limits_set": false}}}}
	[f] := by_id({"servers": [srv(cfg)]}, "NATS-JS-004")
	f.path == "config/accounts/APP/jetstream"
}

test_js_004_quiet_when_server_jetstream_off if {
	cfg := {"jetstream": {"enabled": false}, "accounts": {"APP": {"jetstream": {"enabled": true, "limits_set": false}}}}
	count(by_id({"servers": [srv(cfg)]}, "NATS-JS-004")) == 0
}

test_js_004_quiet_account_with_limits if {
	cfg := {"jetstream": js, "accounts": {"APP": {"jetstream": {"enabled": true, "limits_set": true, "max_memory": 67108864, "max_store": 1073741824}}}}
	count(by_id({"servers": [srv(cfg)]}, "NATS-JS-004")) == 0
}

test_js_004_fires_live_unlimited_reserved if {
	fs := by_id({"servers": [live({"varz": varz_js({}, {}), "jsz": {"account_details": account_details}})]}, "NATS-JS-004")
	count(fs) == 1 # storage and memory of APP, in one finding
	contains(fs[0].msg, "account APP has JetStream without limits (reserved_memory and reserved_storage unlimited) on server")
}

test_js_004_fires_live_once_per_account_across_servers if {
	doc := {"varz": varz_js({}, {}), "jsz": {"account_details": account_details}}
	servers := [object.union(live(doc), {"ref": sprintf("servers/%d", [i]), "name": n}) | some i, n in ["n2", "n1", "n3"]]
	fs := by_id({"servers": servers}, "NATS-JS-004")
	count(fs) == 1
	fs[0].ref == "servers/1" # n1, the first by name
	contains(fs[0].msg, "on 3 servers (n1, n2, n3)")
}

test_js_004_quiet_live_limited_account if {
	count(by_id({"servers": [live({"varz": varz_js({}, {}), "jsz": {"account_details": [account_details[1]]}})]}, "NATS-JS-004")) == 0
}

test_js_004_quiet_live_global_account if {
	g := object.union(account_details[0], {"name": "$G", "id": "$G"})
	count(by_id({"servers": [live({"varz": varz_js({}, {}), "jsz": {"account_details": [g]}})]}, "NATS-JS-004")) == 0
}

test_js_004_live_not_repeated_when_config_flags_it if {
	s := object.union(srv({"jetstream": js, "accounts": {"APP": {"jetstream": {"enabled": true, "limits_set": false}}}}), {"live": {"varz": varz_js({}, {}), "jsz": {"account_details": account_details}}})
	[f] := by_id({"servers": [s]}, "NATS-JS-004")
	f.path == "config/accounts/APP/jetstream"
}

# --- NATS-JS-005 ----------------------------------------------------------

test_js_005_fires_r1_file_stream_default_sync if {
	[f] := by_id({"servers": [srv({"jetstream": js})], "streams": [stream("ORDERS", {})]}, "NATS-JS-005")
	contains(f.msg, "ORDERS")
}

# JS-005's fix on a single server: replicas are impossible there, so the
# conflict is stated and the sync interval comes first.
test_js_005_fix_single_server_conflict if {
	s := object.union(srv({"jetstream": js}), {"config_file": "nats.conf"})
	[f] := by_id({"servers": [s], "streams": [stream("ORDERS", {})]}, "NATS-JS-005")
	f.remediation == "Conflict: server nats-1 runs JetStream without a cluster, so ORDERS cannot be given 3 replicas (nats-server refuses more replicas than servers) until the cluster has 3 servers (NATS-CLU-001). Meanwhile set `sync_interval: 10s` in the jetstream block of nats.conf, so that an OS crash or power loss loses at most 10 seconds of writes (`always` loses none, at a cost in write throughput)."
}

test_js_005_fix_two_server_cluster_conflict if {
	s := object.union(srv({"jetstream": js, "server_name": "nats-1", "cluster": {"name": "c", "port": 6222, "routes": ["nats://nats-2:6222"]}}), {"config_file": "nats.conf"})
	[f] := by_id({"servers": [s], "streams": [stream("ORDERS", {})]}, "NATS-JS-005")
	startswith(f.remediation, "Conflict: the JetStream cluster of server nats-1 has 2 servers, so ORDERS cannot be given 3 replicas")
}

test_js_005_fix_live_three_node_cluster if {
	st := object.union(stream("ORDERS", {}), {"source": "live", "servers": ["single-1"]})
	v := object.union(varz_js({}, {}), {"jetstream": {"meta": {"cluster_size": 3, "leader": "n2"}}})
	[f] := by_id({"servers": [live({"varz": v})], "streams": [st]}, "NATS-JS-005")
	f.remediation == "Give ORDERS 3 replicas (`num_replicas: 3`; the cluster has 3 servers), or set `sync_interval: 10s` in the jetstream block so that an OS crash or power loss loses at most 10 seconds of writes."
}

test_js_005_fires_explicit_default_sync if {
	cfg := {"jetstream": object.union(js, {"sync_interval": 120000000000})}
	count(by_id({"servers": [srv(cfg)], "streams": [stream("ORDERS", {})]}, "NATS-JS-005")) == 1
}

test_js_005_quiet_short_sync if {
	cfg := {"jetstream": object.union(js, {"sync_interval": 10000000000})}
	count(by_id({"servers": [srv(cfg)], "streams": [stream("ORDERS", {})]}, "NATS-JS-005")) == 0
}

test_js_005_quiet_sync_always if {
	cfg := {"jetstream": object.union(js, {"sync_interval": "always"})}
	count(by_id({"servers": [srv(cfg)], "streams": [stream("ORDERS", {})]}, "NATS-JS-005")) == 0
}

test_js_005_quiet_r3_streams if {
	count(by_id({"servers": [srv({"jetstream": js})], "streams": [stream("ORDERS", {"num_replicas": 3})]}, "NATS-JS-005")) == 0
}

test_js_005_fires_live_r1_stream_hosted_here if {
	st := object.union(stream("ORDERS", {}), {"source": "live", "servers": ["single-1"]})
	[f] := by_id({"servers": [live({"varz": varz_js({}, {})})], "streams": [st]}, "NATS-JS-005")
	f.path == "live/varz/jetstream/config/sync_interval"
}

test_js_005_quiet_live_r1_stream_elsewhere if {
	st := object.union(stream("ORDERS", {}), {"source": "live", "servers": ["other"]})
	count(by_id({"servers": [live({"varz": varz_js({}, {})})], "streams": [st]}, "NATS-JS-005")) == 0
}

# --- NATS-JS-006 ----------------------------------------------------------

test_js_006_fires_without_key if {
	[f] := by_id({"servers": [srv({"jetstream": js})]}, "NATS-JS-006")
	f.path == "config/jetstream/key"
}

test_js_006_quiet_with_key if {
	key := {"secret": true, "origin": "env", "env_var": "JS_KEY", "resolved": false}
	count(by_id({"servers": [srv({"jetstream": object.union(js, {"cipher": "chachapoly", "key": key})})]}, "NATS-JS-006")) == 0
}

test_js_006_quiet_with_tpm if {
	# 2.11+: the key is sealed by the TPM instead of written in the config.
	tpm := {"keys_file": "/etc/nats/js_keys.json", "encryption_password": {"secret": true, "origin": "env", "env_var": "TPM_PW", "resolved": false}}
	count(by_id({"servers": [srv({"jetstream": object.union(js, {"tpm": tpm})})]}, "NATS-JS-006")) == 0
}

# --- NATS-JS-007 ----------------------------------------------------------

test_js_007_fires_limit_below_max_memory_store if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912})
	[f] := by_id({"servers": [s]}, "NATS-JS-007")
	f.path == "deployment/memory_limit"
	contains(f.msg, "512 MiB")
	contains(f.msg, "1 GiB")
}

test_js_007_names_memory_streams if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912})
	mem := {"name": "CACHE", "source": "file", "config": {"storage": "memory"}}
	disk := {"name": "ORDERS", "source": "file", "config": {"storage": "file"}}
	[f] := by_id({"servers": [s], "streams": [mem, disk]}, "NATS-JS-007")
	contains(f.msg, "its memory streams (CACHE)")
}

test_js_007_says_when_all_streams_are_file_streams if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912})
	disk := {"name": "ORDERS", "source": "file", "config": {"storage": "file"}}
	[f] := by_id({"servers": [s], "streams": [disk]}, "NATS-JS-007")
	contains(f.msg, "none of the 1 streams defined for it uses memory storage")
	not contains(f.msg, "memory streams can grow")
}

# JS-007's fix computed for the server: half the container limit as
# max_memory_store, in the server's own config file, checked against the
# memory streams (none here), and the container limit that would fit.
test_js_007_fix_computes_half_of_limit if {
	s := object.union(with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912}), {"config_file": "config/nats/nats.conf"})
	disk := {"name": "ORDERS", "source": "file", "config": {"storage": "file"}}
	[f] := by_id({"servers": [s], "streams": [disk]}, "NATS-JS-007")
	f.remediation == "Set `max_memory_store: 256MB` in the jetstream block of config/nats/nats.conf: half of the container's 512 MiB limit, leaving the rest to connections, buffers and caches; none of its streams uses memory storage, so no stream is refused by it. Or raise the container's memory limit to at least 2 GiB, twice max_memory_store 1 GiB."
}

# A Helm release is changed in the chart's values, not in a config file.
test_js_007_fix_helm_values if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 2147483648})}), {"kind": "helm", "memory_limit": 1073741824})
	[f] := by_id({"servers": [s]}, "NATS-JS-007")
	startswith(f.remediation, "Set `config.jetstream.memoryStore.maxSize: 512Mi` in the nats chart's values: half of the container's 1 GiB limit")
}

test_js_005_fix_helm_values if {
	s := with_deployment(srv({"jetstream": js}), {"kind": "helm"})
	[f] := by_id({"servers": [s], "streams": [stream("ORDERS", {})]}, "NATS-JS-005")
	contains(f.remediation, "Meanwhile set `config.jetstream.merge: {sync_interval: 10s}` in the nats chart's values, so that")
}

# Bounded memory streams that reserve more than half the limit: the lower
# store would refuse them, so the fix states the conflict instead.
test_js_007_fix_conflict_with_memory_reservations if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912})
	mem := {"name": "CACHE", "source": "file", "linked_servers": ["servers/0"], "config": {"storage": "memory", "max_bytes": 209715200, "num_replicas": 2}}
	other := {"name": "ELSEWHERE", "source": "file", "linked_servers": ["servers/9"], "config": {"storage": "memory", "max_bytes": 209715200}}
	[f] := by_id({"servers": [s], "streams": [mem, other]}, "NATS-JS-007")
	f.remediation == "Conflict: the memory streams defined for server nats-1 reserve 400 MiB (CACHE), more than half of the container's 512 MiB limit, so a lower max_memory_store would make JetStream refuse them. Raise the container's memory limit to at least 800 MiB (twice what they reserve), or move some of them to file storage first."
}

test_js_007_fix_memory_reservation_fits if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912})
	mem := {"name": "CACHE", "source": "file", "config": {"storage": "memory", "max_bytes": 104857600}}
	unbounded := {"name": "TMP", "source": "file", "config": {"storage": "memory"}}
	[f] := by_id({"servers": [s], "streams": [mem, unbounded]}, "NATS-JS-007")
	contains(f.remediation, "in the jetstream block: half of")
	contains(f.remediation, "; its memory streams reserve 100 MiB (CACHE), which fits.")
}

# max_memory_store unset: no "twice max_memory_store"; an unbounded memory
# stream reserves nothing.
test_js_007_fix_unset_store_unbounded_memory_stream if {
	s := with_deployment(srv({"jetstream": {"enabled": true, "store_dir": "/data"}}), {"memory_limit": 536870912})
	live_mem := {"name": "TMP", "source": "live", "servers": ["nats-1"], "config": {"storage": "memory", "max_bytes": -1}}
	[f] := by_id({"servers": [s], "streams": [live_mem]}, "NATS-JS-007")
	endswith(f.remediation, "; no stream is refused by it: those with memory storage, if any, set no max_bytes.")
	not contains(f.remediation, "Or raise")
}

# JS-007's reservations: exactly half the limit still fits; file-storage
# streams reserve no memory; live memory streams count for the server that
# hosts them only.
test_js_007_fix_reservation_of_exactly_half_fits if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912})
	mem := {"name": "CACHE", "source": "file", "config": {"storage": "memory", "max_bytes": 268435456}}
	disk := {"name": "ORDERS", "source": "file", "config": {"storage": "file", "max_bytes": 1073741824}}
	[f] := by_id({"servers": [s], "streams": [mem, disk]}, "NATS-JS-007")
	contains(f.remediation, "; its memory streams reserve 256 MiB (CACHE), which fits.")
}

test_js_007_fix_live_memory_streams_of_this_server_only if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912})
	mine := {"name": "MINE", "source": "live", "servers": ["nats-1"], "config": {"storage": "memory", "max_bytes": 104857600}}
	theirs := {"name": "THEIRS", "source": "live", "servers": ["nats-9"], "config": {"storage": "memory", "max_bytes": 104857600}}
	[f] := by_id({"servers": [s], "streams": [mine, theirs]}, "NATS-JS-007")
	contains(f.remediation, "; its memory streams reserve 100 MiB (MINE), which fits.")
}

# The streams "defined for" a server: those linked to it or to none, not
# those linked to another server or live on another one.
test_js_007_counts_streams_defined_for_this_server if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912})
	linked := {"name": "ORDERS", "source": "file", "linked_servers": ["servers/0"], "config": {"storage": "file"}}
	other := {"name": "BILLING", "source": "file", "linked_servers": ["servers/9"], "config": {"storage": "file"}}
	live_other := {"name": "AUDIT", "source": "live", "servers": ["nats-9"], "config": {"storage": "file"}}
	[f] := by_id({"servers": [s], "streams": [linked, other, live_other]}, "NATS-JS-007")
	contains(f.msg, "none of the 1 streams defined for it uses memory storage today")
}

test_js_007_quiet_limit_above_max_memory_store if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 268435456})}), {"memory_limit": 536870912})
	count(by_id({"servers": [s]}, "NATS-JS-007")) == 0
}

test_js_007_quiet_without_container_limit if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {})
	count(by_id({"servers": [s]}, "NATS-JS-007")) == 0
}

test_js_007_fires_unset_store_with_limit if {
	s := with_deployment(srv({"jetstream": {"enabled": true, "store_dir": "/data"}}), {"memory_limit": 536870912})
	[f] := by_id({"servers": [s]}, "NATS-JS-007")
	helpers.sev(f) == "medium"
	contains(f.msg, "75%")
}

test_js_007_quiet_unset_store_with_gomemlimit if {
	env := {"GOMEMLIMIT": {"secret": true, "origin": "literal", "resolved": true}}
	s := with_deployment(srv({"jetstream": {"enabled": true, "store_dir": "/data"}}), {"memory_limit": 536870912, "environment": env})
	count(by_id({"servers": [s]}, "NATS-JS-007")) == 0
}

test_js_007_fires_live_max_memory_above_limit if {
	# Live max_memory is what the server computed (here: 75% of a 16 GiB host).
	s := object.union(with_deployment(live({"varz": varz_js({"max_memory": 12884901888}, {})}), {"memory_limit": 2147483648}), {"config": null})
	[f] := by_id({"servers": [s]}, "NATS-JS-007")
	contains(f.msg, "12 GiB")
}

test_js_007_quiet_live_when_config_memory_comes_from_the_environment if {
	# max_memory_store: $JS_MAX_MEM (unresolved) is set, so the live value is
	# not "what the server computed without a config limit".
	s := with_deployment(object.union(live({"varz": varz_js({"max_memory": 12884901888}, {})}), {"config": {"jetstream": {"enabled": true, "store_dir": "/data", "max_memory_store": "$JS_MAX_MEM"}}}), {"memory_limit": 2147483648})
	not_live_finding := [f | some f in by_id({"servers": [s]}, "NATS-JS-007"); contains(f.msg, "reports")]
	count(not_live_finding) == 0
}

test_js_007_quiet_live_max_memory_below_limit if {
	s := object.union(with_deployment(live({"varz": varz_js({}, {})}), {"memory_limit": 2147483648}), {"config": null})
	count(by_id({"servers": [s]}, "NATS-JS-007")) == 0
}

test_js_005_fires_with_a_short_message_for_many_streams if {
	streams := [{"ref": sprintf("streams/%d", [i]), "name": sprintf("S%02d", [i]), "source": "file", "config": {"num_replicas": 1, "storage": "file"}} | some i in numbers.range(1, 12)]
	some f in jetstream.deny with input as {"servers": [{"ref": "servers/0", "name": "n1", "config": {"jetstream": {"enabled": true}}}], "streams": streams}
	f.rule_id == "NATS-JS-005"
	contains(f.msg, "S01, S02, S03, S04, S05 and 7 more")
}

# FP-TMP-ON-VOLUME: a store under /tmp on a mounted volume persists.
test_js_001_quiet_tmp_store_on_named_volume if {
	s := with_deployment(srv({"jetstream": {"enabled": true, "store_dir": "/tmp/data"}}), {"volumes": [{"type": "volume", "source": "nats-1-data", "target": "/tmp/data", "read_only": false}]})
	count(by_id({"servers": [s]}, "NATS-JS-001")) == 0
}

test_js_001_fires_tmp_store_on_tmpfs if {
	s := with_deployment(srv({"jetstream": {"enabled": true, "store_dir": "/tmp/data"}}), {"volumes": [{"type": "tmpfs", "source": "", "target": "/tmp/data", "read_only": false}]})
	count(by_id({"servers": [s]}, "NATS-JS-001")) == 1
}

# FP-UNLINKED-STREAM: R1 file streams count only for the servers they are
# linked to.
test_js_005_only_linked_servers if {
	a := object.union(srv({"jetstream": {"enabled": true, "store_dir": "/data"}}), {"ref": "servers/0", "name": "solo"})
	b := object.union(srv({"jetstream": {"enabled": true, "store_dir": "/data"}}), {"ref": "servers/1", "name": "other"})
	st := object.union(stream("R1", {}), {"linked_servers": ["servers/0"]})
	[f] := by_id({"servers": [a, b], "streams": [st]}, "NATS-JS-005")
	contains(f.msg, "server solo")
}

# ------------------------------------------- conditions, one by one (issue 20)

# cfg_and_live(cfg, varz): a server known from its config and /varz.
cfg_and_live(cfg, v) := object.union(srv(cfg), {"sources": ["config", "live"], "live": {"varz": v}})

test_js_001_live_store_reported_once_with_the_config if {
	# The config's missing or temporary store_dir is reported; the live
	# /varz store under /tmp is the same problem, not a second finding.
	tmp := varz_js({"store_dir": "/tmp/nats/jetstream"}, {})
	[f] := by_id({"servers": [cfg_and_live({"jetstream": {"enabled": true}}, tmp)]}, "NATS-JS-001")
	f.path == "config/jetstream/enabled"
	[g] := by_id({"servers": [cfg_and_live({"jetstream": {"enabled": true, "store_dir": "/tmp/js"}}, tmp)]}, "NATS-JS-001")
	g.path == "config/jetstream/store_dir"

	# A persistent store in the config but /tmp in the running server: the
	# deployed configuration differs, the live finding stands.
	[h] := by_id({"servers": [cfg_and_live({"jetstream": js}, tmp)]}, "NATS-JS-001")
	h.path == "live/varz/jetstream/config/store_dir"
}

test_js_001_store_dir_that_is_not_a_string if {
	count(by_id({"servers": [live({"varz": varz_js({"store_dir": 5}, {})})]}, "NATS-JS-001")) == 0
}

test_js_003_thresholds_are_inclusive if {
	[m] := by_id({"servers": [live({"varz": varz_js({"max_storage": 1000}, {"storage": 800})})]}, "NATS-JS-003")
	helpers.sev(m) == "medium"
	[h] := by_id({"servers": [live({"varz": varz_js({"max_storage": 1000}, {"storage": 900})})]}, "NATS-JS-003")
	helpers.sev(h) == "high"
	[l] := by_id({"servers": [live({"varz": varz_js({"max_storage": 1000}, {"storage": 899})})]}, "NATS-JS-003")
	helpers.sev(l) == "medium"
}

test_js_004_quiet_when_account_jetstream_disabled if {
	cfg := {"jetstream": js, "accounts": {"APP": {"jetstream": {"enabled": false, "limits_set": false}}}}
	count(by_id({"servers": [srv(cfg)]}, "NATS-JS-004")) == 0
}

# --- NATS-JS-012 ----------------------------------------------------------

js12_stream(i, name, cfg, servers) := {
	"ref": sprintf("streams/%d", [i]), "name": name, "account": object.get(cfg, "account", ""), "source": "file", "file": sprintf("streams/%s.json", [lower(name)]),
	"config": object.union({"name": name, "retention": "limits", "storage": "file", "num_replicas": 1, "max_bytes": -1}, object.remove(cfg, ["account"])),
	"cluster_size": 0, "linked_servers": servers,
}

gib := 1073741824

js12_srv(store) := srv({"jetstream": object.union(js, {"max_file_store": store})})

test_js_012_fires_medium_when_one_stream_takes_the_whole_store if {
	# The seed platform: the DLQ reserves all of max_file_store.
	inp := {"servers": [js12_srv(10 * gib)], "streams": [
		js12_stream(0, "SAHOOL_DLQ", {"max_bytes": 10 * gib}, ["servers/0"]),
		js12_stream(1, "SAHOOL_EVENTS", {}, ["servers/0"]),
	]}
	[f] := by_id(inp, "NATS-JS-012")
	f.severity == "medium"
	f.path == "config/jetstream/max_file_store"
	f.msg == "server nats-1: the file streams defined for it reserve 10 GiB (max_bytes: SAHOOL_DLQ 10 GiB) of max_file_store 10 GiB (unbounded SAHOOL_EVENTS: refused too if created after them): nothing is left, so nats-server refuses every further file stream and any max_bytes increase (error 10047)"
	contains(f.remediation, "lower the largest reservation, SAHOOL_DLQ, to 9 GiB")
	contains(f.remediation, "nats stream edit SAHOOL_DLQ --max-bytes 9663676416")
	contains(f.remediation, "raise max_file_store to at least 11 GiB")
}

test_js_012_fires_high_over_the_store if {
	inp := {"servers": [js12_srv(10 * gib)], "streams": [
		js12_stream(0, "A", {"max_bytes": 6 * gib}, ["servers/0"]),
		js12_stream(1, "B", {"max_bytes": 5 * gib}, ["servers/0"]),
	]}
	[f] := by_id(inp, "NATS-JS-012")
	f.severity == "high"
	contains(f.msg, "reserve 11 GiB (max_bytes: A 6 GiB, B 5 GiB) of max_file_store 10 GiB: nats-server refuses to create at least one of them (1 GiB too many)")
	contains(f.remediation, "lower the largest reservation, A, to 4 GiB")
	contains(f.remediation, "raise max_file_store to at least 12 GiB")
}

test_js_012_quiet_when_reservations_fit if {
	inp := {"servers": [js12_srv(10 * gib)], "streams": [
		js12_stream(0, "A", {"max_bytes": 6 * gib}, ["servers/0"]),
		js12_stream(1, "B", {"max_bytes": (4 * gib) - 1}, ["servers/0"]),
		js12_stream(2, "M", {"max_bytes": 8 * gib, "storage": "memory"}, ["servers/0"]),
		js12_stream(3, "OTHER", {"max_bytes": 8 * gib}, ["servers/1"]),
	]}
	count(by_id(inp, "NATS-JS-012")) == 0
}

test_js_012_fires_cluster_with_replicas if {
	# Three replicas of 10 GiB on a 3-server cluster of 10 GiB each: full.
	s := with_deployment(srv({"jetstream": object.union(js, {"max_file_store": 10 * gib}), "cluster": {"name": "c", "port": 6222}}), {"kind": "kubernetes", "replicas": 3})
	inp := {"servers": [s], "streams": [js12_stream(0, "ORDERS", {"max_bytes": 10 * gib, "num_replicas": 3}, ["servers/0"])]}
	[f] := by_id(inp, "NATS-JS-012")
	f.severity == "medium"
	contains(f.msg, "reserve 30 GiB (max_bytes × replicas: ORDERS 30 GiB) of the 30 GiB of its 3-server cluster (max_file_store 10 GiB each)")
}

test_js_012_quiet_cluster_r1_streams_fit if {
	s := with_deployment(srv({"jetstream": object.union(js, {"max_file_store": 10 * gib}), "cluster": {"name": "c", "port": 6222}}), {"kind": "kubernetes", "replicas": 3})
	inp := {"servers": [s], "streams": [
		js12_stream(0, "A", {"max_bytes": 10 * gib}, ["servers/0"]),
		js12_stream(1, "B", {"max_bytes": 10 * gib}, ["servers/0"]),
	]}
	count(by_id(inp, "NATS-JS-012")) == 0
}

test_js_012_fires_account_max_store if {
	s := srv({"jetstream": js, "accounts": {"APP": {"jetstream": {"enabled": true, "limits_set": true, "max_store": gib}}}})
	inp := {"servers": [s], "streams": [
		js12_stream(0, "A", {"account": "APP", "max_bytes": 536870912, "num_replicas": 2}, ["servers/0"]),
		js12_stream(1, "B", {"max_bytes": gib}, ["servers/0"]),
	]}
	[f] := by_id(inp, "NATS-JS-012")
	f.path == "config/accounts/APP/jetstream/max_store"
	f.severity == "medium"
	contains(f.msg, "the file streams of account APP reserve 1 GiB (max_bytes × replicas: A 1 GiB) of its max_store 1 GiB")
}

test_js_012_quiet_account_under_max_store if {
	s := srv({"jetstream": js, "accounts": {"APP": {"jetstream": {"enabled": true, "limits_set": true, "max_store": gib}}}})
	inp := {"servers": [s], "streams": [js12_stream(0, "A", {"account": "APP", "max_bytes": 536870912}, ["servers/0"])]}
	count(by_id(inp, "NATS-JS-012")) == 0
}

test_js_012_fires_live_reserved_store if {
	inp := {"servers": [live({"varz": varz_js({}, {"reserved_storage": 1073741824})})]}
	[f] := by_id(inp, "NATS-JS-012")
	f.path == "live/varz/jetstream/stats/reserved_storage"
	f.severity == "medium"
	contains(f.remediation, "Make the reservations fit")
}

test_js_012_quiet_live_with_room if {
	inp := {"servers": [live({"varz": varz_js({}, {"reserved_storage": 1073741823})})]}
	count(by_id(inp, "NATS-JS-012")) == 0
}

test_js_012_fires_cluster_fix_per_replica if {
	# ORDERS (R3) reserves 30 GiB of the cluster's 30; LOGS one more: the fix
	# lowers ORDERS' max_bytes per replica, in whole MiB.
	s := with_deployment(srv({"jetstream": object.union(js, {"max_file_store": 10 * gib}), "cluster": {"name": "c", "port": 6222}}), {"kind": "kubernetes", "replicas": 3})
	inp := {"servers": [s], "streams": [
		js12_stream(0, "ORDERS", {"max_bytes": 10 * gib, "num_replicas": 3}, ["servers/0"]),
		js12_stream(1, "LOGS", {"max_bytes": gib}, ["servers/0"]),
	]}
	[f] := by_id(inp, "NATS-JS-012")
	f.severity == "high"
	contains(f.remediation, "nats stream edit ORDERS --max-bytes 10021240832\n")
	contains(f.remediation, "raise max_file_store to at least 11.3 GiB")
}

test_js_012_fires_generic_fix_when_no_stream_can_shrink_enough if {
	# Shrinking A to fit would leave it nothing: the generic fix.
	inp := {"servers": [js12_srv(gib)], "streams": [js12_stream(0, "A", {"max_bytes": 2 * gib}, ["servers/0"])]}
	[f] := by_id(inp, "NATS-JS-012")
	startswith(f.remediation, "Make the reservations fit: lower the max_bytes of the streams")
}

test_js_012_quiet_account_unlimited_or_zero if {
	# -1 is unlimited; 0 with nothing reserved is not judged.
	every limit in [-1, 0] {
		s := srv({"jetstream": js, "accounts": {"APP": {"jetstream": {"enabled": true, "limits_set": true, "max_store": limit}}}})
		inp := {"servers": [s], "streams": [js12_stream(0, "A", {"account": "APP"}, ["servers/0"])]}
		count(by_id(inp, "NATS-JS-012")) == 0
	}
}

test_js_012_quiet_account_unbounded_streams_do_not_reserve if {
	s := srv({"jetstream": js, "accounts": {"APP": {"jetstream": {"enabled": true, "limits_set": true, "max_store": gib}}}})
	inp := {"servers": [s], "streams": [
		js12_stream(0, "A", {"account": "APP", "max_bytes": gib - 1}, ["servers/0"]),
		js12_stream(1, "B", {"account": "APP", "max_bytes": -1, "num_replicas": 3}, ["servers/0"]),
	]}
	count(by_id(inp, "NATS-JS-012")) == 0
}

test_js_012_quiet_live_zero_store if {
	inp := {"servers": [live({"varz": varz_js({"max_storage": 0}, {"reserved_storage": 0})})]}
	count(by_id(inp, "NATS-JS-012")) == 0
}

# A server known from its config and live: the config finding only, unless
# the config's streams leave room (then the live reservation speaks).
js12_both(store, live_reserved) := object.union(js12_srv(store), {"sources": ["config", "live"], "live": {"varz": varz_js({"max_storage": 10 * gib}, {"reserved_storage": live_reserved})}})

test_js_012_fires_once_for_config_and_live if {
	inp := {"servers": [js12_both(10 * gib, 10 * gib)], "streams": [js12_stream(0, "A", {"max_bytes": 10 * gib}, ["servers/0"])]}
	[f] := by_id(inp, "NATS-JS-012")
	f.path == "config/jetstream/max_file_store"
}

test_js_012_fires_live_when_config_has_room if {
	inp := {"servers": [js12_both(10 * gib, 10 * gib)], "streams": [js12_stream(0, "A", {"max_bytes": gib}, ["servers/0"])]}
	[f] := by_id(inp, "NATS-JS-012")
	f.path == "live/varz/jetstream/stats/reserved_storage"
}

# conditions, one by one (issue 20), round 2

js7(cfg_js, deploy, varz_cfg) := by_id({"servers": [with_deployment(cfg_and_live({"jetstream": cfg_js}, varz_js(varz_cfg, {})), deploy)]}, "NATS-JS-007")

test_js_007_round2_boundaries_and_live_limits if {
	# A container limit equal to max_memory_store is not lower.
	count(by_id({"servers": [with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 536870912})}), {"memory_limit": 536870912})]}, "NATS-JS-007")) == 0

	# No streams known: the generic risk.
	[g] := by_id({"servers": [with_deployment(srv({"jetstream": object.union(js, {"max_memory_store": 1073741824})}), {"memory_limit": 536870912})]}, "NATS-JS-007")
	endswith(g.msg, ": a memory stream or memory key-value bucket can grow until the container is OOM-killed")

	# max_memory_store unset and the server reports no memory limit (0): medium.
	[m] := js7(object.remove(js, ["max_memory_store"]), {"memory_limit": 536870912}, {"max_memory": 0})
	m.severity == "medium"

	# max_memory_store unset but the server reports one under the container limit: quiet.
	count(js7(object.remove(js, ["max_memory_store"]), {"memory_limit": 536870912}, {"max_memory": 268435456})) == 0

	# The reported limit equal to the container's: quiet; above it with a 0 in the config: reported.
	count(js7(js, {"memory_limit": 268435456}, {"max_memory": 268435456})) == 0
	[r] := js7(object.union(js, {"max_memory_store": 0}), {"memory_limit": 268435456}, {"max_memory": 1073741824})
	contains(r.msg, "lower than the JetStream memory limit the server reports")
}

# NATS-JS-012 against the volume under store_dir (PVC sizes).

js12_vol(target, size) := {"type": "pvc", "source": "js-pvc", "target": target, "read_only": false, "size": size}

js12_kube(cfg, vols) := with_deployment(srv(cfg), {"kind": "kubernetes", "volumes": vols})

test_js_012_fires_max_file_store_over_the_volume if {
	s := js12_kube({"jetstream": object.union(js, {"max_file_store": 20 * gib})}, [
		{"type": "configMap", "source": "nats-config", "target": "/etc/nats-config", "read_only": true},
		js12_vol("/data", 10 * gib),
	])
	[f] := by_id({"servers": [s], "streams": []}, "NATS-JS-012")
	f.severity == "high"
	f.path == "config/jetstream/max_file_store"
	contains(f.msg, "max_file_store 20 GiB is larger than the 10 GiB volume js-pvc under its store directory: the disk fills 10 GiB")
	contains(f.remediation, "lower it to at most 10 GiB")
}

test_js_012_quiet_max_file_store_within_the_volume if {
	# The Helm chart's default: max_file_store is the PVC size.
	s := js12_kube({"jetstream": object.union(js, {"max_file_store": 10 * gib})}, [js12_vol("/data", 10 * gib)])
	count(by_id({"servers": [s], "streams": []}, "NATS-JS-012")) == 0
}

test_js_012_quiet_store_not_on_the_sized_volume if {
	# The deepest mount over store_dir is an unsized emptyDir: not judged.
	s := js12_kube({"jetstream": object.union(js, {"store_dir": "/data/js", "max_file_store": 20 * gib})}, [
		js12_vol("/data", 10 * gib),
		{"type": "emptyDir", "source": "scratch", "target": "/data/js", "read_only": false},
	])
	count(by_id({"servers": [s], "streams": []}, "NATS-JS-012")) == 0
}

test_js_012_fires_reservations_over_the_volume_without_max_file_store if {
	s := js12_kube({"jetstream": object.remove(js, ["max_file_store"])}, [js12_vol("/data/", 5 * gib)])
	inp := {"servers": [s], "streams": [
		js12_stream(0, "A", {"max_bytes": 4 * gib}, ["servers/0"]),
		js12_stream(1, "B", {"max_bytes": 2 * gib}, ["servers/0"]),
	]}
	[f] := by_id(inp, "NATS-JS-012")
	f.severity == "high"
	f.path == "deployment/volumes/0/size"
	contains(f.msg, "reserve 6 GiB (max_bytes: A 4 GiB, B 2 GiB) but its store directory is on a 5 GiB volume (js-pvc), and no max_file_store is set")
}

test_js_012_quiet_reservations_within_the_volume_without_max_file_store if {
	s := js12_kube({"jetstream": object.remove(js, ["max_file_store"])}, [js12_vol("/data", 8 * gib)])
	inp := {"servers": [s], "streams": [
		js12_stream(0, "A", {"max_bytes": 4 * gib}, ["servers/0"]),
		js12_stream(1, "B", {"max_bytes": 2 * gib}, ["servers/0"]),
	]}
	count(by_id(inp, "NATS-JS-012")) == 0
}
