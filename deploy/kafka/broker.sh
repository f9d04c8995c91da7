#!/usr/bin/env bash
# A local single-node Apache Kafka broker in KRaft mode, bound to 127.0.0.1, from Maven Central jars.
#   deploy/kafka/broker.sh start [--fresh] | stop | status
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (deploy/kafka/.data),
#   KAFKA_LIBS_DIR (deploy/kafka/.libs), KAFKA_HEAP_OPTS (-Xms128m -Xmx512m),
#   KAFKA_START_TIMEOUT / KAFKA_STOP_TIMEOUT in seconds (60 / 30),
#   KAFKA_STOP_WITH_PID: stop the broker when that process ends (tests: no orphan broker),
#   KAFKA_PARTITIONS (3): the broker's default partitions per topic, as deploy/topics.py creates them.
# The generated server.properties, log4j2 config, logs and pid file live in the data directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-9093}"
data="$(realpath -m "${KAFKA_DATA_DIR:-$here/.data}")"
libs="$(realpath -m "${KAFKA_LIBS_DIR:-$here/.libs}")"
pidfile="$data/broker.pid"
props="$data/server.properties"
log4j="$data/log4j2.properties"

running_pid() {  # prints the broker's pid if it is alive
  [[ -f "$pidfile" ]] || return 1
  local pid; pid="$(cat "$pidfile")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

running_address() {  # the address the running broker was started with (KAFKA_PORT may differ now)
  sed -n 's|^advertised.listeners=PLAINTEXT://||p' "$props" 2>/dev/null || echo "127.0.0.1:$port"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_config() {
  mkdir -p "$data/logs" "$data/kraft"
  cat >"$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data/kraft
num.partitions=${KAFKA_PARTITIONS:-3}
auto.create.topics.enable=false
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat >"$log4j" <<LOG4J
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $data/logs/server.log
appender.file.filePattern = $data/logs/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.kafka-request.name = kafka.request.logger
logger.kafka-request.level = warn
logger.state-change.name = state.change.logger
logger.state-change.level = warn
LOG4J
}

java_cmd() {  # the java command line, with the broker's classpath and logging, into array `cmd`
  # shellcheck disable=SC2206
  cmd=(java ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError
       -Djava.awt.headless=true "-Dlog4j2.configurationFile=$log4j" "-Dkafka.logs.dir=$data/logs"
       -cp "$libs/*")
}

format_storage() {
  [[ -f "$data/kraft/meta.properties" ]] && return 0
  local cluster_id cmd
  # A leading '-' would be read as an option by kafka-storage (1 start in 64 failed that way).
  cluster_id="-"
  while [[ $cluster_id == -* ]]; do
    cluster_id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  java_cmd
  "${cmd[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >"$data/logs/format.log" 2>&1 \
    || { cat "$data/logs/format.log" >&2; echo "broker.sh: storage format failed" >&2; exit 1; }
}

start() {
  local pid cmd fresh="${1:-}" timeout="${KAFKA_START_TIMEOUT:-60}"
  if pid="$(running_pid)"; then echo "already running (pid $pid): $(running_address)"; return 0; fi
  for p in "$port" "$cport"; do
    if port_open "$p"; then echo "broker.sh: port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
  done
  "$here/fetch.sh" "$libs"
  if [[ "$fresh" == "--fresh" ]]; then rm -rf "$data"; fi
  write_config
  format_storage
  java_cmd
  # setsid: the broker outlives this script and ignores the terminal's Ctrl-C.
  setsid "${cmd[@]}" kafka.Kafka "$props" >"$data/logs/stdout.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pidfile"
  if [[ -n "${KAFKA_STOP_WITH_PID:-}" ]]; then
    setsid bash -c 'while kill -0 "$1" && kill -0 "$2"; do sleep 1; done 2>/dev/null; kill -TERM "$2" 2>/dev/null' \
      _ "$KAFKA_STOP_WITH_PID" "$pid" >/dev/null 2>&1 </dev/null &
  fi
  local deadline=$((SECONDS + timeout))
  until port_open "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$data/logs/stdout.log" "$data/logs/server.log" >&2 2>/dev/null || true
      rm -f "$pidfile"; echo "broker.sh: the broker exited during start" >&2; exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "broker.sh: the broker did not open port $port within ${timeout}s; stopping it" >&2
      stop >&2; exit 1
    fi
    sleep 0.2
  done
  echo "127.0.0.1:$port"
}

stop() {
  local pid timeout="${KAFKA_STOP_TIMEOUT:-30}"
  if ! pid="$(running_pid)"; then rm -f "$pidfile"; echo "not running"; return 0; fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "broker.sh: no clean stop within ${timeout}s; killing pid $pid" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pidfile"
  echo "stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then echo "running (pid $pid): $(running_address)"; return 0; fi
  echo "not running"; return 3
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [--fresh] | stop | status" >&2; exit 2 ;;
esac
