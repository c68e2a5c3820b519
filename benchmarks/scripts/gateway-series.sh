#!/usr/bin/env bash
# The gateway measurements of docs/performance.md, in one run: starts `./ratestream dev` on a fresh data
# dir (plus any dev flags given, e.g. --kafka-property processing.guarantee=at_least_once), warms the JIT
# up, then runs `./ratestream bench` for each scenario and prints one Markdown table row per scenario
# from bench's JSON. Everything (broker, streams app, gateway, load tool) runs on this machine.
#
# usage: benchmarks/scripts/gateway-series.sh [LABEL] [dev flags...]
#   env: SCENARIOS (default "sequential inflight200 saturation halfpeak http"), WARM_SECONDS (120),
#        SECONDS_EACH (30), OUT (a directory for the JSON files, default a temp dir), BENCH_ARGS (added
#        to every bench, e.g. "--bootstrap 127.0.0.1:29092 --server 127.0.0.1:22001 --http-server
#        127.0.0.1:28000" when dev runs on other ports)
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/scripts/processes.sh # freeze_build; defined before this script's own cleanup
label=${1:-default}
shift || true
scenarios=${SCENARIOS:-sequential inflight200 saturation halfpeak http}
warm=${WARM_SECONDS:-120}
each=${SECONDS_EACH:-30}
out=${OUT:-$(mktemp -d -t ratestream-series.XXXX)}
mkdir -p "$out"
data=$(mktemp -d -t ratestream-series-data.XXXX)
dev_pid=
cleanup() {
  if [[ -n $dev_pid ]]; then kill -TERM "$dev_pid" 2>/dev/null || true; wait "$dev_pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

# Every process runs from a copy of the jars just built (processes.sh), not through ./ratestream: the
# launcher rebuilds when a source is newer than its jar, which would rewrite jars under running processes.
dir=$data freeze_build
# (exec: started with &, $! is the JVM itself; in the foreground call it in a subshell)
# shellcheck disable=SC2086 # RATESTREAM_JAVA_OPTS is a list of JVM options, as for ./ratestream
rs() { exec java ${RATESTREAM_JAVA_OPTS:-} -cp "$classpath" io.ratestream.app.cli.RatestreamCli "$@"; }
rs dev --data-dir "$data" "$@" >"$out/dev-$label.log" 2>&1 &
dev_pid=$!
for _ in $(seq 180); do
  grep -q "ready in" "$out/dev-$label.log" && break
  kill -0 "$dev_pid" 2>/dev/null || { cat "$out/dev-$label.log" >&2; exit 1; }
  sleep 1
done
grep -q "ready in" "$out/dev-$label.log" || { echo "dev did not get ready" >&2; exit 1; }

bench() { # name, bench flags...
  local name=$1; shift
  # shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
  (rs bench --json-out "$out/$label-$name.json" ${BENCH_ARGS:-} "$@") >"$out/$label-$name.log" 2>&1 \
    || { echo "bench $name failed:" >&2; tail -5 "$out/$label-$name.log" >&2; exit 1; }
}
row() { # name, description
  python3 - "$out/$label-$2.json" "$label" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); l = r["latencyMs"]; f = r.get("floorMs") or {}
ratio = lambda v: f"{v / f['p50']:.1f}x" if f.get("p50") else "-"
print(f"| {sys.argv[2]} | {sys.argv[3]} | {r['protocol']} | {r['throughput']:,.0f} | {l['p50']:.2f} ({ratio(l['p50'])}) "
      f"| {l['p90']:.2f} | {l['p99']:.2f} ({ratio(l['p99'])}) | {l['p99.9']:.2f} | {l['max']:.2f} "
      f"| {f.get('p50', 0):.3f} | {r['errors']} | {'passed' if r['check']['passed'] else 'FAILED'} |")
PY
}

max_throughput() { # the larger of $1 and scenario $2's throughput: the peak so far
  python3 -c "import json,sys; print(max(int(sys.argv[1]), int(json.load(open(sys.argv[2]))['throughput'])))" \
    "$1" "$out/$label-$2.json"
}

echo "warming the JIT up for $warm s..." >&2
bench warm --connections 50 --in-flight 4 --subscribers 1000 --duration "$warm" --warmup 0 --floor-round-trips 0

echo "| run | scenario | protocol | req/s | p50 ms (x floor) | p90 ms | p99 ms (x floor) | p99.9 ms | max ms | floor p50 ms | errors | exactly-once check |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
peak=0
for s in $scenarios; do
  case $s in
    sequential) bench "$s" --connections 1 --in-flight 1 --subscribers 200 --duration "$each"
                row "sequential (1 x 1)" "$s" ;;
    inflight200) bench "$s" --connections 50 --in-flight 4 --subscribers 1000 --duration "$each"
                 row "200 in flight (50 x 4)" "$s"
                 peak=$(max_throughput "$peak" "$s") ;;
    saturation) bench "$s" --connections 100 --in-flight 8 --subscribers 1000 --duration "$each"
                row "saturation (100 x 8)" "$s"
                peak=$(max_throughput "$peak" "$s") ;;
    halfpeak) rate=$(( ${PEAK:-$peak} / 2 ))
              [[ $rate -gt 0 ]] || { echo "halfpeak needs saturation first (or PEAK=...)" >&2; exit 1; }
              bench "$s" --rate "$rate" --connections 50 --subscribers 1000 --duration "$each"
              row "open loop at half of peak ($rate/s)" "$s" ;;
    http) bench "$s" --protocol http --connections 50 --in-flight 4 --subscribers 1000 --duration "$each"
          row "200 in flight over HTTP (200 connections)" "$s" ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
done
echo "JSON results and logs: $out" >&2
