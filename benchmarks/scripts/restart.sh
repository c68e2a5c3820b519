#!/usr/bin/env bash
# A streams instance restarted under load, and how soon it serves at full speed: the broker (`ratestream
# kafka`), one streams instance and a gateway as separate processes in a fresh temp dir, the demo data
# loaded, and Go's own JSON-RPC 1.0 client (benchmarks/go-client, 50 connections x 4 in flight, half
# GetCost, half DebitBalance) warming the gateway and the first instance for WARM_LOAD. Then, for each
# entry of RESTARTS, the streams instance is stopped (SIGTERM) and started again on the same state dir, and
# from its "running against" line on the Go client runs for AFTER, printing the calls/s and the restarted
# instance's CPU every EVERY: the first lines are what clients get from an instance that has just taken
# its partitions. The gateway stays up and warm throughout, so what ramps up is the streams instance.
#
# Each entry of RESTARTS names the JVM of that restart:
#   jdk17  java from PATH (the launcher's JDK 17), with -XX:CICompilerCount=4 below 8 cores as ./ratestream
#   jdk25  $JAVA25, the same options
#   aot    $JAVA25 with -XX:AOTCache: the cache the first instance wrote at its stop, trained by WARM_LOAD
#          (JEP 483 classes, JEP 515 method profiles; the first instance then runs on $JAVA25 too)
#
# With PAIR=1 there are two instances (both JDK 17, `--standby-replicas 1` as by default), and each restart
# stops the first one while the Go client runs: the client starts, STOP_AT (5) seconds later the instance
# is stopped and started again at once, and the client goes on for AFTER in all, so its lines show what a
# rolling restart costs the calls: the other instance taking the partitions, then giving them back to a
# restarted, cold instance.
#
# usage: benchmarks/scripts/restart.sh
#   env: RESTARTS ("jdk17 jdk17"), PAIR (0), STOP_AT (5), WARM_LOAD (60s), AFTER (60s), EVERY (5s), JAVA25
#        (/usr/lib/jvm/temurin-25-jdk-amd64/bin/java), PORT_BASE (5 -> Kafka 59092, JSON-RPC 52001, HTTP
#        58000), KEEP (1 keeps the temp dir and the logs), RATESTREAM_JAVA_OPTS (more JVM options, every
#        process), STREAMS_ARGS (more `streams` flags)
#   needs Go 1.19 or later (Debian: apt-get install golang-go), curl
set -euo pipefail
source "$(dirname "$0")/processes.sh"
restarts=${RESTARTS:-jdk17 jdk17} base=${PORT_BASE:-5}
java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
kafka_port=${base}9092 rpc_port=${base}2001 http_port=${base}8000
require java curl go
require_free_ports "$kafka_port" "$rpc_port" "$http_port"
for variant in $restarts; do
  [[ ${PAIR:-0} != 1 || $variant == jdk17 ]] || fail "PAIR=1 restarts on JDK 17 only (RESTARTS lists jdk17 for each restart)"
  case $variant in
    jdk17) ;;
    jdk25 | aot) [[ -x $java25 ]] || fail "$variant needs JDK 25 at $java25 (set JAVA25)" ;;
    *) fail "RESTARTS: unknown entry $variant (jdk17, jdk25 or aot)" ;;
  esac
