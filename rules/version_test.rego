package natsaudit.rules.version_test

import data.natsaudit.rules.version
import data.natsaudit.test.helpers
import data.natsaudit.test.security as fx

findings(doc) := {f | some f in version.deny with input as doc}

hits(doc, id) := helpers.hits(findings(doc), id)

fires(doc, id) if helpers.fires(findings(doc), id)

one(doc, id) := helpers.one(findings(doc), id)

# A JetStream server with users, deployed by compose from image tag `tag`.
js_config := object.union(fx.good_config, {"jetstream": {"enabled": true, "store_dir": "/data"}, "http_port": 8222})

deployed(tag) := object.union(fx.compose_server(js_config, [fx.port("", 4222)]), {
	"version": _version(tag),
	"deployment": object.union(fx.deployment([fx.port("", 4222)]), {"image": sprintf("nats:%s", [tag]), "image_tag": tag}),
})

_version(tag) := v if {
	m := regex.find_all_string_submatch_n(`^(\d+\.\d+)(\.\d+)?`, tag, 1)[0]
	v := {"value": concat("", [m[1], m[2]]), "semver": _semver(m), "series": m[1], "source": "image_tag", "raw": tag}
}

_semver(m) := concat("", [m[1], m[2]]) if {
	m[2] != ""
} else := ""

live_at(version, extra) := fx.input_with(fx.live_server(fx.varz(object.union({"version": version}, extra))))

# ---------------------------------------------------------------- NATS-VER-001

test_ver_001_fires_for_2_10_24_with_jetstream if {
	f := one(fx.input_with(deployed("2.10.24-alpine")), "NATS-VER-001")
	f.severity == "critical"
	f.path == "deployment/image"
	contains(f.msg, "nats-server 2.10.24 (image nats:2.10.24-alpine)")
	contains(f.msg, "CVE-2025-30215 (critical)")
	contains(f.msg, "Upgrade to a supported series: 2.15.2 or 2.14.9")
}

