#!/usr/bin/env bash
# Starts any broker service that is not answering, with the commands this machine kind uses.
set -u
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do up "$1" && return 0; sleep 1; done; echo "service on port $1 did not come up" >&2; return 1; }
if ! up 6379 && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp --logfile /tmp/redis-ci.log
  wait_port 6379
fi
if ! up 5672 && command -v rabbitmq-server >/dev/null; then
  rabbitmq-server -detached
  wait_port 5672
fi
if ! up 1883 && command -v mosquitto >/dev/null; then
  mosquitto -d -c /etc/mosquitto/mosquitto.conf
  wait_port 1883
fi
if ! up 4222 && command -v nats-server >/dev/null; then
  start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server)" -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port 4222
fi
if command -v java >/dev/null; then
  # Apache Kafka (KRaft, one node): its jars from Maven Central into this checkout, always (the
  # fault tests start private nodes from them, even when a node already answers on 9092), then
  # the shared node on 9092 unless one is up.
  t0=$SECONDS
  bash "$(dirname "$0")/../services/kafka/kafka.sh" fetch
  t1=$SECONDS
  if ! up 9092; then bash "$(dirname "$0")/../services/kafka/kafka.sh" start 9092; fi
  echo "kafka set-up: fetch $((t1 - t0)) s, start $((SECONDS - t1)) s"
fi
for port in 6379 5672 4222 1883 9092; do
  if up "$port"; then echo "port $port: up"; else echo "port $port: DOWN"; fi
done
