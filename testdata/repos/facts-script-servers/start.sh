#!/bin/sh
# Written for natsaudit's tests, modelled on the start scripts of
# ConnectEverything/nats-by-example (b649ca14, examples/topologies/*/cli/main.sh),
# which start nats-server from the shell, and on the nats image's
# `docker run` quick start.
set -eu

docker run -d --name nats-dev -p 4222:4222 -p 8222:8222 nats:2.10.1 -js -m 8222

nats-server -p 4333 -js -sd /tmp/nats \
  --cluster nats://0.0.0.0:6333

# A server that runs a config file: that file is audited on its own.
nats-server -c main.conf &

# Commands to a running server, not servers.
nats-server --signal reload
nats-server --signal ldm=pids/n1
nats-server -t -c main.conf