test_ver_001_fires_listing_each_advisory_once_by_severity if {
	# "affected by N advisories: ID (sev), ID (sev)": as many entries as
	# counted, none twice, the most severe first.
	f := one(fx.input_with(deployed("2.10.24-alpine")), "NATS-VER-001")
	m := regex.find_all_string_submatch_n(`affected by (\d+) advisor(?:y|ies): ([^;.]*)`, f.msg, 1)[0]
	entries := split(m[2], ", ")
	count(entries) == to_number(m[1])
	count(entries) > 1
	count({e | some e in entries}) == count(entries)
	rank := {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
	sevs := [rank[regex.find_all_string_submatch_n(`\((\w+)\)$`, e, 1)[0][1]] | some e in entries]
	every i in numbers.range(1, count(sevs) - 1) {
		sevs[i - 1] >= sevs[i]
	}
	sevs[0] > sevs[count(sevs) - 1]
}

test_ver_001_remediation_gives_each_advisory_its_workaround if {
	# Per advisory, in the message's order: its own workaround and its note;
	# an advisory whose note has none says so instead of a generic line.
	f := one(fx.input_with(deployed("2.14.2")), "NATS-VER-001")
	startswith(f.remediation, "Upgrade to 2.14.9 (latest of the 2.14 series). Until then:\n\n- ")
	contains(f.remediation, "- GHSA-q59r-vq66-pxc2 (medium): Restrict publish access to system request subjects for untrusted users. Avoid no-auth deployments where untrusted clients can publish to system request subjects. (https://advisories.nats.io/CVE/secnote-2026-28.txt)")
	ids := regex.find_all_string_submatch_n(`(?m)^- (\S+) \(`, f.remediation, -1)
	listed := [m[1] | some m in ids]
	in_msg := [m[1] | some m in regex.find_all_string_submatch_n(`(CVE-\d+-\d+|GHSA-[0-9a-z-]+) \(`, f.msg, -1)]
	listed == in_msg
}

test_ver_001_remediation_without_a_published_workaround if {
	# CVE-2025-30215's note says "None".
	f := one(fx.input_with(deployed("2.10.24-alpine")), "NATS-VER-001")
	contains(f.remediation, "- CVE-2025-30215 (critical): no workaround published; upgrade. (https://advisories.nats.io/CVE/secnote-2025-01.txt)")
	contains(f.remediation, "Upgrade to a supported series: 2.15.2 or 2.14.9. Until then:")
}

test_ver_001_quiet_on_2_14_9 if {
	not fires(fx.input_with(deployed("2.14.9")), "NATS-VER-001")
}

test_ver_001_quiet_on_2_15_2 if {
	not fires(fx.input_with(deployed("2.15.2-alpine")), "NATS-VER-001")
}

test_ver_001_fires_on_2_14_2_and_points_at_the_series_patch if {
	f := one(fx.input_with(deployed("2.14.2")), "NATS-VER-001")
	contains(f.msg, "GHSA-q59r-vq66-pxc2 (medium)")
	contains(f.msg, "Upgrade to 2.14.9 (latest of the 2.14 series)")
}

test_ver_001_feature_gates_exclude_unused_features if {
	# The config has no WebSocket, MQTT or leafnodes: those advisories do not apply.
	f := one(fx.input_with(deployed("2.12.5")), "NATS-VER-001")
	not contains(f.msg, "CVE-2026-33219") # websocket
	not contains(f.msg, "CVE-2026-33215") # mqtt
	not contains(f.msg, "CVE-2026-33218") # leafnode listener
	contains(f.msg, "CVE-2026-33223 (medium)") # applies to every deployment
}

test_ver_001_feature_gates_include_used_features if {
	s := object.union(deployed("2.12.5"), {"config": object.union(js_config, {"websocket": {"port": 443, "tls": fx.tls_block}})})
	f := one(fx.input_with(s), "NATS-VER-001")
	contains(f.msg, "CVE-2026-33219 (high)")
}

test_ver_001_conditional_when_feature_is_invisible if {
	# A live-only 2.14.2: no_auth_user and permissions are not in /varz.
	f := one(live_at("2.14.2", {}), "NATS-VER-001")
	f.path == "live/varz/version"
	f.severity == "medium"
	contains(f.msg, "; 1 more if these features are enabled: GHSA-hmmp-q8cx-v964 (high: no_auth_user and allowed_connection_types)")
	not contains(f.msg, "GHSA-r72h-j7qq-v6qg") # /varz shows MQTT is off
}

test_ver_001_conditional_gates_read_well if {
	# A compose service whose config file is not in the repository.
	s := object.union(fx.server({}), {
		"config": null,
		"sources": ["compose"],
		"deployment": object.union(fx.deployment([]), {"image": "nats:2.12.5", "image_tag": "2.12.5"}),
		"version": fx.version("2.12.5", "2.12.5"),
	})
	f := one(fx.input_with(s), "NATS-VER-001")
	contains(f.msg, "GHSA-38x3-76xf-cq45 (critical: no_auth_user and routes or leafnode_listener)")
	contains(f.msg, "GHSA-p957-7v2w-g93g (high: websocket and no mqtt and jetstream)")
	not contains(f.msg, "CVE-2026-33247") # the compose command shows no credentials
}

test_ver_001_floating_tag_uses_the_newest_patch if {
	s := object.union(deployed("2.10"), {"version": {"value": "2.10", "semver": "", "series": "2.10", "source": "image_tag", "raw": "2.10"}})
	f := one(fx.input_with(s), "NATS-VER-001")
	contains(f.msg, "nats-server 2.10.29")
	not contains(f.msg, "CVE-2025-30215") # fixed in 2.10.27
}

test_ver_001_quiet_floating_supported_tag if {
	s := object.union(deployed("2.15"), {"version": {"value": "2.15", "semver": "", "series": "2.15", "source": "image_tag", "raw": "2.15"}})
	not fires(fx.input_with(s), "NATS-VER-001")
}

test_ver_001_quiet_when_advisories_ignored if {
	all_ids := [a.id | some a in data.natsaudit.advisories.advisories]
	not fires(fx.input_with(deployed("2.14.2")), "NATS-VER-001") with data.natsaudit.params.versions.ignore_advisories as all_ids
}

test_ver_001_image_default_config_gates if {
	# The official image's bundled config has routes and monitoring, no MQTT.
	s := object.union(fx.server({}), {
		"config": null,
		"sources": ["compose"],
		"deployment": object.union(fx.deployment([]), {"image": "nats:2.12.5", "image_tag": "2.12.5", "command": [], "uses_image_default_config": true}),
		"version": fx.version("2.12.5", "2.12.5"),
	})
	f := one(fx.input_with(s), "NATS-VER-001")
	not contains(f.msg, "CVE-2026-33215")
	contains(f.msg, "CVE-2026-33223")
}

# ---------------------------------------------------------------- NATS-VER-002

test_ver_002_fires_for_2_10 if {
	f := one(fx.input_with(deployed("2.10.24-alpine")), "NATS-VER-002")
	contains(f.msg, "nats-server 2.10 (image nats:2.10.24-alpine) is end-of-life (last release 2.10.29); supported series: 2.15, 2.14")
}

test_ver_002_fires_for_2_12_after_2_15 if {
	fires(fx.input_with(deployed("2.12.15")), "NATS-VER-002")
}

test_ver_002_fires_for_floating_2_10 if {
	s := object.union(deployed("2.10"), {"version": {"value": "2.10", "semver": "", "series": "2.10", "source": "image_tag", "raw": "2.10-alpine"}})
	fires(fx.input_with(s), "NATS-VER-002")
}

test_ver_002_quiet_for_supported_series if {
	not fires(fx.input_with(deployed("2.14.9")), "NATS-VER-002")
	not fires(fx.input_with(deployed("2.15.2")), "NATS-VER-002")
}

test_ver_002_quiet_for_newer_unknown_series if {
	not fires(live_at("2.16.0", {}), "NATS-VER-002")
}

# ---------------------------------------------------------------- NATS-VER-003

test_ver_003_fires_behind_latest_patch if {
	f := one(fx.input_with(deployed("2.14.8")), "NATS-VER-003")
	contains(f.msg, "behind 2.14.9")
}

test_ver_003_quiet_at_latest_patch if {
	not fires(fx.input_with(deployed("2.14.9")), "NATS-VER-003")
}

test_ver_003_quiet_for_eol_series if {
	# VER-002 reports it; the fix is a series change, not a patch.
	not fires(fx.input_with(deployed("2.12.14")), "NATS-VER-003")
}

test_ver_003_fires_live if {
	f := one(live_at("2.15.1", {}), "NATS-VER-003")
	f.path == "live/varz/version"
}

# ---------------------------------------------------------------- NATS-VER-004

test_ver_004_fires_old_go_patch if {
	f := one(live_at("2.14.9", {"go": "go1.24.12"}), "NATS-VER-004")
	f.severity == "low"
	contains(f.msg, "Go 1.24.12")
}

test_ver_004_fires_older_go_series if {
	fires(live_at("2.12.15", {"go": "go1.23.9"}), "NATS-VER-004")
}

test_ver_004_quiet_fixed_go if {
	not fires(live_at("2.14.9", {"go": "go1.24.13"}), "NATS-VER-004")
	not fires(live_at("2.14.9", {"go": "go1.25.7"}), "NATS-VER-004")
	not fires(live_at("2.15.2", {"go": "go1.26.8"}), "NATS-VER-004")
}

# ---------------------------------------------------------------- NATS-VER-005

image(img, tag, digest) := fx.input_with(object.union(deployed("2.15.2"), {"deployment": object.union(fx.deployment([]), {"image": img, "image_tag": tag, "image_digest": digest})}))

test_ver_005_fires_for_latest if {
	f := one(image("nats:latest", "latest", ""), "NATS-VER-005")
	f.path == "deployment/image"
}

test_ver_005_fires_without_tag if {
	fires(image("nats", "", ""), "NATS-VER-005")
}

test_ver_005_fires_for_floating_series if {
	fires(image("nats:2.10-alpine", "2.10-alpine", ""), "NATS-VER-005")
}

test_ver_005_quiet_for_release_tag if {
	not fires(image("nats:2.10.24-alpine", "2.10.24-alpine", ""), "NATS-VER-005")
}

test_ver_005_quiet_with_digest if {
	not fires(image("nats:2.10@sha256:4f7d2f0e6b1c9a3d5e8b7c6a5f4e3d2c1b0a99887766554433221100ffeeddcc", "2.10", "sha256:4f7d2f0e6b1c9a3d5e8b7c6a5f4e3d2c1b0a99887766554433221100ffeeddcc"), "NATS-VER-005")
}

test_ver_005_quiet_for_other_images if {
	d := object.union(fx.deployment([]), {"image": "ghcr.io/acme/nats-exporter:latest", "image_repo": "ghcr.io/acme/nats-exporter", "image_tag": "latest"})
	not fires(fx.input_with(object.union(deployed("2.15.2"), {"deployment": d})), "NATS-VER-005")
}

test_ver_005_fires_for_registry_nats_image if {
	d := object.union(fx.deployment([]), {"image": "docker.io/library/nats:alpine", "image_repo": "docker.io/library/nats", "image_tag": "alpine"})
	fires(fx.input_with(object.union(deployed("2.15.2"), {"deployment": d})), "NATS-VER-005")
}

test_ver_001_every_gate_of_the_table_is_evaluated if {
	every a in data.natsaudit.advisories.advisories {
		every r in a.requires {
			every x in split(trim_prefix(r, "!"), "|") {
				x in version._known_features
			}
		}
	}
}

# FP-VAR-IMAGE: nats:${IMAGE_TAG} is set when deployed: unknown, not unpinned.
test_ver_005_quiet_for_tag_from_environment if {
	inp := image("nats:${IMAGE_TAG}", "${IMAGE_TAG}", "")
	not fires(json.patch(inp, [{"op": "add", "path": "/servers/0/deployment/image_from_env", "value": true}]), "NATS-VER-005")
}

# ------------------------------------------------ feature gates, one by one
# Each advisory applies only when the server uses its features: every way a
# feature shows (config, /varz, compose flags) and every way it is ruled out
# is pinned here, so that a gate that stops seeing a feature (a missed
# advisory) or sees one that is off (a false one) fails a test.

cfg_server(cfg) := fx.server(cfg)

varz_server(extra) := fx.live_server(fx.varz(extra))

flags_server(flags) := object.union(fx.server(null), {"config": null, "deployment": object.union(fx.deployment([]), {"flags": flags})})

gate_cases := [
	# [server, feature, status]
	[cfg_server({"websocket": {"port": 443}}), "websocket", "yes"],
	[cfg_server({"websocket": {"port": 0}}), "websocket", "no"],
	[cfg_server({}), "websocket", "no"],
	[varz_server({"websocket": {"port": 8080}}), "websocket", "yes"],
	[varz_server({}), "websocket", "no"],
	[cfg_server({"mqtt": {"port": 1883}}), "mqtt", "yes"],
	[varz_server({"mqtt": {"port": 1883}}), "mqtt", "yes"],
	[cfg_server({"leafnodes": {"port": 7422}}), "leafnode_listener", "yes"],
	[cfg_server({"leafnodes": {"remotes": [{"url": "nats://hub:7422"}]}}), "leafnode_listener", "no"],
	[varz_server({"leaf": {"port": 7422}}), "leafnode_listener", "yes"],
	[cfg_server({"leafnodes": {"port": 7422}}), "leafnodes", "yes"],
	[cfg_server({"leafnodes": {"remotes": [{"url": "nats://hub:7422"}]}}), "leafnodes", "yes"],
	[cfg_server({"leafnodes": {"remotes": []}}), "leafnodes", "no"],
	[varz_server({"leaf": {"remotes": [{"url": "nats://hub:7422"}]}}), "leafnodes", "yes"],
	[varz_server({"leaf": {"remotes": []}}), "leafnodes", "no"],
	[cfg_server({"cluster": {"port": 6222}}), "routes", "yes"],
	[cfg_server({"cluster": {"routes": ["nats://n2:6222"]}}), "routes", "yes"],
	[cfg_server({"cluster": {"routes": []}}), "routes", "no"],
	[varz_server({"cluster": {"cluster_port": 6222}}), "routes", "yes"],
	[varz_server({"cluster": {"port": 6222}}), "routes", "no"],
	[cfg_server({"jetstream": {"enabled": true}}), "jetstream", "yes"],
	[cfg_server({"jetstream": {"enabled": false}}), "jetstream", "no"],
	[varz_server({"jetstream": {"config": {"max_memory": 1024}}}), "jetstream", "yes"],
	[varz_server({"jetstream": {"config": "on"}}), "jetstream", "no"],
	[cfg_server({"operator": "/etc/nats/op.jwt"}), "operator", "yes"],
	[varz_server({"trusted_operators_claim": [{"name": "op"}]}), "operator", "yes"],
	[varz_server({}), "operator", "no"],
	[cfg_server({"accounts": {"A": {}}}), "accounts", "yes"],
	[cfg_server({"operator": "/etc/nats/op.jwt"}), "accounts", "yes"],
	[cfg_server({"accounts": {}}), "accounts", "no"],
	[cfg_server({"no_auth_user": "guest"}), "no_auth_user", "yes"],
	[cfg_server({"websocket": {"no_auth_user": "guest"}}), "no_auth_user", "yes"],
	[cfg_server({"mqtt": {"no_auth_user": "guest"}}), "no_auth_user", "yes"],
	[cfg_server({"no_auth_user": ""}), "no_auth_user", "no"],
	[cfg_server({"no_auth_user": 7}), "no_auth_user", "no"],
	[varz_server({"websocket": {"no_auth_user": "guest"}}), "no_auth_user", "yes"],
	[varz_server({"mqtt": {"no_auth_user": "guest"}}), "no_auth_user", "yes"],
	[varz_server({"websocket": {"no_auth_user": ""}}), "no_auth_user", "unknown"],
	[cfg_server({"tls": object.union(fx.tls_block, {"verify_and_map": true})}), "verify_and_map", "yes"],
	[cfg_server({"tls": object.union(fx.tls_block, {"verify_and_map": false})}), "verify_and_map", "no"],
	[cfg_server({"http_port": 8222}), "monitoring", "yes"],
	[cfg_server({"https_port": 8222}), "monitoring", "yes"],
	[cfg_server({"http_port": 0}), "monitoring", "no"],
	[varz_server({}), "monitoring", "yes"],
	[object.union(varz_server({}), {"live": {"endpoint": "nats://10.0.0.5:4222"}}), "monitoring", "unknown"],
	[flags_server({"pass": true}), "cli_credentials", "yes"],
	[flags_server({"auth": true}), "cli_credentials", "yes"],
	[flags_server({"routes_with_credentials": true}), "cli_credentials", "yes"],
	[flags_server({"routes_with_credentials": false}), "cli_credentials", "no"],
	[flags_server({"user": true}), "cli_credentials", "no"],
	[cfg_server({}), "cli_credentials", "unknown"],
	[flags_server({"tlscert": true}), "cli_tls", "yes"],
	[flags_server({"tlsverify": true}), "cli_tls", "yes"],
	[flags_server({"pass": true}), "cli_tls", "no"],
	[cfg_server({"authorization": {"users": [{"user": "a", "allowed_connection_types": ["WEBSOCKET"]}]}}), "allowed_connection_types", "yes"],
	[cfg_server({"authorization": {"users": [{"user": "a", "proxy_required": true}]}}), "allowed_connection_types", "yes"],
	[cfg_server({"authorization": {"users": [{"user": "a", "allowed_connection_types": null}]}}), "allowed_connection_types", "no"],
	[cfg_server({"authorization": {"proxy_required": true}}), "allowed_connection_types", "yes"],
	[cfg_server({"authorization": {"proxy_required": false}}), "allowed_connection_types", "no"],
	[cfg_server({"authorization": {"users": [{"user": "a", "permissions": {"subscribe": {"deny": ["x"]}}}]}}), "deny_permissions", "yes"],
	[cfg_server({"authorization": {"users": [{"user": "a", "permissions": {"publish": {"deny": ["x"]}}}]}}), "deny_permissions", "yes"],
	[cfg_server({"authorization": {"users": [{"user": "a", "permissions": {"publish": {"deny": []}}}]}}), "deny_permissions", "no"],
	[cfg_server({"accounts": {"$SYS": {}}}), "sys_only_accounts", "yes"],
	[cfg_server({"accounts": {"$SYS": {}, "A": {}}}), "sys_only_accounts", "no"],
	[cfg_server({"authorization": {"auth_callout": {"issuer": "AB"}}}), "auth_callout", "yes"],
	[cfg_server({}), "auth_callout", "no"],
	[varz_server({}), "auth_callout", "unknown"],
	[object.union(fx.server(null), {"config": null, "deployment": {"uses_image_default_config": true}}), "mqtt", "no"],
	[object.union(fx.server(null), {"config": null, "deployment": {"uses_image_default_config": false}}), "mqtt", "unknown"],
	[object.union(fx.server(null), {"config": null, "deployment": "compose"}), "cli_tls", "unknown"],
]

test_ver_001_feature_gate_statuses if {
	bad := [[i, f, want, got] |
		some i, [s, f, want] in gate_cases
		got := version._status(s, f)
		got != want
	]
	bad == []
}

test_ver_001_one_finding_per_affected_server if {
	# Two servers of different versions: each is judged by its own
	# version's advisories, the patched one stays quiet.
	old := deployed("2.10.24-alpine")
	new := object.union(deployed("2.15.2-alpine"), {"ref": "servers/1", "name": "nats-2"})
	inp := object.union(fx.input_with(old), {"servers": [old, new]})
	fs := hits(inp, "NATS-VER-001")
	count(fs) == 1
	contains(fs[0].msg, "nats-server 2.10.24")
}

test_ver_001_message_parts_when_empty if {
	# No definite or no conditional advisory: that part of the message is
	# empty, and the separator between them appears only after a definite one.
	version._definite_text([]) == ""
	version._conditional_text({}, [], 0) == ""
	version._sep(0) == ""
	version._sep(2) == "; "
	version._workaround({"workaround": ""}) == "no workaround published; upgrade."
	version._workaround({"workaround": "disable mqtt"}) == "disable mqtt"
}

test_ver_001_gate_expressions if {
	# "a|b" is yes when either is; "!a|b" negates the whole "a|b" gate name,
	# which is not a feature, so it is unknown, never read as "(not a) or b".
	version._req({"a": "yes", "b": "no"}, "a|b") == "yes"
	version._req({"a": "no", "b": "no"}, "a|b") == "no"
	version._req({"b": "yes"}, "!a|b") == "unknown"
	version._req({"a": "yes"}, "!a") == "no"
}

test_ver_002_fires_for_unknown_old_series_without_last_release if {
	# gnatsd 1.4: not in the release table, older than every supported
	# series: end-of-life, with no "last release" to quote.
	f := one(live_at("1.4.1", {}), "NATS-VER-002")
	contains(f.msg, "nats-server 1.4 (")
	contains(f.msg, "is end-of-life; supported series: 2.15, 2.14")
}

test_ver_004_go_version_without_patch if {
	f := one(live_at("2.14.9", {"go": "go1.24"}), "NATS-VER-004")
	contains(f.msg, "Go 1.24.0")
}

test_ver_004_series_is_major_and_minor if {
	version._same_series("1.24.12", "1.24.13")
	not version._same_series("1.24.12", "2.24.13")
	not version._same_series("1.24.12", "1.25.7")
}

# ---------------------------------------------------------------- deadlines
# The reports' deadlines box reads these fields, never the message.

test_ver_001_deadline_is_the_advisory_fix if {
	f := one(fx.input_with(deployed("2.10.24-alpine")), "NATS-VER-001")
	f.deadline.kind == "advisory_fix"
	f.deadline.date == ""
	f.deadline.version == "2.15.2"
	regex.match(`^\d+ advisories apply( \(\d+ more if features are enabled\))? to nats-server 2\.10\.24, the most severe CVE-2025-30215 \(critical\)$`, f.deadline.what)
}

test_ver_001_deadline_version_is_the_series_latest if {
	f := one(fx.input_with(deployed("2.14.2")), "NATS-VER-001")
	f.deadline.version == "2.14.9"
}

test_ver_002_deadline_is_end_of_life if {
	f := one(fx.input_with(deployed("2.10.24-alpine")), "NATS-VER-002")
	f.deadline.kind == "end_of_life"
	f.deadline.date == ""
	f.deadline.version == "2.10.29"
	f.deadline.what == "nats-server 2.10 (image nats:2.10.24-alpine) is end-of-life (last release 2.10.29): no more security fixes"
}

# The opening of VER-001's message for each mix of definite (d) and
# conditional (c) advisories: exactly one clause of _apply_text answers, so
# a clause that loses its `d > 0` conflicts with the `d == 0` one.
test_ver_001_apply_text_each_mix if {
	version._apply_text(0, 2) == "2 advisories may apply to"
	version._apply_text(1, 0) == "1 advisory applies to"
	version._apply_text(3, 2) == "3 advisories apply (2 more if features are enabled) to"
}
