#!/usr/bin/env bash
# Makes an AOT cache for JDK 25+ (the warm-up experiment of issue 13) (JEP 483: classes loaded and linked; JEP
# 515: method profiles): a training run of `ratestream dev` on a throw-away data dir and free ports, with
# bench's Go-like load (GetCost and DebitBalance over JSON-RPC 1.0) through it for TRAIN_SECONDS (20), then
# a clean stop, at which the JVM writes the cache. It takes about a
# minute. The cache holds nothing of the data: classes and profiles only. Not used by the launcher:
# docs/performance.md, "Warm-up", says what it did and did not change.
#
# usage: benchmarks/scripts/aot-train.sh JAVA CLASSPATH OUTPUT
set -euo pipefail
java_bin=$1 classpath=$2 output=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/ratestream-aot.XXXXXX")
dev_pid=
cleanup() {
  [[ -z $dev_pid ]] || kill -9 "$dev_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
kafka_port=$(free_port) rpc_port=$(free_port) http_port=$(free_port)

echo "ratestream: training the JVM's AOT cache once for this build..."
"$java_bin" -XX:AOTCacheOutput="$work/ratestream.aot" -Xlog:aot=error,cds=error -cp "$classpath" \
  io.ratestream.app.cli.RatestreamCli dev --data-dir "$work/data" --kafka-port "$kafka_port" \
  --jsonrpc-port "$rpc_port" --http-port "$http_port" --warm-up-seconds 0 >"$work/dev.log" 2>&1 &
dev_pid=$!
for _ in $(seq 600); do
  grep -q '^ready in' "$work/dev.log" && break
  kill -0 "$dev_pid" 2>/dev/null || { tail -20 "$work/dev.log"; exit 1; }
  sleep 0.2
done
grep -q '^ready in' "$work/dev.log" || { echo "the training run was not ready within 120 s"; exit 1; }
"$java_bin" -cp "$classpath" io.ratestream.app.cli.RatestreamCli bench --server "127.0.0.1:$rpc_port" \
  --bootstrap "127.0.0.1:$kafka_port" --connections 16 --in-flight 4 --mix go --subscribers 200 --warmup 0 \
  --duration "${TRAIN_SECONDS:-20}" --floor-round-trips 0 --json-out "$work/bench.json" >"$work/bench.log" 2>&1 ||
  { tail -20 "$work/bench.log"; exit 1; }
kill -TERM "$dev_pid"
wait "$dev_pid" || true
dev_pid=
[[ -s $work/ratestream.aot ]] || { tail -20 "$work/dev.log"; echo "no AOT cache was written"; exit 1; }
mv "$work/ratestream.aot" "$output"
echo "ratestream: AOT cache written ($(du -h "$output" | cut -f1)): $output"
