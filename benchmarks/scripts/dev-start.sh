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
