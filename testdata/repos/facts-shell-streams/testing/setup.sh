#!/bin/sh
# Modelled on LinuxForHealth/gateway-batch-collector testing/setup.sh (commit
# 60cce87570a8861eaa1ca998688f262cb65ef3dc) and ermasavior/nebeng-jek
# deployments/nats/create_streams.sh (commit c6d62a5bab44d95c68c4eb29cc0c5a462c4fda78).
# Nothing here is ever run by natsaudit.
nats str add HL7 --subjects "HL7.*" --ack --max-msgs=-1 --max-bytes=-1 --max-age=-1 --storage file --retention limits --discard=old --dupe-window=2m --replicas=1
nats con add HL7 MESSAGES --filter HL7.MESSAGES --ack all --target HL7MESSAGES --deliver last --wait=70s --max-deliver=-1 --max-pending=100
nats con add HL7 BOUNDED --filter HL7.BOUNDED --ack explicit --pull --deliver all --max-deliver=5

# Create Ride Events Stream
./nats stream add RIDE_EVENTS \
    --server nats://127.0.0.1:4222 \
    --subjects "ride.*" \
    --storage file \
    --replicas 1 \
    --max-age 1h \
    --max-bytes 5242880

# The replica count comes from the environment: unknown, not "one".
nats stream add ORDERS --subjects 'orders.>' --replicas "${ORDERS_REPLICAS:-3}" --max-age "$ORDERS_MAX_AGE"

cat > nats.conf <<EOF2
port: 4222
nats stream add NOT_A_COMMAND --subjects x
EOF2
nats-server -c nats.conf &
