#!/usr/bin/env bash
# The idempotency ledger in its steady state (issue 13): a fresh `./ratestream dev`, then ENTRIES
# idempotency entries of DebitBalance commands accepted AGE_HOURS ago for vdf:minutosu
# (io.ratestream.benchmarks.ProcessedBacklog, waited for until processed), then Go's own client with the
# DebitBalance-only mix (all on vdf:minutosu). Its commands move the task's forgetting watermark past the
# old entries, so that each of them also forgets two, as in a deployment that has run longer than twice
# the idempotency retention (48 h by default). Compare with `MIX=debit benchmarks/scripts/go-client.sh`,
# where nothing is old enough to forget. Stops dev at the end.
#
# usage: benchmarks/scripts/forgetting.sh
#   env: ENTRIES (1000000), AGE_HOURS (72), DURATION (90s), EVERY (10s), MIX (debit), DEV_ARGS
#   needs Go 1.19 or later (Debian: apt-get install golang-go)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=benchmarks/scripts/dev-start.sh
. benchmarks/scripts/dev-start.sh
prepare_go_client
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q -pl benchmarks -am package -DskipTests
start_dev_for_go
bootstrap=$(awk '/^Kafka /{print $2; exit}' "$work/dev.log")
java -XX:CICompilerCount=4 -cp benchmarks/target/benchmarks.jar io.ratestream.benchmarks.ProcessedBacklog \
  --bootstrap "$bootstrap" --entries "${ENTRIES:-1000000}" --age-hours "${AGE_HOURS:-72}" --subscriber vdf:minutosu
echo "dev pid $pid; Go client from here on:"
"$work/go-client" -d "${DURATION:-90s}" -every "${EVERY:-10s}" -c 50 -f 4 -mix "${MIX:-debit}" -pid "$pid"
