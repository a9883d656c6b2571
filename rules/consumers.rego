package natsaudit.rules.consumers

import data.natsaudit.lib

# Consumer rules run on definition files, NACK manifests and live consumers
# (config in the jsz ConsumerConfig shape; state only for live ones).

# METADATA
# title: Unlimited redelivery
# description: >-
#   With max_deliver unset (-1), a message the handler cannot process is
#   redelivered forever: it keeps a worker busy, holds an ack-pending slot, and
#   the MAX_DELIVERIES advisory that feeds a dead-letter stream is never sent.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/consumers
#   - ref: https://docs.nats.io/using-nats/developer/develop_jetstream/consumers
# custom:
#   id: NATS-CON-001
#   severity: medium
#   category: reliability
#   facets: [streams, live]
#   remediation: |-
#     Bound redelivery, back off between attempts, and capture the advisory
#     `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>` into
#     a dead-letter stream:
#
#         "max_deliver": 10,
#         "backoff": [1000000000, 10000000000, 60000000000]
deny contains f if {
	some c in input.consumers
	object.get(c.config, "ack_policy", "none") != "none"
	lib.num(object.get(c.config, "max_deliver", -1)) <= 0
	f := lib.finding(rego.metadata.rule(), c, "config/max_deliver", sprintf("consumer %s on stream %s redelivers unacknowledged messages without limit (max_deliver unset): a poison message loops forever and never reaches a dead-letter queue", [_name(c), c.stream]))
}

_name(c) := c.name if {
	c.name != ""
} else := object.get(c.config, "durable_name", "(unnamed)")

# METADATA
# title: Consumer lag
# description: >-
#   Many messages wait for this consumer (num_pending): the application is
#   behind, and with limits on the stream the oldest unconsumed messages may
#   be dropped before they are processed.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/monitoring
# custom:
#   id: NATS-CON-002
#   severity: medium
#   category: performance
#   facets: [live]
#   remediation: |-
#     Add consumers/workers (pull consumers scale by adding fetchers), make
#     the handler faster, or check that the application is running at all.
#     Thresholds: `consumers.pending_medium` / `consumers.pending_high`.
deny contains f if {
	some c in input.consumers
	pending := lib.num(c.state.num_pending)
	pending > lib.params.consumers.pending_medium
	f := lib.finding_sev(rego.metadata.rule(), c, "state/num_pending", sprintf("consumer %s on stream %s has %d messages pending", [_name(c), c.stream, pending]), _lag_sev(pending))
}

_lag_sev(n) := "high" if n > lib.params.consumers.pending_high

_lag_sev(n) := "medium" if n <= lib.params.consumers.pending_high

# METADATA
# title: Consumer at its max_ack_pending
# description: >-
#   The consumer has (nearly) as many unacknowledged messages as max_ack_pending
#   allows; at the limit the server stops delivering to it, so the application
#   stalls while acks are slow or lost.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/consumers
# custom:
#   id: NATS-CON-003
#   severity: high
#   category: performance
#   facets: [live]
#   remediation: |-
#     Ack faster (or in the handler's error path too), add workers, or raise
#     the limit: `nats consumer edit <stream> <consumer> --max-pending 5000`.
deny contains f if {
	some c in input.consumers
	limit := lib.num(c.config.max_ack_pending)
	limit > 0
	pending := lib.num(c.state.num_ack_pending)
	pending >= lib.params.consumers.ack_pending_ratio * limit
	f := lib.finding(rego.metadata.rule(), c, "state/num_ack_pending", sprintf("consumer %s on stream %s has %d of max_ack_pending %d messages unacknowledged: delivery stops at the limit", [_name(c), c.stream, pending, limit]))
}

# METADATA
# title: Many redeliveries
# description: >-
#   The consumer has redelivered many messages: handlers fail, time out or do
#   not ack, and the same messages are processed again and again.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/consumers
# custom:
#   id: NATS-CON-004
#   severity: medium
#   category: reliability
#   facets: [live]
#   remediation: |-
#     Find why handlers fail (logs, the MAX_DELIVERIES advisories), make
#     ack_wait longer than the slowest handler, and set max_deliver with a
#     backoff so poison messages stop looping.
deny contains f if {
	some c in input.consumers
	n := lib.num(c.state.num_redelivered)
	n > lib.params.consumers.max_redelivered
	f := lib.finding(rego.metadata.rule(), c, "state/num_redelivered", sprintf("consumer %s on stream %s has %d redelivered messages", [_name(c), c.stream, n]))
}

# METADATA
# title: Push consumer with no subscriber
# description: >-
#   A push consumer has messages pending but nobody subscribes to its deliver
#   subject: nothing is processed, and a forgotten durable keeps interest and
#   state on the servers.
# related_resources:
#   - ref: https://docs.nats.io/nats-concepts/jetstream/consumers
# custom:
#   id: NATS-CON-005
#   severity: low
#   category: operations
#   facets: [live]
#   remediation: |-
#     Start its subscriber, or remove it (`nats consumer rm <stream> <consumer>`);
#     set inactive_threshold so abandoned consumers clean themselves up.
deny contains f if {
	some c in input.consumers
	is_object(c.state)
	object.get(c.config, "deliver_subject", "") != ""
	not c.state.push_bound == true
	pending := lib.num(c.state.num_pending)
	pending > 0
	f := lib.finding(rego.metadata.rule(), c, "state/push_bound", sprintf("push consumer %s on stream %s has %d messages pending and no subscriber on %s", [_name(c), c.stream, pending, c.config.deliver_subject]))
}
