# Version and supply-chain rules: known advisories, end-of-life series,
# missing patches, the Go toolchain and unpinned images. The advisory table
# is data (rules/data/advisories.json, built by tools/advisories).
package natsaudit.rules.version

import data.natsaudit.lib
import data.natsaudit.lib.authconf
import data.natsaudit.lib.exposure
import data.natsaudit.lib.livedocs
import data.natsaudit.lib.tlsconf
import data.natsaudit.lib.versions

_advisories := data.natsaudit.advisories

# METADATA
# title: nats-server version affected by known advisories
# description: >-
#   The running (or deployed) nats-server release is in the affected range of
#   published NATS security advisories whose preconditions the server meets.
#   The severity is the highest among the advisories that certainly apply;
#   advisories that depend on a feature the scan cannot see (for example a
#   compose service without its config, or a live-only server) are listed as
#   "affected if ... is enabled".
# related_resources:
#   - ref: https://advisories.nats.io/
#   - ref: https://github.com/nats-io/nats-server/security/advisories
# custom:
#   id: NATS-VER-001
#   severity: high
#   severity_varies: critical when an applicable advisory is critical, lower when only lower ones apply
#   category: security
#   fix_kind: nats_version
#   facets: [config, deployment, live]
#   remediation: |-
#     Upgrade nats-server to the newest release of a supported series that
#     fixes every listed advisory, e.g. `image: nats:2.15.2-alpine`. Until
#     then apply the workarounds of each advisory (https://advisories.nats.io/).
deny contains f if {
	some s in input.servers
	v := _eval_version(s)
	candidates := _advisories_by_version[v]
	count(candidates) > 0

	# Only the gates these advisories name: some walk the whole config.
	st := _states(s, _gates_by_version[v])
	r := _verdict(v, st)
	msg := sprintf("nats-server %s (%s) is affected by %s. %s", [v, versions.version_label(s), r.text, _upgrade_hint(s)])
	f := lib.with_deadline_version(
		object.union(
			lib.finding_sev(rego.metadata.rule(), s, versions.version_path(s), msg, r.sev),
			{"remediation": _remediation(s, r.ranked)},
		),
		"", "advisory_fix", sprintf("%s nats-server %s, the most severe %s (%s)", [
			r.apply, v, r.ranked[0].id, r.ranked[0].severity,
		]),
		_fix_version(s),
	)
}

# _verdict(v, st): which of version v's advisories apply given the feature
# states st, their severity and texts. A function of (version, states) only:
# OPA caches calls with the same ground arguments, so servers sharing a
# version and feature states are judged once.
_verdict(v, st) := r if {
	affected := [a | some a in _advisories_by_version[v]; _applies(st, a)]
	count(affected) > 0
	definite := [a | some a in affected; count(_conditions(st, a)) == 0]
	conditional := [a | some a in affected; count(_conditions(st, a)) > 0]
	r := {
		"sev": _max_sev(definite, conditional),
		"text": concat("", [_definite_text(definite), _conditional_text(st, conditional, count(definite))]),
		"ranked": array.concat(_by_sev(definite), _by_sev(conditional)),
		"apply": _apply_text(count(definite), count(conditional)),
	}
}

# _apply_text: "6 advisories apply to", "1 advisory applies (2 more if
# features are enabled) to", "2 advisories may apply to".
_apply_text(0, c) := sprintf("%s may apply to", [_n_advisories(c)])

_apply_text(d, 0) := sprintf("%s %s to", [_n_advisories(d), _verb(d)]) if d > 0

_apply_text(d, c) := sprintf("%s %s (%d more if features are enabled) to", [_n_advisories(d), _verb(d), c]) if {
	d > 0
	c > 0
}

_verb(1) := "applies"

_verb(n) := "apply" if n != 1

# _fix_version: the release the upgrade hint names (the latest of the
# series, or of the newest supported series).
_fix_version(s) := _advisories.latest[x] if {
	x := versions.server_series(s)
	x in _advisories.supported_series
} else := _newest_latest

