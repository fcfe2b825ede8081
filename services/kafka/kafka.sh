#!/usr/bin/env bash
# Apache Kafka for queuelab: one KRaft node (broker and controller in one process, no ZooKeeper)
# on 127.0.0.1, its jars fetched from Maven Central by pom.xml into services/kafka/.cache/lib.
#
#   kafka.sh fetch                 fetch the jars (Maven) unless they are there
#   kafka.sh start  [port]         fetch, format the storage once, start, wait until it answers (default port 9092)
#   kafka.sh stop   [port]         stop it (SIGTERM, then SIGKILL after 30 s)
#   kafka.sh status [port]         say whether it answers
#
# No command is start: `npm run kafka` runs kafka.sh, `npm run kafka -- stop` stops it.
#
# Needs Java 17+ (java) and Maven 3 (mvn, for the first fetch). The node's data, config, log and
# pid live in services/kafka/.cache/run-<port>/; its controller listens on port+1.
set -euo pipefail
case "$0" in */*) here="${0%/*}" ;; *) here=. ;; esac
here="$(cd "$here" && pwd)"
cache="$here/.cache"
lib="$cache/lib"
cmd="${1:-start}"
port="${2:-9092}"
run="$cache/run-$port"
wait_s="${KAFKA_START_TIMEOUT_S:-120}"

die() { echo "kafka.sh: $*" >&2; exit 1; }
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "$port" in ''|*[!0-9]*) echo "kafka.sh: port must be a number, got \"$port\"" >&2; exit 2 ;; esac

need_java() {
  command -v java >/dev/null 2>&1 || die "java is not installed: Kafka needs Java 17 or later (Debian: apt-get install openjdk-17-jre-headless)"
  local major
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
  if [ -n "$major" ] && [ "$major" -lt 17 ]; then die "java $major is too old: Kafka 4 needs Java 17 or later"; fi
}

fetch() {
  local version
  version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
  if [ -f "$lib/kafka_2.13-$version.jar" ] && [ -f "$lib/kafka-tools-$version.jar" ]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "mvn is not installed: the first start fetches Kafka $version's jars with Maven 3 (Debian: apt-get install maven)"
  need_java
  echo "kafka.sh: fetching Apache Kafka $version from Maven Central into $lib"
  rm -rf "$lib"
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" package || die "Maven could not fetch Kafka $version (is Maven Central reachable?)"
  [ -f "$lib/kafka_2.13-$version.jar" ] || die "Maven finished but $lib/kafka_2.13-$version.jar is missing"
}

config() {
  mkdir -p "$run/data"
  cat > "$run/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((port + 1))
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$run/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
PROPS
}

java_opts() {
  echo "-Xms256m -Xmx${KAFKA_HEAP:-1g} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true -Dlog4j2.configurationFile=$here/log4j2.properties -Dkafka.logs.dir=$run"
}

start() {
  if up "$port"; then echo "kafka.sh: something already answers on 127.0.0.1:$port; left as it is"; return 0; fi
  need_java
  fetch
  config
  if [ ! -f "$run/data/meta.properties" ]; then
    # shellcheck disable=SC2046
    java $(java_opts) -cp "$lib/*" kafka.tools.StorageTool format -t "$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid)" \
      -c "$run/server.properties" >"$run/format.log" 2>&1 || { cat "$run/format.log" >&2; die "formatting the KRaft storage in $run/data failed"; }
  fi
  : > "$run/server.log"
  # shellcheck disable=SC2046
  nohup java $(java_opts) -cp "$lib/*" kafka.Kafka "$run/server.properties" >"$run/stdout.log" 2>&1 &
  echo $! > "$run/kafka.pid"
  local pid deadline
  pid="$(cat "$run/kafka.pid")"
  deadline=$((SECONDS + wait_s))
  until up "$port" && grep -q "Kafka Server started" "$run/server.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$run/stdout.log" "$run/server.log" >&2 || true
      die "Kafka exited before it answered on 127.0.0.1:$port (logs in $run)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$run/server.log" >&2 || true
      die "Kafka did not answer on 127.0.0.1:$port within $wait_s s (pid $pid still running; logs in $run)"
    fi
    sleep 0.5
  done
  echo "kafka.sh: Kafka answers on 127.0.0.1:$port (pid $pid, data in $run/data)"
}

stop() {
  local pid
  if [ ! -f "$run/kafka.pid" ]; then echo "kafka.sh: no Kafka started by this script on port $port"; return 0; fi
  pid="$(cat "$run/kafka.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  fi
  rm -f "$run/kafka.pid"
  echo "kafka.sh: stopped Kafka on port $port"
}

case "$cmd" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) if up "$port"; then echo "kafka.sh: Kafka answers on 127.0.0.1:$port"; else echo "kafka.sh: nothing answers on 127.0.0.1:$port"; exit 1; fi ;;
  *) echo "usage: kafka.sh fetch | start [port] | stop [port] | status [port]" >&2; exit 2 ;;
esac
