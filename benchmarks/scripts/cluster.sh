#!/usr/bin/env bash
# Scenario "cluster failover": a three-node KRaft cluster (three `ratestream kafka` processes, RF 3, min ISR
# 2), two streams instances (same application id, own state dirs, standby replica and session timeout at
# their defaults), a gateway and `ratestream bench` as separate processes on loopback in a fresh temp dir.
# Bench drives an open loop (it sends a debit answered "timeout" again with its RequestId, and checks at the
# end that every acknowledged debit was applied exactly once). During the load, SIGKILL in turn:
#   at KILL_AT        the broker leading partition 0 of ratestream.commands (restarted once all answer again)
#   at CONTROLLER_AT  the active controller (restarted likewise)
#   at STREAMS_AT     streams instance 2 of 2
# A restarted broker must have caught up (every partition with 3 in-sync replicas) before the next kill.
# One probe per command partition (a subscriber of its own, DebitBalance of 0 over the gateway's HTTP GET
# API, curl, one at a time, 100 ms apart) gives, per kill, the time until every partition answers again: the
# end of each partition's first answered probe begun after the kill. Per kill also the calls that timed out
# and the p99 in the EVENT seconds after it (bench's per-second lines), and bench's summary and self-check.
# Exits 1 when something fails or the self-check does not pass.
#
# usage: benchmarks/scripts/cluster.sh
#   env: RATE (300 calls/s), DURATION (90 s of load), KILL_AT (20), CONTROLLER_AT (45), STREAMS_AT (70),
#        EVENT (10 s window per kill), SUBSCRIBERS (2000), PARTITIONS (4), PORT_BASE (5 -> Kafka 59092,
#        59094, 59096, controllers 59093, 59095, 59097, JSON-RPC 52001, HTTP 58000), KEEP (1 keeps the temp
#        dir and every process's log), RATESTREAM_JAVA_OPTS (JVM options of every process), STREAMS_ARGS
#        (more flags of both streams instances, e.g. "--kafka-property transaction.timeout.ms=3000")
set -euo pipefail
source "$(dirname "$0")/processes.sh"
rate=${RATE:-300} duration=${DURATION:-90} kill_at=${KILL_AT:-20} controller_at=${CONTROLLER_AT:-45}
streams_at=${STREAMS_AT:-70} event=${EVENT:-10} subscribers=${SUBSCRIBERS:-2000} partitions=${PARTITIONS:-4}
base=${PORT_BASE:-5}
kafka_ports=("${base}9092" "${base}9094" "${base}9096") controller_ports=("${base}9093" "${base}9095" "${base}9097")
rpc_port=${base}2001 http_port=${base}8000
((0 < kill_at && kill_at < controller_at && controller_at < streams_at && streams_at < duration)) ||
  fail "need 0 < KILL_AT ($kill_at) < CONTROLLER_AT ($controller_at) < STREAMS_AT ($streams_at) < DURATION ($duration)"