# _newest_latest: the latest release of the newest supported series, a
# rule without arguments so that it is computed once, not per server.
_newest_latest := _advisories.latest[x] if {
	some x in _advisories.supported_series
	every y in _advisories.supported_series {
		versions.series_cmp(y, x) <= 0
	}
}

# _remediation: the upgrade, then each advisory's own workaround (the
# "Workarounds" of its note, in rules/data/advisories.json) with its link.
_remediation(s, list) := sprintf("%s Until then:\n\n%s", [_upgrade_hint(s), _workarounds(list)])

# _workarounds(list): one line per advisory. A function of the list alone:
# servers that share a verdict share its list, so OPA builds the text once.
_workarounds(list) := concat("\n", [sprintf("- %s (%s): %s (%s)", [a.id, a.severity, _workaround(a), a.url]) | some a in list])

_workaround(a) := a.workaround if {
	a.workaround != ""
} else := "no workaround published; upgrade."

# _advisories_by_version: the advisories whose ranges contain each distinct
# version of the inventory, matched once per version (servers share a few).
_advisories_by_version := {v: [a |
	some a in _advisories.advisories
	not a.id in lib.params.versions.ignore_advisories
	versions.affected_by(v, a)
] |
	some v in _versions
}

_versions := {v | some s in input.servers; v := _eval_version(s)}

# _gates_by_version: the feature gates named by each version's advisories.
_gates_by_version := {v: {f |
	some a in _advisories_by_version[v]
	some r in a.requires
	some f in split(trim_prefix(r, "!"), "|")
} |
	some v in _versions
}

# _eval_version: the exact version, or for a floating tag (nats:2.10) the
# newest release of that series, which is what a pull gets today.
_eval_version(s) := v if {
	v := versions.server_semver(s)
} else := v if {
	v := _advisories.latest[versions.server_series(s)]
}

_definite_text(list) := sprintf("%s: %s", [_n_advisories(count(list)), concat(", ", [sprintf("%s (%s)", [a.id, a.severity]) | some a in _by_sev(list)])]) if {
	count(list) > 0
} else := ""

_conditional_text(st, list, ndef) := sprintf("%s%d more if these features are enabled: %s", [
	_sep(ndef), count(list),
	concat(", ", [sprintf("%s (%s: %s)", [a.id, a.severity, concat(" and ", [_gate_text(r) | some r in _conditions(st, a)])]) | some a in _by_sev(list)]),
]) if {
	count(list) > 0
} else := ""

# _gate_text("!mqtt") = "no mqtt"; _gate_text("routes|leafnodes") = "routes or leafnodes".
_gate_text(r) := sprintf("no %s", [substring(r, 1, -1)]) if {
	startswith(r, "!")
} else := concat(" or ", split(r, "|"))

_sep(0) := ""

_sep(n) := "; " if n > 0

_n_advisories(1) := "1 advisory"

_n_advisories(n) := sprintf("%d advisories", [n]) if n != 1

_rank := {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}

_by_sev(list) := [a |
	some r in [4, 3, 2, 1, 0]
	some a in list
	_rank[a.severity] == r
]

_max_sev(definite, _) := _top(definite) if count(definite) > 0

_max_sev(definite, conditional) := _top(conditional) if count(definite) == 0

_top(list) := [k | some k, r in _rank; r == max({_rank[a.severity] | some a in list})][0]

_upgrade_hint(s) := sprintf("Upgrade to %s (latest of the %s series).", [_advisories.latest[x], x]) if {
	x := versions.server_series(s)
	x in _advisories.supported_series
} else := _supported_hint

# _supported_hint: the hint for a server on no supported series, built
# once (a rule without arguments), not per server.
_supported_hint := sprintf("Upgrade to a supported series: %s.", [concat(" or ", [_advisories.latest[x] | some x in _advisories.supported_series])])

# ---------------------------------------------------------------------------
# Feature gates: each advisory's `requires` names features the server must
# use for it to apply. A feature is "yes", "no" or "unknown" (not visible in
# what the scan has).

