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
#        RATESTREAM_JAVA_OPTS (passed on to the launcher)
#   needs Go 1.19 or later (Debian: apt-get install golang-go)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=benchmarks/scripts/dev-start.sh
. benchmarks/scripts/dev-start.sh
prepare_go_client
start_dev_for_go
echo "dev pid $pid; Go client from the ready line on:"
"$work/go-client" -d "${DURATION:-180s}" -every "${EVERY:-10s}" -c "${CONNS:-50}" -f "${IN_FLIGHT:-4}" -mix "${MIX:-half}" \
  -pid "$pid"
