# ACME's own stream conventions, as natsaudit custom rules. Load them with
#
#     natsaudit scan . --rules examples/custom-rules
#
# and test them with
#
#     natsaudit rules test examples/custom-rules
#
# Custom rules see the same input as the built-in ones (docs/model.md) and
# use the same library (data.natsaudit.lib); their package must be under
# natsaudit.rules. Network built-ins (http.send, net.lookup_ip_addr) are not
# available: rules judge the inventory, nothing else.
package natsaudit.rules.acme_streams

import data.natsaudit.lib

# Team policy values. Custom rules keep their thresholds here: parameters in
# .natsaudit.yaml apply to the built-in rules' data.natsaudit.params.
max_retention_days := 90

day_ns := ((24 * 60) * 60) * 1000000000

# A subject is <tenant>.<domain>.<anything>: lower-case tokens, at least
# three of them, the first two literal (no wildcard).
subject_pattern := `^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.(>|[^.]+(\..+)?)$`

# METADATA
# title: Stream keeps messages longer than the retention policy allows
# description: >-
#   ACME's data-retention policy says that no stream keeps messages for more
#   than 90 days: events carry personal data, and a stream without max_age
#   keeps every message until another limit removes it, or forever. A stream
#   bounded only by size or count still fails the policy, because at low
#   traffic its oldest messages stay for years.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/streams#configuration
# custom:
#   id: ACME-STR-001
#   severity: medium
#   category: operations
#   facets: [streams, live]
#   remediation: |-
#     Set max_age to 90 days or less: `max_age: 2160h` in a NACK manifest,
#     `"max_age": 7776000000000000` (nanoseconds) in a stream JSON file, or
#
#         nats stream edit ORDERS --max-age 90d
deny contains f if {
	some st in input.streams
	msg := _retention_problem(st)
	f := lib.finding(rego.metadata.rule(), st, "config/max_age", msg)
}

# A rule is one METADATA block over one deny definition (a second
# definition would not carry the annotations), so the cases are helpers.
_retention_problem(st) := msg if {
	lib.num(object.get(st.config, "max_age", 0)) == 0
	msg := sprintf("stream %s has no max_age: it keeps messages until another limit removes them (policy: at most %d days)", [st.name, max_retention_days])
}

_retention_problem(st) := msg if {
	age := lib.num(object.get(st.config, "max_age", 0))
	age > max_retention_days * day_ns
	msg := sprintf("stream %s keeps messages for %d days (policy: at most %d days)", [st.name, round(age / day_ns), max_retention_days])
}

# METADATA
# title: Stream subject outside the <tenant>.<domain>.> naming convention
# description: >-
#   ACME's subjects start with the tenant and the domain (`sahool.events.>`,
#   `acme.billing.invoice.created`). Permissions, mirrors and exports are
#   written against that prefix, so a stream that captures `weather.>` is
#   invisible to the tenant's permissions and can collide with another
#   tenant's subjects.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/subjects#subject-hierarchies
# custom:
#   id: ACME-STR-002
#   severity: low
#   category: operations
#   facets: [streams, live]
#   remediation: |-
#     Rename the subjects to `<tenant>.<domain>.…` (e.g. `weather.>` →
#     `sahool.weather.>`); move publishers first, or add a subject mapping
#     (`mappings { "weather.>": "sahool.weather.>" }`) during the migration.
deny contains f if {
	some st in input.streams
	some i, subject in object.get(st.config, "subjects", [])
	not regex.match(subject_pattern, subject)
	f := lib.finding(rego.metadata.rule(), st, sprintf("config/subjects/%d", [i]),
		sprintf("stream %s captures %q, which does not follow <tenant>.<domain>.>", [st.name, subject]))
}
