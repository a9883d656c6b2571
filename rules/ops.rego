package natsaudit.rules.ops

import data.natsaudit.lib
import data.natsaudit.lib.livedocs

# METADATA
# title: Debug or trace logging enabled
# description: >-
#   debug and trace logging slow the server down and fill disks; trace logs
#   every protocol message with its subjects, headers and payloads, so
#   application data and credentials end up in log files.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/logging
# custom:
#   id: NATS-OPS-001
#   severity: medium
#   category: operations
#   facets: [config, deployment]
#   remediation: |-
#     Turn them off in production (`debug: false`, `trace: false`, no
#     `-D`/`-V`/`-DV` flags). For a short investigation, reload a config
#     with debug on (`nats-server --signal reload`) and turn it off again.
deny contains f if {
	some s in lib.configured_servers
	some k in ["debug", "trace", "trace_verbose"]
	s.config[k] == true
	f := lib.finding(rego.metadata.rule(), s, sprintf("config/%s", [k]), sprintf("%s has %s logging enabled%s", [lib.server_label(s), k, _why(k)]))
}

_why("debug") := ""

_why(k) := ": every message, with payload and headers, is written to the log" if k != "debug"

# METADATA
# title: Log file without size limit or with unlimited rotated files
# description: >-
#   With logfile set and no logfile_size_limit the log grows until the disk is
#   full; with a size limit but no logfile_max_num every rotated file is kept
#   forever.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/logging
# custom:
#   id: NATS-OPS-002
#   severity: low
#   category: operations
#   facets: [config, deployment]
#   remediation: |-
#     Let the server rotate its log and keep a bounded number of old files:
#
#         logfile: /var/log/nats/nats.log
#         logfile_size_limit: 100MB
#         logfile_max_num: 10
deny contains f if {
	some h in _ops_002
	f := lib.finding_of(rego.metadata.rule(), h)
}

_ops_002 contains h if {
	some s in lib.configured_servers
	is_string(s.config.logfile)
	not _positive(s.config, "logfile_size_limit")
	h := {"obj": s, "path": "config/logfile", "msg": sprintf("%s logs to %s without logfile_size_limit: the file grows until the disk is full", [lib.server_label(s), s.config.logfile])}
}

_ops_002 contains h if {
	some s in lib.configured_servers
	is_string(s.config.logfile)
	lib.num(s.config.logfile_size_limit) > 0
	not _positive(s.config, "logfile_max_num")
	h := {"obj": s, "path": "config/logfile_size_limit", "msg": sprintf("%s rotates %s but keeps every rotated file (logfile_max_num unset)", [lib.server_label(s), s.config.logfile])}
}

_positive(cfg, k) if lib.num(cfg[k]) > 0

_positive(cfg, k) if lib.unknown(cfg[k])

# METADATA
# title: Health check failing
# description: >-
#   /healthz reports the server as unhealthy: not ready for clients, or
#   JetStream, an account, a stream or a consumer is in error. JetStream and
#   stream errors mean data is unavailable.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/monitoring
# custom:
#   id: NATS-OPS-003
#   severity: high
#   category: operations
#   facets: [live]
#   remediation: |-
#     Read the errors (`curl 'http://host:8222/healthz?details=true'`) and
#     follow them: restore the meta/stream leaders, check the peers with
#     `nats server report jetstream`, and look at the server log.
deny contains f if {
	some s in livedocs.live_servers
	_unhealthy(s)
	errs := object.get(object.get(s.live, "healthz", {}), "errors", [])
	f := lib.finding_sev(rego.metadata.rule(), s, "live/healthz", sprintf("%s is unhealthy (healthz %s, HTTP %v)%s", [lib.server_label(s), _status(s), object.get(s.live, "healthz_status", "?"), _details(s, errs)]), _health_sev(errs))
}

_unhealthy(s) if {
	st := s.live.healthz.status
	st != "ok"
}

_unhealthy(s) if {
	code := lib.num(s.live.healthz_status)
	code != 200
}

_status(s) := s.live.healthz.status if is_string(s.live.healthz.status)

else := "unknown"

_details(s, errs) := sprintf(": %s", [concat("; ", sort({sprintf("%s %s", [e.type, e.error]) | some e in errs}))]) if {
	count(errs) > 0
} else := sprintf(": %s", [s.live.healthz.error]) if {
	is_string(s.live.healthz.error)
	s.live.healthz.error != ""
} else := ""

_health_sev(errs) := "critical" if {
	some e in errs
	e.type in {"JETSTREAM", "STREAM"}
} else := "high"