done
dir=$(mktemp -d -t ratestream-restart.XXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM

(cd "$root/benchmarks/go-client" && go build -o "$dir/go-client" .)
freeze_build
jit=
if (($(nproc) < 8)); then
  jit=-XX:CICompilerCount=4 # as ./ratestream sets it
fi
base_opts="$jit ${RATESTREAM_JAVA_OPTS:-}"
aot=$dir/streams.aot

# start_streams JAVA OPTIONS: the streams instance on $dir/streams, logging to $dir/streams.log
start_streams() {
  # shellcheck disable=SC2086 # STREAMS_ARGS is a list of flags
  RATESTREAM_JAVA=$1 RATESTREAM_JAVA_OPTS="$base_opts $2" start streams streams --bootstrap "127.0.0.1:$kafka_port" \
    --state-dir "$dir/streams" ${STREAMS_ARGS:-}
}

step "starting Kafka on $kafka_port"
RATESTREAM_JAVA_OPTS=$base_opts start kafka kafka --data-dir "$dir/kafka" --kafka-port "$kafka_port"
await kafka 'ready in' 120 >/dev/null
if [[ " $restarts " == *" aot "* ]]; then
  step "starting the first streams instance on JDK 25, writing an AOT cache at its stop"
  start_streams "$java25" "-XX:AOTCacheOutput=$aot -Xlog:aot=error,cds=error"
else
  step "starting the first streams instance"
  start_streams java ""
fi
await streams '.*running against' 300 >/dev/null
if [[ ${PAIR:-0} == 1 ]]; then
  step "starting the second streams instance (streams2)"
  RATESTREAM_JAVA_OPTS=$base_opts start streams2 streams --bootstrap "127.0.0.1:$kafka_port" \
    --state-dir "$dir/streams2" ${STREAMS_ARGS:-}
  await streams2 '.*running against' 300 >/dev/null
fi
step "starting the gateway on $rpc_port (JSON-RPC) and $http_port (HTTP)"
RATESTREAM_JAVA_OPTS=$base_opts start gateway gateway --bootstrap "127.0.0.1:$kafka_port" --jsonrpc-port "$rpc_port" \
  --http-port "$http_port"
await_ready_gateway 120
step "loading the demo data (tenant vdf)"
RATESTREAM_JAVA_OPTS=$base_opts start load load --bootstrap "127.0.0.1:$kafka_port" \
  --data-dir "$root/demo/cgrates-2012" --tenant vdf
wait "${pid_of[load]}" || fail "the load failed (see $dir/load.log)"

go_client() { # DURATION [-pid PID]
  "$dir/go-client" -addr "127.0.0.1:$rpc_port" -d "$1" -every "${EVERY:-5s}" "${@:2}"
}
step "warming the gateway and the first instance: Go client for ${WARM_LOAD:-60s}"
go_client "${WARM_LOAD:-60s}" | tail -n 1

if [[ ${PAIR:-0} == 1 ]]; then
  n=0
  for variant in $restarts; do
    n=$((n + 1))
    step "restart $n of the first instance under load: Go client for ${AFTER:-60s}, the stop at ${STOP_AT:-5} s"
    go_client "${AFTER:-60s}" -pid "${pid_of[streams2]}" &
    client=$!
    sleep "${STOP_AT:-5}"
    stop streams
    mv "$dir/streams.log" "$dir/streams-$n.log"
    start_streams java ""
    started=$start_us
    running=$(await streams '.*running against' 300)
    step "restart $n: stopped in $stop_ms ms, running again $(ms_since "$started" "$running") ms after its start"
    wait "$client"
  done
  exit 0
fi

n=0
for variant in $restarts; do
  n=$((n + 1))
  stop streams
  mv "$dir/streams.log" "$dir/streams-$((n - 1)).log" # before the next one writes there
  if ((n == 1)) && [[ -f $aot ]]; then
    step "the first instance wrote its AOT cache: $(du -h "$aot" | cut -f1)"
  fi
  step "restart $n ($variant; the last one stopped in $stop_ms ms)"
  case $variant in
    jdk17) start_streams java "" ;;
    jdk25) start_streams "$java25" "" ;;
    aot) start_streams "$java25" "-XX:AOTCache=$aot -Xlog:aot=error,cds=error" ;;
  esac
  started=$start_us
  running=$(await streams '.*running against' 300)
  step "restart $n ($variant): running $(ms_since "$started" "$running") ms after its start; Go client from then on"
  go_client "${AFTER:-60s}" -pid "${pid_of[streams]}"
done
