#!/usr/bin/env bash
# The Go client of issue 13, against a `./ratestream dev` (or kafka + streams + gateway) that is already
# running: 50 connections x 4 calls in flight, JSON-RPC 1.0 as Go's net/rpc/jsonrpc writes it, half
# GetCost of the worked example (two spans), half DebitBalance (`--mix go`). Starts nothing. Prints
# bench's output, then the CPU table of the measured window: per ratestream process bench found (those
# holding a socket on the Kafka or gateway port it uses; or --cpu-pids), and bench itself, the CPU
# seconds, cores used and microseconds of CPU per completed call. bench's progress lines show, each
# second, the cores each server's JIT compiler threads used ("jit ROLE PID J of C cores").
#
# usage: benchmarks/scripts/go-mix.sh [more bench options, e.g. --cpu-pids 1234,5678]
#   env: WARMUP (30) and DURATION (60) seconds; SERVER (127.0.0.1:2001), BOOTSTRAP (127.0.0.1:9092),
#        CONNECTIONS (50), IN_FLIGHT (4), SUBSCRIBERS (1000), JSONRPC_VERSION (1.0),
#        OUT ($TMPDIR/go-mix.json: bench's JSON), RATESTREAM (./ratestream: the launcher to run bench with)
set -euo pipefail
cd "$(dirname "$0")/../.."
ratestream=${RATESTREAM:-./ratestream}
out=${OUT:-${TMPDIR:-/tmp}/go-mix.json}

code=0
"$ratestream" bench --server "${SERVER:-127.0.0.1:2001}" --bootstrap "${BOOTSTRAP:-127.0.0.1:9092}" \
  --connections "${CONNECTIONS:-50}" --in-flight "${IN_FLIGHT:-4}" --mix go \
  --jsonrpc-version "${JSONRPC_VERSION:-1.0}" --subscribers "${SUBSCRIBERS:-1000}" \
  --warmup "${WARMUP:-30}" --duration "${DURATION:-60}" --floor-round-trips 0 --json-out "$out" "$@" || code=$?
[[ -f $out ]] || exit "$code"

echo
python3 - "$out" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
lat = run["latencyMs"]
print(f"Go-like client: {run['connections']} connections x {run['inFlight']} in flight, JSON-RPC "
      f"{run.get('jsonRpcVersion', '?')}, mix {run['mix']}, {run['warmupSeconds']} s warm-up + "
      f"{run['durationSeconds']} s")
print(f"load: {run['throughput']:,.0f} calls/s, p50 {lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms, errors "
      f"{run['errors']}, exactly-once check {'passed' if run['check']['passed'] else 'FAILED'}")
cpu = run.get("cpu")
if not cpu:
    print("no CPU figures (see the 'cpu:' lines above)")
    sys.exit(0)
print(f"CPU in the measured window ({cpu['windowSeconds']:.1f} s, {cpu['calls']:,} calls completed):")
print("| process | pid | CPU s | cores | us of CPU per call |")
print("|---|---|---|---|---|")
def row(name, pid, r):
    per = f"{r['microsPerCall']:,.0f}" if "microsPerCall" in r else "-"
    print(f"| {name} | {pid} | {r['cpuSeconds']:.2f} | {r['cores']:.2f} | {per} |")
for p in cpu.get("processes", []):
    row(p["role"], p["pid"], p)
if "servers" in cpu:
    row("**servers (all but bench)**", "", cpu["servers"])
for note in cpu.get("notes", []):
    print(f"note: {note}")
PY
exit "$code"
