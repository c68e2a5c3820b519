#!/usr/bin/env bash
# The issue 13 check from the client's side: a fresh `./ratestream dev`, and from its ready line on, Go's
# own net/rpc/jsonrpc client (benchmarks/go-client: JSON-RPC 1.0, 50 connections x 4 calls in flight,
# half GetCost of the worked example, half DebitBalance of vdf:minutosu; nothing loaded beyond the demo
# data). Every EVERY it prints the calls/s and the CPU of the dev JVM (cores, microseconds per call):
# the first lines are the cold start, the last ones the warm service. Stops dev at the end.
#
# usage: benchmarks/scripts/go-client.sh
#   env: DURATION (180s), EVERY (10s), CONNS (50), IN_FLIGHT (4), MIX (half; cost: GetCost only; debit:
#        DebitBalance only), DEV_ARGS (more `dev` options),
#        RATESTREAM_JAVA_OPTS (passed on to the launcher),
#        START_AT (ready: the client starts at dev's ready line; port: as soon as port 2001 accepts a
#        connection, as a harness polling the port would; it prints when that was and when the ready line came)
#   needs Go 1.19 or later (Debian: apt-get install golang-go)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=benchmarks/scripts/dev-start.sh
. benchmarks/scripts/dev-start.sh
prepare_go_client
if [ "${START_AT:-ready}" = port ]; then
  launched=$(date +%s%N)
  # shellcheck disable=SC2086 # DEV_ARGS is a list of options
  ./ratestream dev --data-dir "$work/data" ${DEV_ARGS:-} >"$work/dev.log" 2>&1 &
  dev=$!
  until (exec 3<>/dev/tcp/127.0.0.1/2001) 2>/dev/null; do
    kill -0 "$dev" 2>/dev/null || { cat "$work/dev.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "port 2001 accepts $(( ($(date +%s%N) - launched) / 1000000 )) ms after the launch"
  pid=$(pgrep -f "RatestreamCli dev --data-dir $work/data")
  (until grep -q 'ready in' "$work/dev.log"; do sleep 0.1; done
   echo "ready line $(( ($(date +%s%N) - launched) / 1000000 )) ms after the launch") &
  echo "dev pid $pid; Go client from then on:"
else
  start_dev_for_go
  echo "dev pid $pid; Go client from the ready line on:"
fi
"$work/go-client" -d "${DURATION:-180s}" -every "${EVERY:-10s}" -c "${CONNS:-50}" -f "${IN_FLIGHT:-4}" -mix "${MIX:-half}" \
  -pid "$pid"