_applies(st, a) if {
	every r in a.requires {
		_req(st, r) != "no"
	}
}

_conditions(st, a) := [r | some r in a.requires; _req(st, r) == "unknown"]

_req(st, r) := _negate(_state(st, substring(r, 1, -1))) if startswith(r, "!")

_req(st, r) := _any_of([_state(st, x) | some x in split(r, "|")]) if {
	not startswith(r, "!")
	contains(r, "|")
}

_req(st, r) := _state(st, r) if {
	not startswith(r, "!")
	not contains(r, "|")
}

# Unknown gate names (a typo in the table) count as unknown, never as "no".
_state(st, f) := object.get(st, f, "unknown")

_negate("yes") := "no"

_negate("no") := "yes"

_negate("unknown") := "unknown"

_any_of(list) := "yes" if {
	"yes" in list
} else := "no" if {
	every x in list {
		x == "no"
	}
} else := "unknown"

# _states(s, gates): the state of each gate, read from the Go facts in one
# comprehension when the input has them (no call per gate).
_states(s, gates) := {f: object.get(fs, f, "unknown") | some f in gates} if {
	fs := s.derived.features
} else := {f: _status(s, f) | some f in gates}

# _status(s, f): the scanner computes every gate's state once per server in
# Go (s.derived.features); inputs without it (hand-written tests) get the
# same state from _feature and _known below.
_status(s, f) := object.get(s.derived.features, f, "unknown") if {
	s.derived.features
} else := "yes" if {
	_feature(s, f)
} else := "no" if {
	_known(s, f)
} else := "unknown"

# _cfg(s): the configuration in effect, including the official image's
# bundled config when compose runs it.
_cfg(s) := s.config if {
	is_object(s.config)
} else := exposure.image_default_config if {
	s.deployment.uses_image_default_config == true
}

# What a configuration shows (and so can rule out).
_config_features := {
	"websocket", "leafnodes", "leafnode_listener", "mqtt", "jetstream", "operator", "accounts",
	"no_auth_user", "verify_and_map", "monitoring", "routes", "allowed_connection_types",
	"deny_permissions", "sys_only_accounts", "auth_callout",
}

# _known_features: every gate an advisory may name (tools/advisories checks
# the overlay against the same list).
_known_features := (_config_features | _varz_features) | {"cli_credentials", "cli_tls"}

# What /varz shows (nested listener objects are empty when off).
_varz_features := {"websocket", "leafnodes", "leafnode_listener", "mqtt", "jetstream", "operator", "routes"}

_known(s, f) if {
	f in _config_features
	_cfg(s)
}

_known(s, f) if {
	f in _varz_features
	livedocs.varz_of(s)
}

_known(s, f) if {
	f in {"cli_credentials", "cli_tls"}
	is_object(s.deployment)
}

_known(s, "monitoring") if startswith(object.get(object.get(s, "live", {}), "endpoint", ""), "http")

_feature(s, "websocket") if _listener(s, "websocket", "websocket")

_feature(s, "mqtt") if _listener(s, "mqtt", "mqtt")

_feature(s, "leafnode_listener") if _listener(s, "leafnodes", "leaf")

_feature(s, "leafnodes") if _listener(s, "leafnodes", "leaf")

_feature(s, "leafnodes") if count(_cfg(s).leafnodes.remotes) > 0

_feature(s, "leafnodes") if count(livedocs.varz_of(s).leaf.remotes) > 0

_feature(s, "routes") if livedocs.varz_port(_cfg(s).cluster, "port")

_feature(s, "routes") if count(_cfg(s).cluster.routes) > 0

_feature(s, "routes") if livedocs.varz_port(livedocs.varz_of(s).cluster, "cluster_port")

_feature(s, "jetstream") if _cfg(s).jetstream.enabled == true

_feature(s, "jetstream") if is_object(livedocs.varz_of(s).jetstream.config)

_feature(s, "operator") if authconf.operator_mode(_cfg(s))

_feature(s, "operator") if livedocs.varz_of(s).trusted_operators_claim

