#!/usr/bin/env bash
# Warm-up and warm CPU: how soon after `ratestream dev` prints its ready line the stack serves at 70 % of
# its steady throughput (issue 13), and what a call costs once warm. Starts `dev` on a fresh data dir
# from frozen jars (processes.sh) and, the moment its ready line appears, bench with the Go-like shape of
# go-mix.sh (50 connections x 4 in flight, JSON-RPC 1.0, half GetCost of the worked example, half
# DebitBalance): WARM seconds of bench's warm-up, then DURATION measured seconds, whose CPU per call
# (dev and bench, from /proc) bench prints. bench loads its budgets first (part of the time after the
# ready line, as for any client that starts then). Prints each second's throughput against the time
# since the ready line, the steady throughput (the mean of the measured seconds), and when each second
# first reached 70 % of it.
#
# usage: benchmarks/scripts/warmup.sh
#   env: RATESTREAM_JAVA (java: the JVM of dev; bench always runs on `java`), RATESTREAM_JAVA_OPTS (for
#        dev), DEV_ARGS (more dev options, e.g. --warm-up-seconds 0), DEV_ROOT (this checkout: the
#        checkout whose built jars dev runs, e.g. an older one, built with `mvn package`), WARM (60),
#        DURATION (60), SUBSCRIBERS (1000), PORT_BASE (3: ports 39092, 32001, 38000), KEEP=1 keeps the logs
set -euo pipefail
dir=$(mktemp -d "${TMPDIR:-/tmp}/ratestream-warmup.XXXXXX")
# shellcheck source=processes.sh
source "$(dirname "$0")/processes.sh"
trap cleanup EXIT
require java python3
base=${PORT_BASE:-3}
kafka_port=${base}9092 rpc_port=${base}2001 http_port=${base}8000
require_free_ports "$kafka_port" "$rpc_port" "$http_port"
RATESTREAM_JAVA_OPTS="" freeze_build # the launcher runs on its own JVM and options
bench_classpath=$classpath
if [[ -n ${DEV_ROOT:-} ]]; then
  # dev from another checkout's jars (its own build, as its launcher would run it)
  classpath="$(realpath "$DEV_ROOT/app/target/app-0.1.0-SNAPSHOT.jar"):$(cat "$DEV_ROOT/app/target/classpath.txt")"
  kafka_classpath="$classpath:$(cat "$DEV_ROOT/app/target/classpath-dev.txt")"
fi

step "starting dev ($("${RATESTREAM_JAVA:-java}" -version 2>&1 | head -1); options: ${RATESTREAM_JAVA_OPTS:-none})"
# shellcheck disable=SC2086 # DEV_ARGS is a list of options
start dev dev --data-dir "$dir/data" --kafka-port "$kafka_port" --jsonrpc-port "$rpc_port" --http-port "$http_port" \
  ${DEV_ARGS:-}
ready_us=$(await dev 'ready in' 300)
load_before=$(load_average)
step "ready; bench for ${WARM:-60} + ${DURATION:-60} s"
java -cp "$bench_classpath" io.ratestream.app.cli.RatestreamCli bench --server "127.0.0.1:$rpc_port" \
  --bootstrap "127.0.0.1:$kafka_port" --connections 50 --in-flight 4 --mix go --jsonrpc-version 1.0 \
  --subscribers "${SUBSCRIBERS:-1000}" --warmup "${WARM:-60}" --duration "${DURATION:-60}" --floor-round-trips 0 \
  --cpu-pids "${pid_of[dev]}" --json-out "$dir/bench.json" > >(stamp >"$dir/bench.log") 2>&1
load_after=$(load_average)
ready_line=$(grep -m1 -E '^[0-9]+ ready in' "$dir/dev.log" | cut -d' ' -f2-)

python3 - "$dir/bench.log" "$ready_us" "${DURATION:-60}" "$ready_line" <<'PY'
import re, sys
log, ready_us, steady_n, ready_line = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) - 5, sys.argv[4]
seconds, jit, first_load = [], {}, None
for line in open(log):
    stamp, _, text = line.rstrip("\n").partition(" ")
    m = re.match(r"\[\s*(\d+) s(?: warm-up)?\]\s+(\d+) req/s", text)
    if m:
        seconds.append(((int(stamp) - ready_us) / 1e6, int(m.group(2))))
        first_load = first_load or (int(stamp) - ready_us) / 1e6 - 1
    j = re.match(r"\[\s*(\d+) s(?: warm-up)?\] jit\s+\S+ \d+ ([\d.]+) of ([\d.]+) cores", text)
    if j:
        jit[len(seconds)] = (float(j.group(2)), float(j.group(3)))
if len(seconds) < steady_n + 5:
    sys.exit(f"only {len(seconds)} progress lines in {log}")
steady = sum(r for _, r in seconds[-steady_n:]) / steady_n
print(f"dev: {ready_line}")
print(f"load started {first_load:.1f} s after the ready line (bench loading its budgets before)")
print("| s after ready | calls/s | JIT cores of dev | dev cores |")
print("|---|---|---|---|")
for i, (t, r) in enumerate(seconds[:40]):
    j = jit.get(i + 1, (float("nan"), float("nan")))  # the jit line follows its progress line
    print(f"| {t:.0f} | {r:,} | {j[0]:.2f} | {j[1]:.2f} |")
reached = next((t for t, r in seconds if r >= 0.7 * steady), None)
held = next((seconds[i][0] for i in range(len(seconds) - 2)
             if all(r >= 0.7 * steady for _, r in seconds[i:i + 3])), None)
print(f"steady (mean of the last {steady_n} s): {steady:,.0f} calls/s")
print(f"70 % of steady ({0.7 * steady:,.0f}/s) first reached {reached:.1f} s after the ready line; "
      f"held for 3 s from {held:.1f} s" if reached is not None and held is not None else "70 % never reached")
PY
grep -E '^[0-9]+ (self-check|requests |latency|cpu: )' "$dir/bench.log" | cut -d' ' -f2-
machine "$load_before" "$load_after"
