#!/usr/bin/env bash
# What a call costs at a low rate (docs/performance.md, "Third pass"): a fresh `./ratestream dev`, warmed
# by a minute of closed loop, then `ratestream bench --mix go` at each of MODES. For each it prints the
# latency line, dev's and bench's CPU per call, and the machine's context switches per call (/proc/stat
# ctxt over the middle half of the measured time, bench's own included). Stops dev at the end.
#
# usage: benchmarks/scripts/low-rate.sh
#   env: MODES ("closed 300 1000 2000": closed = 50 connections x 4 in flight, a number = open loop at
#        that many calls/s over 50 connections), DURATION (30, seconds measured per mode),
#        DEV_ARGS (more `dev` options, e.g. "--kafka-property commit.interval.ms=100"),
#        RATESTREAM_JAVA_OPTS (passed on to the launcher)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'kill "$dev" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
./ratestream --version >/dev/null # builds the jars first, outside the timing

# shellcheck source=benchmarks/scripts/dev-start.sh
. benchmarks/scripts/dev-start.sh
start_dev "$work"
grep -E "ready in" "$work/dev.log" | sed "s| (data in .*||"
common=(--mix go --subscribers 1000 --warmup 5)
echo "warming up: 60 s of closed loop (not reported)"
./ratestream bench "${common[@]}" --connections 50 --in-flight 4 --duration 60 >"$work/warm.log" 2>&1

duration=${DURATION:-30}
for mode in ${MODES:-closed 300 1000 2000}; do
  if [[ $mode == closed ]]; then
    load=(--connections 50 --in-flight 4)
  else
    load=(--rate "$mode" --connections 50)
  fi
  ./ratestream bench "${common[@]}" "${load[@]}" --duration "$duration" >"$work/$mode.log" 2>&1 &
  bench=$!
  window=$((duration / 2 > 0 ? duration / 2 : 1))
  sleep $((5 + duration / 4)) # bench's warm-up, then a quarter of the measured time
  c0=$(awk '/^ctxt/ {print $2}' /proc/stat)
  sleep "$window"
  c1=$(awk '/^ctxt/ {print $2}' /proc/stat)
  wait "$bench" || { echo "$mode: bench failed" >&2; tail -5 "$work/$mode.log" >&2; continue; }
  rate=$(grep -oP 'requests \d+ in [\d.]+ s: \K\d+(?= req/s)' "$work/$mode.log")
  echo "$mode: $rate calls/s; $(grep -E '^latency ms' "$work/$mode.log")"
  grep -E '^cpu: (dev|bench)' "$work/$mode.log" | sed 's/^/  /'
  echo "  context switches per call: $(((c1 - c0) / window / (rate > 0 ? rate : 1)))"
done