_feature(s, "accounts") if count(_cfg(s).accounts) > 0

_feature(s, "accounts") if authconf.operator_mode(_cfg(s))

_feature(s, "no_auth_user") if {
	some p in [["no_auth_user"], ["websocket", "no_auth_user"], ["mqtt", "no_auth_user"]]
	x := object.get(_cfg(s), p, "")
	is_string(x)
	x != ""
}

_feature(s, "no_auth_user") if {
	some k in ["websocket", "mqtt"]
	livedocs.varz_of(s)[k].no_auth_user != ""
}

_feature(s, "verify_and_map") if {
	some [_, t] in tlsconf.tls_blocks(s)
	t.verify_and_map == true
}

_feature(s, "monitoring") if {
	some k in ["http_port", "https_port"]
	lib.num(_cfg(s)[k]) != 0
}

_feature(s, "monitoring") if startswith(s.live.endpoint, "http")

_feature(s, "cli_credentials") if {
	some k in ["pass", "auth"]
	s.deployment.flags[k]
}

_feature(s, "cli_credentials") if s.deployment.flags.routes_with_credentials == true

_feature(s, "cli_tls") if {
	some k in ["tls", "tlscert", "tlskey", "tlsverify", "tlscacert"]
	s.deployment.flags[k]
}

_feature(s, "allowed_connection_types") if {
	some u in tlsconf.all_users(_cfg(s))
	some k in ["allowed_connection_types", "proxy_required"]
	object.get(u, k, null) != null
}

_feature(s, "allowed_connection_types") if _cfg(s).authorization.proxy_required == true

_feature(s, "deny_permissions") if {
	some p in tlsconf.all_permissions(_cfg(s))
	some dir in ["publish", "subscribe"]
	count(object.get(p, [dir, "deny"], [])) > 0
}

_feature(s, "sys_only_accounts") if authconf.sys_only_accounts(_cfg(s))

_feature(s, "auth_callout") if _cfg(s).authorization.auth_callout

_listener(s, kind, _) if livedocs.varz_port(_cfg(s)[kind], "port")

_listener(s, _, vk) if livedocs.varz_port(livedocs.varz_of(s)[vk], "port")

# METADATA
# title: End-of-life nats-server series
# description: >-
#   The release series no longer gets bug or security fixes (RELEASES.md: the
#   current and previous minor series are supported). Advisories published
#   after its last release stay unfixed on it, whatever the patch level.
# related_resources:
#   - ref: https://github.com/nats-io/nats-server/blob/main/RELEASES.md
# custom:
#   id: NATS-VER-002
#   severity: high
#   category: security
#   fix_kind: nats_version
#   facets: [deployment, live]
#   remediation: |-
#     Move nats-server to a supported release series, e.g.
#     `image: nats:2.15.2-alpine`; read the release notes of each minor
#     version in between (JetStream API level, config changes).
deny contains f if {
	some s in input.servers
	x := versions.server_series(s)
	_eol(x)
	f := lib.with_deadline_version(
		lib.finding(rego.metadata.rule(), s, versions.version_path(s), sprintf("nats-server %s (%s) is end-of-life%s; supported series: %s", [
			x, versions.version_label(s), _last_note(x), concat(", ", _advisories.supported_series),
		])),
		"", "end_of_life", sprintf("nats-server %s (%s) is end-of-life%s: no more security fixes", [x, versions.version_label(s), _last_note(x)]),
		object.get(object.get(_advisories.eol, x, {}), "last", ""),
	)
}

_eol(x) if _advisories.eol[x]

_eol(x) if {
	not _advisories.latest[x]
	every y in _advisories.supported_series {
		versions.series_cmp(x, y) < 0
	}
}

_last_note(x) := sprintf(" (last release %s)", [_advisories.eol[x].last]) if {
	_advisories.eol[x].last
} else := ""