# METADATA
# title: Lame-duck duration longer than the container stop grace period
# description: >-
#   In lame-duck mode the server closes client connections gradually over
#   lame_duck_duration (default 2m) so clients reconnect elsewhere. When the
#   orchestrator's grace period (compose stop_grace_period, default 10s) is
#   shorter, the server is killed midway and every remaining client drops at
#   once.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/lame_duck_mode
#   - ref: https://docs.docker.com/reference/compose-file/services/#stop_grace_period
# custom:
#   id: NATS-OPS-004
#   severity: low
#   category: operations
#   facets: [config, deployment]
#   remediation: |-
#     Give the container more time than the lame-duck duration, and enter
#     lame-duck mode on stop:
#
#         stop_signal: SIGUSR2
#         stop_grace_period: 150s
#
#     (or shorten `lame_duck_duration`, 30s minimum).
deny contains f if {
	some s in lib.configured_servers
	d := s.deployment
	d.kind in {"compose", "kubernetes", "helm"}
	_uses_lame_duck(s)
	ldm := _lame_duck(s)
	grace := _grace(d)
	ldm > grace
	f := lib.finding(rego.metadata.rule(), s, _ldm_path(s), sprintf("%s: lame_duck_duration %s is longer than the %s %s: the container is killed before clients have moved", [lib.server_label(s), lib.human_duration(ldm), _grace_name[d.kind], lib.human_duration(grace)]))
}

# Lame duck is in play when it is configured, or when the stop signal (SIGUSR2)
# or a set stop_grace_period shows the deployment relies on it.
_uses_lame_duck(s) if object.get(s.config, "lame_duck_duration", null) != null

_uses_lame_duck(s) if upper(s.deployment.stop_signal) in {"SIGUSR2", "USR2"}

# A compose stop_grace_period is only set for a reason; Kubernetes always
# has a grace period (30s by default), so there only the preStop hook
# (stop_signal SIGUSR2) or the config says lame duck is used.
_uses_lame_duck(s) if {
	s.deployment.kind == "compose"
	lib.num(s.deployment.stop_grace_period) > 0
}

_grace_name := {"compose": "compose stop grace period", "kubernetes": "pod's terminationGracePeriodSeconds", "helm": "pod's terminationGracePeriodSeconds"}

_lame_duck(s) := n if {
	n := lib.num(s.config.lame_duck_duration)
	n > 0
} else := lib.params.limits.default_lame_duck_ns

_grace(d) := n if {
	n := lib.num(d.stop_grace_period)
	n > 0
} else := lib.params.ops.default_stop_grace_ns

_ldm_path(s) := "deployment/stop_grace_period" if {
	lib.num(s.deployment.stop_grace_period) > 0
} else := "config/lame_duck_duration" if {
	object.get(s.config, "lame_duck_duration", null) != null
} else := "deployment"

# METADATA
# title: Config that does not parse, or drifts between cluster members
# description: >-
#   A nats config, compose file or stream definition that does not parse
#   cannot be deployed (nats-server refuses to start) and hides everything
#   else in it from this audit. Live, a member of a cluster whose
#   config_digest differs from the one most members share runs a drifted
#   config.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration
# custom:
#   id: NATS-OPS-005
#   severity: medium
#   category: operations
#   facets: [config, deployment, streams, live]
#   remediation: |-
#     Fix the file and check it before deploying: `nats-server -t -c nats.conf`
#     for configs, `docker compose config` for compose files. For drift,
#     deploy the same config to every member and reload
#     (`nats-server --signal reload`).
deny contains f if {
	some h in _ops_005
	f := lib.finding_of(rego.metadata.rule(), h)
}

_ops_005 contains h if {
	some e in input.errors
	e.kind in lib.params.ops.parse_error_kinds
	h := {"obj": e, "path": "", "msg": sprintf("%s: %s (nats-server, or compose, cannot use this file as it is)", [e.file, e.message])}
}

_ops_005 contains h if {
	some s in livedocs.live_servers
	v := livedocs.live_varz(s)
	name := v.cluster.name
	is_string(name)
	name != ""
	d := v.config_digest
	is_string(d)
	d != ""
	common := _common_digest(name)
	d != common
	h := {"obj": s, "path": "live/varz/config_digest", "msg": sprintf("%s runs a config (digest %s) that differs from the one %d other members of cluster %s share (%s)", [lib.server_label(s), _short(d), _digest_count(name, common), name, _short(common)])}
}

_digests(name) := [d |
	some s in livedocs.live_servers
	v := livedocs.live_varz(s)
	v.cluster.name == name
	d := v.config_digest
	is_string(d)
	d != ""
]

_digest_count(name, d) := count([x | some x in _digests(name); x == d])

# The digest most members share, only when at least two share it: members
# with their own config file (a different server_name is enough) all differ
# by design, and that is not drift.
_common_digest(name) := d if {
	ds := _digests(name)
	counts := {x: n | some x in ds; n := _digest_count(name, x)}
	top := max([n | some _, n in counts])
	top >= 2
	winners := {x | some x, n in counts; n == top}
	count(winners) == 1
	some d in winners
}

_short(d) := substring(trim_prefix(d, "sha256:"), 0, 12)
