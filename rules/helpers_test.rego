# Helpers shared by the rule tests: each test file keeps one line that runs
# its own package (findings(doc) := {f | some f in pkg.deny with input as
# doc}) and asks these about the result, so what "fires" or "exactly one"
# means is written once.
package natsaudit.test.helpers

# hits(fs, id) is the findings of rule id among fs.
hits(fs, id) := [f | some f in fs; f.rule_id == id]

# fires(fs, id): rule id has at least one finding among fs.
fires(fs, id) if count(hits(fs, id)) > 0

# one(fs, id) is rule id's finding when there is exactly one.
one(fs, id) := f if {
	hs := hits(fs, id)
	count(hs) == 1
	f := hs[0]
}

# sev(f) is the finding's own severity, or "default" for the rule's.
sev(f) := object.get(f, "severity", "default")