((partitions >= 2)) || fail "PARTITIONS must be at least 2, one for each instance"
require java curl jq awk
require_free_ports "${kafka_ports[@]}" "${controller_ports[@]}" "$rpc_port" "$http_port"
dir=$(mktemp -d -t ratestream-cluster.XXXX)
probe_pids=()
on_exit() {
  local code=$?
  ((${#probe_pids[@]} == 0)) || kill "${probe_pids[@]}" 2>/dev/null || true
  (exit "$code")
  cleanup
}
trap on_exit EXIT
trap 'exit 130' INT TERM
all=$(jq -cn --argjson n "$partitions" '[range($n)]')
bootstrap=$(printf '127.0.0.1:%s,' "${kafka_ports[@]}")
bootstrap=${bootstrap%,}
voters="1@127.0.0.1:${controller_ports[0]},2@127.0.0.1:${controller_ports[1]},3@127.0.0.1:${controller_ports[2]}"

# tool ARGS...: ClusterTool.java (Kafka's Admin client, the producers' partitioner) on the app's classpath.
tool() { java -cp "$classpath" "$root/benchmarks/scripts/ClusterTool.java" "$@" 2>>"$dir/tool.log"; }
node_of() { tool "$@" | grep -E '^[0-9]+$' | tail -n 1; }

# start_node N [NAME]: starts Kafka node N (1-3) under NAME (default kafkaN).
start_node() {
  local n=$1 name=${2:-kafka$1}
  start "$name" kafka --node-id "$n" --kafka-port "${kafka_ports[n - 1]}" --controller-port "${controller_ports[n - 1]}" \
    --voters "$voters" --data-dir "$dir/kafka$n"
}

freeze_build
step "starting a three-node Kafka cluster on ${kafka_ports[*]} (controllers ${controller_ports[*]})"
for n in 1 2 3; do start_node "$n"; done
for n in 1 2 3; do await "kafka$n" 'ready in' 400 >/dev/null; done
for i in 1 2; do
  step "starting streams instance $i"
  # shellcheck disable=SC2086 # STREAMS_ARGS is a list of flags
  start "streams$i" streams --bootstrap "$bootstrap" --state-dir "$dir/streams$i" --partitions "$partitions" \
    ${STREAMS_ARGS:-}
done
for i in 1 2; do await "streams$i" 'streams app .* running against' 300 >/dev/null; done
step "starting the gateway on $rpc_port (JSON-RPC) and $http_port (HTTP)"
start gateway gateway --bootstrap "$bootstrap" --jsonrpc-port "$rpc_port" --http-port "$http_port"
await_ready_gateway 120
shared='([.StreamsInstances[] | select(.CommandPartitions != [])] | length == 2)
  and ([.StreamsInstances[].CommandPartitions[]] | sort == $all)'
until_status 180 "$shared" --argjson all "$all" >/dev/null ||
  fail "the two instances do not share the $partitions partitions: $(instances)"
step "instances: $(instances)"

# One probe subscriber per command partition (tenant probe), loaded as budgets.
declare -A probe_of=()
while read -r subject partition; do
  [[ -n ${probe_of[$partition]:-} ]] || probe_of[$partition]=$subject
done < <(tool partitions probe "$partitions" $(seq -f 'p%g' 0 $((partitions * 16))))
((${#probe_of[@]} == partitions)) || fail "no probe subscriber for some partition: ${!probe_of[*]}"
jq -n '[$ARGS.positional[] | {Id: ., Credit: 1000, SmsCredit: 0, Traffic: 0, VolumeDiscountSeconds: 0,
  ReceivedCallSeconds: 0, ResetDayOfTheMonth: 0}]' \
  --args "${probe_of[@]}" >"$dir/probes.json"
java -cp "$classpath" io.ratestream.app.cli.RatestreamCli load --bootstrap "$bootstrap" --tenant probe \
  --user-budgets "$dir/probes.json" >"$dir/load-probes.log" 2>&1 || fail "probe budgets not loaded: $(cat "$dir/load-probes.log")"

# probe P SUBJECT: forever, one DebitBalance of 0 at a time; "BEGAN_US ENDED_US HTTP_CODE" per try.
probe() {
  local p=$1 subject=$2 seq=0 began code
  while :; do
    seq=$((seq + 1))
    began=$(now_us)
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
      "http://127.0.0.1:$http_port/debitbalance?cstmid=probe&subj=$subject&amount=0&requestid=probe-$p-$seq" || true)
    echo "$began $(now_us) $code" >>"$dir/probe-$p.log"
    sleep 0.1
  done
}
for ((p = 0; p < partitions; p++)); do
  probe "$p" "${probe_of[$p]}" &
  probe_pids+=($!)
done

# recovered KILL_US: sets recovered_ms (ms from the kill until every partition answered a probe begun after
# it) and per_partition (each partition's ms); returns 1 while some partition has not answered.
recovered() {
  local p ms
  recovered_ms=0 per_partition=""
  for ((p = 0; p < partitions; p++)); do
    ms=$(awk -v k="$1" '$1 >= k && $3 == 200 { printf "%d", ($2 - k) / 1000; exit }' "$dir/probe-$p.log")
    [[ -n $ms ]] || return 1
    per_partition+="${per_partition:+ }$ms"
    ((ms <= recovered_ms)) || recovered_ms=$ms
  done
}

# await_recovery NAME KILL_US: waits (up to 120 s) until every partition answers again.
await_recovery() {
  until recovered "$2"; do
    (($(now_us) - $2 < 120000000)) || fail "not every partition answered within 120 s of killing $1"
    sleep 0.2
  done
}

# sleep_until SECOND: sleeps until that second of the load.
sleep_until() {
  local wait_us=$((load_start + $1 * 1000000 - $(now_us)))
  ((wait_us <= 0)) || sleep "$((wait_us / 1000000)).$(printf %06d $((wait_us % 1000000)))"
}

kills=() # "KILL_US|what"
# kill_node N WHAT: SIGKILLs Kafka node N, waits for recovery, restarts it and waits until it caught up.
kill_node() {
  local n=$1 what=$2 name=kafka$1 at
  if [[ -n ${pid_of[kafka$1-restarted]:-} ]]; then name=kafka$1-restarted; fi
  at=$(now_us)
  kill -KILL "${pid_of[$name]}"
  wait "${pid_of[$name]}" 2>/dev/null || true
  kills+=("$at|SIGKILL Kafka node $n ($what)")
  step "killed Kafka node $n ($what); waiting until every partition answers again"
  await_recovery "$name" "$at"
  step "restarting Kafka node $n"
  start_node "$n" "kafka$n-restarted"
  await "kafka$n-restarted" 'ready in' 300 >/dev/null
  tool await-isr "$bootstrap" 3 120 || fail "Kafka node $n did not catch up within 120 s of its restart"
  step "Kafka node $n back, every partition with 3 in-sync replicas"
}

step "bench: $subscribers subscribers, open loop at $rate calls/s for $duration s; kills at $kill_at s (command" \
  "partition leader), $controller_at s (controller), $streams_at s (streams instance 2)"
busy_before=$(load_average)
start bench bench --bootstrap "$bootstrap" --server "127.0.0.1:$rpc_port" --subscribers "$subscribers" \
  --rate "$rate" --warmup 0 --duration "$duration" --floor-round-trips 0 --json-out "$dir/bench.json" \
  --demo-dir "$root/demo/cgrates-2012"
first=$(await bench '\[ +1 s\]' $((300 + subscribers / 1000)))
load_start=$((first - 1000000))

leader=$(node_of leader "$bootstrap" ratestream.commands 0)
[[ -n $leader ]] || fail "no leader for partition 0 of ratestream.commands (see $dir/tool.log)"
sleep_until "$kill_at"
kill_node "$leader" "leader of ratestream.commands partition 0"

controller=$(node_of controller "$bootstrap")
[[ -n $controller ]] || fail "no active controller (see $dir/tool.log)"
sleep_until "$controller_at"
kill_node "$controller" "the active controller"

sleep_until "$streams_at"
at=$(now_us)
kill -KILL "${pid_of[streams2]}"
wait "${pid_of[streams2]}" 2>/dev/null || true
kills+=("$at|SIGKILL streams instance 2 of 2")
step "killed streams instance 2; waiting until every partition answers again"
await_recovery streams2 "$at"
step "waiting for bench to finish"
if wait "${pid_of[bench]}"; then bench_code=0; else bench_code=$?; fi
busy_after=$(load_average)

report() {
  local table entry at what ms
  table=$(progress_lines bench)
  [[ -n $table ]] || fail "bench printed no progress line (see $dir/bench.log)"
  echo "cluster failover: 3 Kafka nodes (RF 3, min ISR 2), 2 streams instances ($partitions partitions), 1 gateway;"
  echo "  bench open loop at $rate calls/s for $duration s over $subscribers subscribers${STREAMS_ARGS:+; streams $STREAMS_ARGS}"
  echo "  | kill | at s of load | every partition answers again after | per partition (ms) | calls timed out (resent) in the $event s after | other errors | p99 ms (worst second) | max ms |"
  echo "  |---|---|---|---|---|---|---|---|"
  for entry in "${kills[@]}"; do
    at=${entry%%|*} what=${entry#*|}
    if recovered "$at"; then ms=$recovered_ms; else ms="(not seen)"; fi
    awk -v k="$at" -v w="$event" -v what="$what" -v ms="$ms" -v pp="$per_partition" -v start="$load_start" '
      # a progress line covers the second before it
      $1 > k && $1 <= k + (w + 1) * 1000000 { retries += $5; errors += $4; if ($7 > p99) p99 = $7; if ($8 > mx) mx = $8 }
      END { printf "  | %s | %.1f | %s ms | %s | %d | %d | %.0f | %.0f |\n", what, (k - start) / 1e6, ms, pp,
              retries, errors, p99, mx }' <<<"$table"
  done
  awk '$1 < '"$((load_start + kill_at * 1000000))"' && $2 > 2 { n++; if ($7 > p) p = $7 }
       END { printf "  before the first kill: worst per-second p99 %.0f ms\n", p }' <<<"$table"
  echo "  probes: one DebitBalance of 0 per partition at a time over HTTP (curl), 100 ms apart"
  machine "$busy_before" "$busy_after"
  echo "  bench:"
  grep -E '^[0-9]+ (requests |latency |  error x|inconclusive|FAILED|self-check)' "$dir/bench.log" | cut -d' ' -f2- |
    sed 's/^/    /'
  jq -r '"    json: requests \(.requests), errors \(.errors), retries \(.retries), p99 \(.latencyMs.p99) ms, " +
    "check passed \(.check.passed) (\(.check.checkedSubjects) subscribers), error kinds \(.errorKinds)"' \
    "$dir/bench.json" 2>/dev/null || true
  echo "  per second (s of load: req/s errors retries p50 p99 max):"
  awk -v s="$load_start" '{ printf "    %5.1f %6s %3s %3s %8s %8s %8s\n", ($1 - s) / 1e6, $3, $4, $5, $6, $7, $8 }' <<<"$table"
}
report | tee "$dir/report.txt"
case $bench_code in
  0) ;;
  1) fail "bench's exactly-once self-check did not pass (see above)" ;;
  *) fail "bench ended with exit code $bench_code: $(tail -n 3 "$dir/bench.log" | cut -d' ' -f2-)" ;;
esac
