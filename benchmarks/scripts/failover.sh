#!/usr/bin/env bash
# Scenario A, "kill one of two streams instances under load": the broker (`ratestream kafka`), two streams
# instances (same application id, own state dirs), a gateway and `ratestream bench` as separate processes
# in a fresh temp dir. Bench drives an open loop; KILL_AT seconds into it, instance 2 gets SIGKILL. Reports
# the time from the kill until instance 1 owns every command partition (the gateway's GET /status, polled
# every 100 ms), what the clients saw second by second around the kill (bench's progress lines), and bench's
# exactly-once self-check. Exits 1 when something fails or the check does not pass.
#
# usage: benchmarks/scripts/failover.sh
#   env: RATE (500 calls/s), DURATION (60 s of load), KILL_AT (20 s into the load), SUBSCRIBERS (10000),
#        PARTITIONS (4), PORT_BASE (4 -> Kafka 49092, JSON-RPC 42001, HTTP 48000), KEEP (1 keeps the temp
#        dir and every process's log), RATESTREAM_JAVA_OPTS (JVM options of every process), STREAMS_ARGS (extra
#        flags of both streams instances)
set -euo pipefail
source "$(dirname "$0")/processes.sh"
rate=${RATE:-500} duration=${DURATION:-60} kill_at=${KILL_AT:-20} subscribers=${SUBSCRIBERS:-10000}
partitions=${PARTITIONS:-4} base=${PORT_BASE:-4}
kafka_port=${base}9092 rpc_port=${base}2001 http_port=${base}8000
((kill_at > 0 && kill_at < duration)) || fail "KILL_AT ($kill_at) must be between 0 and DURATION ($duration)"
((partitions >= 2)) || fail "PARTITIONS must be at least 2, one for each instance"
require java curl jq
require_free_ports "$kafka_port" "$rpc_port" "$http_port"
dir=$(mktemp -d -t ratestream-failover.XXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM
all=$(jq -cn --argjson n "$partitions" '[range($n)]')

freeze_build
# shellcheck disable=SC2086 # STREAMS_ARGS is a list of flags
start_cluster streams1 --partitions "$partitions" ${STREAMS_ARGS:-}
until_status 60 'any(.StreamsInstances[]; .CommandPartitions == $all)' --argjson all "$all" >/dev/null ||
  fail "instance 1 does not own all $partitions command partitions: /status lists $(instances)"
client1=$(status | jq -r --argjson all "$all" '.StreamsInstances[] | select(.CommandPartitions == $all) | .Client')

step "starting instance 2 (streams2)"
# shellcheck disable=SC2086
start streams2 streams --bootstrap "127.0.0.1:$kafka_port" --state-dir "$dir/streams2" --partitions "$partitions" ${STREAMS_ARGS:-}
await streams2 'streams app .* running against' 300 >/dev/null
shared='([.StreamsInstances[] | select(.CommandPartitions != [])] | length == 2)
  and ([.StreamsInstances[].CommandPartitions[]] | sort == $all)'
until_status 120 "$shared" --argjson all "$all" >/dev/null ||
  fail "the two instances do not share the $partitions partitions within 120 s of instance 2 running: $(instances)"
client2=$(status | jq -r --arg c "$client1" '.StreamsInstances[] | select(.Client != $c) | .Client')
step "instances: $(instances)"

step "bench: $subscribers subscribers, open loop at $rate calls/s for $duration s; instance 2 dies at $kill_at s"
busy_before=$(load_average)
start bench bench --bootstrap "127.0.0.1:$kafka_port" --server "127.0.0.1:$rpc_port" --subscribers "$subscribers" \
  --rate "$rate" --warmup 0 --duration "$duration" --floor-round-trips 0 --json-out "$dir/bench.json"
first=$(await bench '\[ +1 s\]' $((300 + subscribers / 1000)))
load_start=$((first - 1000000))
wait_us=$((load_start + kill_at * 1000000 - $(now_us)))
((wait_us <= 0)) || sleep "$((wait_us / 1000000)).$(printf %06d $((wait_us % 1000000)))"

kill_us=$(now_us)
kill -KILL "${pid_of[streams2]}"
wait "${pid_of[streams2]}" 2>/dev/null || true # (reaped quietly)
gone= owned= polls=0
while [[ -z $owned ]]; do
  answer=$(status)
  t=$(now_us)
  polls=$((polls + 1))
  flags=$(jq -r --arg c1 "$client1" --arg c2 "$client2" --argjson all "$all" \
    '.StreamsInstances as $i | [any($i[]; .Client == $c1) and all($i[]; .Client != $c2),
      any($i[]; .Client == $c1 and .CommandPartitions == $all)] | @tsv' <<<"$answer" 2>/dev/null || true)
  read -r left owns <<<"${flags:-false false}"
  [[ -n $gone || $left != true ]] || gone=$t
  [[ $owns != true ]] || owned=$t
  ((t - kill_us < 120000000)) || fail "instance 1 did not own all partitions within 120 s of the kill: $(instances)"
  sleep 0.1
done
poll_ms=$(($(ms_since "$kill_us" "$owned") / polls))
step "instance 1 owns all partitions again; waiting for bench to finish"
if wait "${pid_of[bench]}"; then bench_code=0; else bench_code=$?; fi
busy_after=$(load_average)

# The report: seconds of load relative to the kill (a progress line covers the second before it).
report() {
  local table to
  table=$(progress_lines bench | awk -v kill="$kill_us" '{ printf "%.1f %s\n", ($1 - kill) / 1e6, $0 }')
  [[ -n $table ]] || fail "bench printed no progress line (see $dir/bench.log)"
  echo "failover: instance 2 of 2 killed with SIGKILL ${kill_at} s into an open loop of $rate calls/s"
  if [[ -n $gone ]]; then gone_text="$(ms_since "$kill_us" "$gone") ms"; else gone_text="(not seen)"; fi
  echo "  /status: instance 2 left the group after $gone_text; instance 1 owned all $partitions command" \
    "partitions after $(ms_since "$kill_us" "$owned") ms (polls 100 ms apart: one every $poll_ms ms)"
  awk '$1 > 0 && ($5 > 0 || $6 > 0) { last = $1 } $1 > 0 && ($9 > worst) { worst = $9 }
       $1 > 0 && (low == "" || $4 < low) { low = $4 }
       END { if (last == "") printf "  clients: no timeout or error after the kill;"; else printf "  clients: calls" \
               " timed out or failed until %.1f s after the kill;", last
             printf " the slowest call took %.0f ms; the fewest answers in a second: %s\n", worst, low }' <<<"$table"
  echo "  seconds of load around the kill (a debit answered 'timeout' is sent again: retries; other failures: errors)"
  echo "  | s after kill (end of the second) | req/s | errors | retries | p50 ms | p99 ms | max ms |"
  echo "  |---|---|---|---|---|---|---|"
  to=$(awk -v owned="$(ms_since "$kill_us" "$owned")" '$1 > 0 && ($5 > 0 || $6 > 0) { last = $1 }
       END { t = owned / 1000; if (last > t) t = last; print t + 5 }' <<<"$table")
  awk -v to="$to" '$1 >= -5 && $1 <= to {
       printf "  | %s | %s | %s | %s | %s | %s | %s |\n", $1, $4, $5, $6, $7, $8, $9 }' <<<"$table"
  machine "$busy_before" "$busy_after"
  echo "  bench:"
  grep -E '^[0-9]+ (requests |latency |  error x|inconclusive|FAILED|self-check)' "$dir/bench.log" | cut -d' ' -f2- |
    sed 's/^/    /'
}
report
case $bench_code in
  0) ;;
  1) fail "bench's exactly-once self-check did not pass (see above)" ;;
  *) fail "bench ended with exit code $bench_code: $(tail -n 3 "$dir/bench.log" | cut -d' ' -f2-)" ;;
esac
