#!/usr/bin/env bash
# Scenario B, "one million subscribers": the broker (`ratestream kafka`), one streams instance, a gateway and
# `ratestream bench --subscribers N` as separate processes in a fresh temp dir. Reports how long bench took to
# load the subscribers, its figures and exactly-once self-check, the heap used (jcmd GC.heap_info) and RSS
# (/proc/PID/status) of each process while the load ran, the size on disk of the streams state dir and of the
# Kafka data dir (changelogs apart), and the restart of the streams instance (SIGTERM, start again) with its
# state dir kept and with it deleted (a restore from the changelogs): the time from start to RUNNING and to
# the first reply through the gateway. The reference data (three rating profiles per bench subscriber, the demo's
# vdf:rif ones) lives in persistent (RocksDB) global stores in the state dir: a restart with it kept reads from
# the reference topics only what they gained since the last run.
# Exits 1 when something fails or the check does not pass.
#
# usage: benchmarks/scripts/million.sh
#   env: SUBSCRIBERS (1000000), RATE (500 calls/s, open loop; 0 = bench's closed loop), DURATION (60 s),
#        SAMPLE_EVERY (20 s between memory samples), PORT_BASE (5 -> Kafka 59092, JSON-RPC 52001, HTTP 58000),
#        KEEP (1 keeps the temp dir and every process's log), RATESTREAM_JAVA_OPTS (JVM options of every process)
set -euo pipefail
source "$(dirname "$0")/processes.sh"
subscribers=${SUBSCRIBERS:-1000000} rate=${RATE:-500} duration=${DURATION:-60} sample_every=${SAMPLE_EVERY:-20}
base=${PORT_BASE:-5}
kafka_port=${base}9092 rpc_port=${base}2001 http_port=${base}8000
require java jcmd curl jq
require_free_ports "$kafka_port" "$rpc_port" "$http_port"
dir=$(mktemp -d -t ratestream-million.XXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM
running='.*running against|.*-> RUNNING'

# memory NAME: "NAME RSS_KIB HEAP_USED_KIB HEAP_COMMITTED_KIB" (every heap space jcmd lists before Metaspace).
memory() {
  local pid=${pid_of[$1]} rss heap
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
  heap=$(jcmd "$pid" GC.heap_info 2>/dev/null | awk '/Metaspace/ { exit }
    match($0, /total [0-9]+K, used [0-9]+K/) { split(substr($0, RSTART, RLENGTH), w, /[ K,]+/); t += w[2]; u += w[4] }
    END { if (t) print u, t }' || true)
  [[ -z $rss ]] || echo "$1 $rss ${heap:-- -}"
}

# kib PATH...: their size on disk together, in KiB (0 when none exists).
kib() { du -sck "$@" 2>/dev/null | awk 'END { print $1 + 0 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# The stores by name: budgets, the idempotency store with its index (processed-requests*), and the reference
# data's global stores (global/rocksdb: rating profiles, destinations, tariff plans).
sizes() {
  local tasks=$dir/streams/*/*/rocksdb logs=$dir/kafka/logs
  echo "  streams state dir: $(mib "$(kib "$dir/streams")"): budgets $(mib "$(kib $tasks/budgets)")," \
    "idempotency $(mib "$(kib $tasks/processed-requests*)"), reference data $(mib "$(kib "$dir"/streams/*/global)")"
  echo "  Kafka data dir: $(mib "$(kib "$dir/kafka")"): changelogs $(mib "$(kib "$logs"/*-changelog-*)") (budgets" \
    "$(mib "$(kib "$logs"/*-budgets-changelog-*)")), ratestream.commands $(mib "$(kib "$logs"/ratestream.commands-*)")," \
    "rating profiles $(mib "$(kib "$logs"/ratestream.rating-profiles-*)"), replies" \
    "$(mib "$(kib "$logs"/ratestream.replies-*)"), events $(mib "$(kib "$logs"/ratestream.events-*)")"
}

# first_reply SECONDS: sends a GetCost for a bench subject through the gateway until one is answered with a
# cost; prints the time (us) of that answer. A call the streams app does not answer in time ends in a timeout
# (the gateway's --reply-timeout-ms) and is sent again.
first_reply() {
  local deadline=$(($(now_us) + $1 * 1000000)) call
  call='{"jsonrpc":"2.0","id":1,"method":"Responder.GetCost","params":[{"CstmId":"bench","Subject":"bench-000000",
    "DestinationPrefix":"0256","TimeStart":"2012-02-02T17:30:00Z","TimeEnd":"2012-02-02T18:30:00Z"}]}'
  while (($(now_us) < deadline)); do
    if curl -s --max-time 30 -H 'Content-Type: application/json' --data "$call" "http://127.0.0.1:$http_port/jsonrpc" |
      jq -e '.result.Cost != null' >/dev/null 2>&1; then
      now_us
      return 0
    fi
    sleep 0.1
  done
  fail "no GetCost answered through the gateway within $1 s of the streams app's start (see $dir/*.log)"
}

# restart FROM TO kept|deleted: stops streams instance FROM, starts TO on the same state dir (deleted first
# for "deleted"); adds a row to restarts.
restarts=
restart() {
  local size first created ready
  stop "$1"
  [[ $3 == kept ]] || rm -rf "$dir/streams"
  size=$(mib "$(kib "$dir/streams")")
  start "$2" streams --bootstrap "127.0.0.1:$kafka_port" --state-dir "$dir/streams"
  first=$(first_reply 3600)
  created=$(await "$2" '.*CREATED -> REBALANCING' 60)
  ready=$(await "$2" "$running" 60)
  restarts+="  | $3 | $stop_ms ms | $size -> $(mib "$(kib "$dir/streams")") | $(ms_since "$start_us" "$created") ms"
  restarts+=" | $(ms_since "$start_us" "$ready") ms | $(ms_since "$start_us" "$first") ms |"$'\n'
}

freeze_build
start_cluster streams
if [[ $rate == 0 ]]; then load="a closed loop"; else load="an open loop at $rate calls/s"; fi
step "bench: loading $subscribers subscribers, then $duration s of $load"
busy_before=$(load_average)
start bench bench --bootstrap "127.0.0.1:$kafka_port" --server "127.0.0.1:$rpc_port" --subscribers "$subscribers" \
  --rate "$rate" --duration "$duration" --floor-round-trips 0 --json-out "$dir/bench.json"
await bench 'loaded [0-9]+ bench budgets' $((600 + subscribers / 500)) >/dev/null
step "$(grep -m1 -E '^[0-9]+ loaded ' "$dir/bench.log" | cut -d' ' -f2-); sampling memory every $sample_every s"
after_load=$(sizes)
while kill -0 "${pid_of[bench]}" 2>/dev/null; do
  sleep "$sample_every"
  if [[ -n $(progress_lines bench) ]] && kill -0 "${pid_of[bench]}" 2>/dev/null; then
    for name in kafka streams gateway bench; do memory "$name"; done >>"$dir/memory.txt"
  fi
done
if wait "${pid_of[bench]}"; then bench_code=0; else bench_code=$?; fi
busy_after=$(load_average)
((bench_code <= 1)) || fail "bench ended with exit code $bench_code: $(tail -n 3 "$dir/bench.log" | cut -d' ' -f2-)"
[[ -s $dir/memory.txt ]] || fail "no memory sample was taken while bench ran: raise DURATION above SAMPLE_EVERY"
after_run=$(sizes)
step "restarting the streams instance with its state dir kept"
restart streams streams-kept kept
step "restarting the streams instance with its state dir deleted"
restart streams-kept streams-deleted deleted

echo "one million subscribers: $subscribers subscribers, one streams instance, $duration s of $load"
machine "$busy_before" "$busy_after"
grep -E '^[0-9]+ (loaded |requests |latency |  error x|inconclusive|FAILED|self-check)' "$dir/bench.log" |
  cut -d' ' -f2- | sed 's/^/  bench: /'
echo "  on disk after the load:"
echo "$after_load" | sed 's/^/  /'
echo "  on disk after the run:"
echo "$after_run" | sed 's/^/  /'
echo "  memory while bench ran, the largest of $(($(wc -l <"$dir/memory.txt") / 4)) samples ($sample_every s apart):"
echo "  | process | RSS | heap used | heap committed |"
echo "  |---|---|---|---|"
awk '{ if ($2 > rss[$1]) rss[$1] = $2; if ($3 > used[$1]) { used[$1] = $3; total[$1] = $4 } }
  END { n = split("kafka streams gateway bench", names, " ");
        for (i = 1; i <= n; i++) printf "  | %s | %.0f MiB | %.0f MiB | %.0f MiB |\n", names[i], rss[names[i]] / 1024,
          used[names[i]] / 1024, total[names[i]] / 1024 }' "$dir/memory.txt"
echo "  restart of the streams instance (SIGTERM, then start again; from the start of its JVM to Kafka Streams"
echo "  starting (CREATED -> REBALANCING), to RUNNING, and to the first GetCost answered through the gateway):"
echo "  | state dir | stop before | state dir size, start -> first reply | start -> Kafka Streams | start -> RUNNING | start -> first reply |"
echo "  |---|---|---|---|---|---|"
printf %s "$restarts"
((bench_code == 0)) || fail "bench's exactly-once self-check did not pass (see above)"