# METADATA
# title: Behind the latest patch release of its series
# description: >-
#   A newer patch release of the same supported series exists; patch
#   releases carry bug and security fixes without breaking changes.
# related_resources:
#   - ref: https://github.com/nats-io/nats-server/releases
# custom:
#   id: NATS-VER-003
#   severity: medium
#   category: security
#   fix_kind: nats_version
#   facets: [deployment, live]
#   remediation: Update nats-server to the latest patch release of its series and pin that exact version.
deny contains f if {
	some s in input.servers
	v := versions.server_semver(s)
	x := versions.server_series(s)
	x in _advisories.supported_series
	latest := _advisories.latest[x]
	semver.compare(v, latest) < 0
	f := lib.finding(rego.metadata.rule(), s, versions.version_path(s), sprintf("nats-server %s (%s) is behind %s, the latest %s release", [v, versions.version_label(s), latest, x]))
}

# METADATA
# title: Built with a Go release that has a known TLS flaw
# description: >-
#   The server binary was built with a Go toolchain older than the fix for
#   CVE-2025-68121 (crypto/tls). It matters only for mutual TLS set-ups that
#   use different CA bundles per listener, but it is fixed only by a
#   rebuild, i.e. a newer nats-server release.
# related_resources:
#   - ref: https://advisories.nats.io/CVE/secnote-2026-01.txt
# custom:
#   id: NATS-VER-004
#   severity: low
#   category: security
#   fix_kind: nats_version
#   facets: [live]
#   remediation: Upgrade to a nats-server release built with Go 1.24.13, 1.25.7 or newer (`/varz` field `go`).
deny contains f if {
	some s in livedocs.varz_servers
	g := livedocs.varz_of(s).go
	is_string(g)
	gv := _go_version(g)
	some a in _advisories.toolchain
	_go_affected(gv, a.go_fixed)
	f := lib.finding_sev(rego.metadata.rule(), s, "live/varz/go", sprintf("nats-server was built with Go %s, affected by %s (fixed in Go %s)", [gv, a.id, concat(" / ", a.go_fixed)]), a.severity)
}

# _go_version("go1.24.12 X:boringcrypto") = "1.24.12"; "go1.25" = "1.25.0".
_go_version(g) := v if {
	m := regex.find_all_string_submatch_n(`^go(\d+)\.(\d+)(?:\.(\d+))?`, g, 1)[0]
	v := sprintf("%s.%s.%s", [m[1], m[2], _or_zero(m[3])])
}

_or_zero("") := "0"

_or_zero(x) := x if x != ""

# Affected when older than the fix of its own series, or older than every
# fixed series.
_go_affected(v, fixed) if {
	some f in fixed
	_same_series(v, f)
	semver.compare(v, f) < 0
}

_go_affected(v, fixed) if {
	every f in fixed {
		semver.compare(v, f) < 0
		not _same_series(v, f)
	}
}

_same_series(a, b) if {
	pa := split(a, ".")
	pb := split(b, ".")
	pa[0] == pb[0]
	pa[1] == pb[1]
}

# METADATA
# title: Unpinned nats image
# description: >-
#   The compose service runs nats without a version (nats, nats:latest,
#   nats:alpine) or with a floating series tag (nats:2.10) and no digest: each
#   pull may bring a different server release, so what runs is neither
#   reviewed nor reproducible. A full x.y.z tag counts as pinned.
# related_resources:
#   - ref: https://hub.docker.com/_/nats
# custom:
#   id: NATS-VER-005
#   severity: low
#   category: security
#   facets: [deployment]
#   remediation: |-
#     Pin the release, ideally with its digest:
#
#         image: nats:2.15.2-alpine@sha256:<digest>
deny contains f if {
	some s in input.servers
	d := s.deployment
	regex.match(`(^|/)nats(-server)?$`, d.image_repo)
	not d.image_from_env
	d.image_digest == ""
	not regex.match(`^v?\d+\.\d+\.\d+`, d.image_tag)
	f := lib.finding(rego.metadata.rule(), s, "deployment/image", sprintf("%s runs image %s, which is not pinned to a release", [lib.server_label(s), d.image]))
}
