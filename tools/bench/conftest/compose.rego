# The Conftest side of the comparison in docs/performance.md: one rule over
# the generated compose files (the same check as natsaudit's memory-limit
# rule, without its cross-file logic).
package main

deny contains msg if {
	some name, svc in input.services
	startswith(svc.image, "nats:")
	not svc.deploy.resources.limits.memory
	msg := sprintf("service %s runs NATS without a memory limit", [name])
}
