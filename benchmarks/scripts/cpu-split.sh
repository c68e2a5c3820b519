#!/usr/bin/env bash
# Where the CPU goes: runs the broker, the streams app, the gateway and the load tool as four processes
# (`./ratestream kafka`, `streams`, `gateway`, `bench`), warms the JIT up, then drives the gateway at
# saturation and prints each process's CPU time per request in the measured window, from /proc.
#
# usage: benchmarks/scripts/cpu-split.sh
#   env: WARM_SECONDS (120), SECONDS_EACH (30), CONNECTIONS (100), IN_FLIGHT (8), JSONRPC_VERSION (1.0,
#        bench's default since issue 13; 2.0 for the runs measured before it), PORT_BASE (3 -> Kafka
#        39092, JSON-RPC 32001, HTTP 38000), STREAMS_ARGS and GATEWAY_ARGS (extra flags, e.g.
#        "--kafka-property producer.max.in.flight.requests.per.connection=5")
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/scripts/processes.sh # freeze_build; defined before this script's own cleanup
warm=${WARM_SECONDS:-120}
each=${SECONDS_EACH:-30}
base=${PORT_BASE:-3}
kafka_port=${base}9092 rpc_port=${base}2001 http_port=${base}8000
dir=$(mktemp -d -t ratestream-cpu.XXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

await() { # log, text, pid
  for _ in $(seq 180); do
    grep -q "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; exit 1; }
    sleep 1
  done
  echo "no '$2' in $1" >&2; exit 1
}
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # clock ticks, user + system

# Every process runs from a copy of the jars just built (processes.sh), not through ./ratestream: the
# launcher rebuilds when a source is newer than its jar, which would rewrite jars under running processes.
freeze_build
# (exec: started with &, $! is the JVM itself; in the foreground call it in a subshell)
# shellcheck disable=SC2086 # RATESTREAM_JAVA_OPTS is a list of JVM options, as for ./ratestream
rs() { exec java ${RATESTREAM_JAVA_OPTS:-} -cp "$classpath" io.ratestream.app.cli.RatestreamCli "$@"; }
rs kafka --data-dir "$dir/kafka" --kafka-port "$kafka_port" >"$dir/kafka.log" 2>&1 &
kafka=$!; pids+=("$kafka"); await "$dir/kafka.log" "ready in" "$kafka"
rs streams --bootstrap "127.0.0.1:$kafka_port" --state-dir "$dir/streams" ${STREAMS_ARGS:-} \
  >"$dir/streams.log" 2>&1 &
streams=$!; pids+=("$streams"); await "$dir/streams.log" "running against" "$streams"
rs gateway --bootstrap "127.0.0.1:$kafka_port" --jsonrpc-port "$rpc_port" --http-port "$http_port" \
  ${GATEWAY_ARGS:-} >"$dir/gateway.log" 2>&1 &
gateway=$!; pids+=("$gateway"); await "$dir/gateway.log" "gateway: JSON-RPC" "$gateway"

bench=(rs bench --bootstrap "127.0.0.1:$kafka_port" --server "127.0.0.1:$rpc_port"
  --connections "${CONNECTIONS:-100}" --in-flight "${IN_FLIGHT:-8}" --subscribers 1000 --floor-round-trips 0
  --jsonrpc-version "${JSONRPC_VERSION:-1.0}")
echo "warming the JIT up for $warm s..." >&2
("${bench[@]}" --duration "$warm" --warmup 0 --json-out "$dir/warm.json") >"$dir/warm.log" 2>&1
"${bench[@]}" --duration $((each + 30)) --warmup 0 --json-out "$dir/run.json" >"$dir/run.log" 2>&1 &
load=$!; pids+=("$load")
sleep 15 # the bench loads its budgets, then the load runs
before=("$(cpu "$kafka")" "$(cpu "$streams")" "$(cpu "$gateway")" "$(cpu "$load")")
start=$(date +%s.%N)
if [[ -n ${THREADS:-} ]]; then # the busiest threads of the streams app and the gateway, for a profile
  for p in "$streams" "$gateway"; do top -H -b -n 2 -d 5 -p "$p" | awk '/^top/{n++} n==2' | sed -n 7,14p >&2; done
  sleep $((each - 10))
else
  sleep "$each"
fi
after=("$(cpu "$kafka")" "$(cpu "$streams")" "$(cpu "$gateway")" "$(cpu "$load")")
end=$(date +%s.%N)
wait "$load"
python3 - "$dir/run.json" "$start" "$end" "$(getconf CLK_TCK)" "${before[*]}" "${after[*]}" <<'PY'
import json, sys
run = json.load(open(sys.argv[1])); elapsed = float(sys.argv[3]) - float(sys.argv[2]); tck = int(sys.argv[4])
before = [int(x) for x in sys.argv[5].split()]; after = [int(x) for x in sys.argv[6].split()]
rate = run["throughput"]
print(f"load: {rate:,.0f} req/s, p50 {run['latencyMs']['p50']:.1f} ms, p99 {run['latencyMs']['p99']:.1f} ms, "
      f"exactly-once check {'passed' if run['check']['passed'] else 'FAILED'}")
print("| process | cores busy | CPU per request |")
print("|---|---|---|")
total = 0
for name, b, a in zip(["broker (ratestream kafka)", "streams app", "gateway", "load tool (bench)"], before, after):
    cores = (a - b) / tck / elapsed; total += cores
    print(f"| {name} | {cores:.2f} | {cores / rate * 1e6:,.0f} us |")
print(f"| all | {total:.2f} of 2 | {total / rate * 1e6:,.0f} us |")
PY
