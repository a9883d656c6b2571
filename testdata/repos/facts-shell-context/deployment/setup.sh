#!/bin/bash
# Modelled on MSSkowron/nats-service-sharing-environments deployment/cluster/setup.sh
# (commit a4c2b351d257ea735ba2649f75ea42f764925c9e) and fuscoyu/nats-samples
# nats-cluster/dual-source-dual-mirror/scripts/setup.sh (commit
# 34b3b8c9a9852f948f8a5008f10fe64e7e9124aa).
set -e

nats context save nats1 --server nats://admin:admin@localhost:4222 --description 'NATS Server localhost:4222'

NATS_CMD="docker exec -i nats-box-qa1a nats"
$NATS_CMD context save qa1a \
    --server "nats://js1-qa1a:4222" \
    --user app \
    --password app \
    --description "Zone qa1a with app credentials"

# A real-looking password committed in the script.
nats context save ops --user ops --password 'Lk5vQ9xR3mWz7Tn2Pb8Yc4Hd' --server tls://nats.example.com:4222

# From the environment: not committed.
nats context save ci --user ci --password "$NATS_CI_PASSWORD" --server "nats://ci:${NATS_CI_PASSWORD}@nats:4222"
