#!/usr/bin/env bash
# Sourced by the benchmark scripts: start_dev DIR starts `./ratestream dev` on the fresh data dir DIR/data
# (with DEV_ARGS, more `dev` options), its output in DIR/dev.log, sets `dev` to its pid and returns at its
# ready line; when dev exits first, or is not ready within 120 s, it prints dev's output and exits the script
# with 1.
start_dev() {
  local dir=$1
  # shellcheck disable=SC2086 # DEV_ARGS is a list of options
  ./ratestream dev --data-dir "$dir/data" ${DEV_ARGS:-} >"$dir/dev.log" 2>&1 &
  dev=$!
  for _ in $(seq 1 600); do
    grep -q 'ready in' "$dir/dev.log" && return 0
    kill -0 "$dev" 2>/dev/null || { cat "$dir/dev.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "dev was not ready within 120 s" >&2
  cat "$dir/dev.log" >&2
  exit 1
}

# prepare_go_client: for the scripts that drive `dev` with Go's own client (benchmarks/go-client): checks
# that Go is there, sets `work` to a new temp dir (deleted, and dev stopped, when the script exits), builds
# the client into it as $work/go-client and the project's jars, outside any timing.
prepare_go_client() {
  command -v go >/dev/null || { echo "$(basename "$0") needs Go (Debian: apt-get install golang-go)" >&2; exit 2; }
  work=$(mktemp -d)
  trap 'kill "$dev" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
  (cd benchmarks/go-client && go build -o "$work/go-client" .)
  ./ratestream --version >/dev/null
}

# start_dev_for_go: start_dev on $work, prints its warm-up and ready lines, sets `pid` to the dev JVM's pid.
start_dev_for_go() {
  start_dev "$work"
  grep -E "warmed|ready in" "$work/dev.log" | sed "s| (data in .*||"
  pid=$(pgrep -f "RatestreamCli dev --data-dir $work/data")
}
