# A custom rule that fails at evaluation time: _value has two values for a
# server whose name is not its file name (eval_conflict_error), and OPA's
# message lists the conflicting values, which come from the scanned files.
package natsaudit.rules.zz_conflict

import data.natsaudit.lib

# METADATA
# title: Conflicting rule
# description: Fails at runtime on purpose, to test rule isolation.
# custom:
#   id: ZZ-CONFLICT-001
#   severity: low
#   category: operations
#   facets: [config]
#   remediation: Fix the rule.
deny contains f if {
	some s in input.servers
	n := _value(s)
	f := lib.finding(rego.metadata.rule(), s, "config", sprintf("%v", [n]))
}

_value(s) := v if {
	some v in [s.name, s.config_file]
}
