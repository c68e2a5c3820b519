# Sourced by failover.sh, million.sh and cluster.sh (not run on its own): starting ratestream processes,
# waiting for their lines, stopping them, and cleaning up on exit.
#
# Every process runs from a copy of the jars that `./ratestream --version` built (in $dir/lib), not
# through ./ratestream itself: the launcher rebuilds when a source is newer than its jar, and a rebuild
# rewrites the jars under the processes already running (they then fail with class loading errors), which
# would also put a Maven build in the middle of a measurement. Each process's output (stdout and stderr)
# goes to $dir/NAME.log, every line prefixed with the time it was printed, in microseconds since the epoch.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
declare -A pid_of=()
started_names=() # in start order

fail() {
  echo "$(basename "$0"): FAILED: $*" >&2
  exit 1
}

step() { echo "[$(date +%T)] $*" >&2; }

load_average() { cut -d' ' -f1 /proc/loadavg; }

# A report line on how busy the machine was: the measurements share its cores with whatever else runs.
machine() {
  echo "  machine: $(nproc) cores; 1-minute load average $1 when bench started, $2 when it ended"
}

now_us() { echo "${EPOCHREALTIME/./}"; }

ms_since() { echo $((($2 - $1) / 1000)); } # from_us, to_us

require() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || fail "$tool is not installed: install it, the report needs it"
  done
}

require_free_ports() {
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      fail "port $port is in use: stop the other process or set PORT_BASE (ports PORT_BASE9092, PORT_BASE2001, PORT_BASE8000)"
    fi
  done
}

# Builds through the launcher, then copies the jars it would run into $dir/lib (see above).
freeze_build() {
  "$root/ratestream" --version >/dev/null || fail "the build failed (see above)"
  mkdir -p "$dir/lib"
  local i=0 jar
  for jar in "$root/app/target/app-0.1.0-SNAPSHOT.jar" $(tr ':' ' ' <"$root/app/target/classpath.txt"); do
    i=$((i + 1))
    cp "$jar" "$dir/lib/$(printf %03d $i)-$(basename "$jar")"
  done
  classpath=$(find "$dir/lib" -name '*.jar' | sort | paste -sd: -)
  # The broker's jars (`ratestream kafka` only), when the build lists them apart from the runtime's.
  kafka_classpath=$classpath
  if [[ -f $root/app/target/classpath-dev.txt ]]; then
    mkdir -p "$dir/lib-dev"
    for jar in $(tr ':' ' ' <"$root/app/target/classpath-dev.txt"); do
      i=$((i + 1))
      cp "$jar" "$dir/lib-dev/$(printf %03d $i)-$(basename "$jar")"
    done
    kafka_classpath=$classpath:$(find "$dir/lib-dev" -name '*.jar' | sort | paste -sd: -)
  fi
}

stamp() {
  local line
  while IFS= read -r line; do printf '%s %s\n' "${EPOCHREALTIME/./}" "$line"; done
}

# start NAME ARGS...: runs `ratestream ARGS...` in the background as NAME; sets start_us. A `kafka` node
# runs with the broker's jars too (kafka_classpath).
start() {
  local name=$1 cp=$classpath
  shift
  [[ $1 != kafka && $1 != dev ]] || cp=${kafka_classpath:-$classpath}
  start_us=$(now_us)
  # shellcheck disable=SC2086 # RATESTREAM_JAVA_OPTS is a list of JVM options, as for ./ratestream
  "${RATESTREAM_JAVA:-java}" ${RATESTREAM_JAVA_OPTS:-} -cp "$cp" io.ratestream.app.cli.RatestreamCli "$@" \
    > >(stamp >"$dir/$name.log") 2>&1 &
  pid_of[$name]=$!
  started_names+=("$name")
}

# await NAME REGEX SECONDS: the time (us) of NAME's first output line that starts with a match of REGEX;
# fails when NAME ends or the time is up first.
await() {
  local name=$1 regex=$2 deadline=$(($(now_us) + $3 * 1000000)) hit
  while :; do
    hit=$(grep -m1 -E "^[0-9]+ ($regex)" "$dir/$name.log" 2>/dev/null || true)
    if [[ -n $hit ]]; then
      echo "${hit%% *}"
      return 0
    fi
    if ! kill -0 "${pid_of[$name]}" 2>/dev/null; then
      tail -n 20 "$dir/$name.log" >&2
      fail "$name ended before printing /$regex/ (its last lines are above; all of it in $dir/$name.log)"
    fi
    if (($(now_us) > deadline)); then
      tail -n 20 "$dir/$name.log" >&2
      fail "$name printed no /$regex/ within $3 s (its last lines are above)"
    fi
    sleep 0.1
  done
}

# stop NAME: SIGTERM, as Ctrl-C; SIGKILL after 60 s. Sets stop_ms: how long it took to exit.
stop() {
  local name=$1 pid=${pid_of[$1]} from i
  from=$(now_us)
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    step "$name did not stop within 60 s of SIGTERM: killed"
  fi
  wait "$pid" 2>/dev/null || true
  stop_ms=$(ms_since "$from" "$(now_us)")
}

# Stops whatever this script started and still runs, the last started first; removes $dir unless KEEP=1
# or the script failed (its logs are then worth reading).
cleanup() {
  local code=$? i name
  for ((i = ${#started_names[@]} - 1; i >= 0; i--)); do
    name=${started_names[i]}
    if kill -0 "${pid_of[$name]}" 2>/dev/null; then
      stop "$name"
    fi
  done
  if [[ ${KEEP:-0} == 1 || $code != 0 ]]; then
    echo "kept $dir (every process's output is in its NAME.log there)" >&2
  else
    rm -rf "$dir"
  fi
}

# await_ready_gateway SECONDS: waits until the gateway's /health/ready answers 200.
await_ready_gateway() {
  local deadline=$(($(now_us) + $1 * 1000000))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$http_port/health/ready") == 200 ]]; do
    kill -0 "${pid_of[gateway]}" 2>/dev/null || fail "the gateway ended (see $dir/gateway.log)"
    (($(now_us) < deadline)) || fail "the gateway was not ready within $1 s: $(curl -s --max-time 2 "http://127.0.0.1:$http_port/health/ready")"
    sleep 0.2
  done
}

# Starts broker, one streams instance (NAME, state dir $dir/NAME) and the gateway; ports from PORT_BASE.
start_cluster() {
  local streams=$1
  shift
  step "starting Kafka on $kafka_port"
  start kafka kafka --data-dir "$dir/kafka" --kafka-port "$kafka_port"
  await kafka 'ready in' 120 >/dev/null
  step "starting the streams app ($streams)"
  start "$streams" streams --bootstrap "127.0.0.1:$kafka_port" --state-dir "$dir/$streams" "$@"
  await "$streams" '.*running against' 300 >/dev/null # the line may be split by a log line printed meanwhile
  step "starting the gateway on $rpc_port (JSON-RPC) and $http_port (HTTP)"
  start gateway gateway --bootstrap "127.0.0.1:$kafka_port" --jsonrpc-port "$rpc_port" --http-port "$http_port"
  await_ready_gateway 120
}

# until_status SECONDS JQ_CONDITION [jq options...]: polls the gateway's /status every 100 ms until the
# condition holds on it; prints the time (us) of the answer that held, or returns 1 when the time is up.
until_status() {
  local deadline=$(($(now_us) + $1 * 1000000)) condition=$2
  shift 2
  while (($(now_us) < deadline)); do
    if status | jq -e "$@" "$condition" >/dev/null 2>&1; then
      now_us
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# The gateway's GET /status; empty when it does not answer within 5 s (it asks Kafka for the groups).
status() { curl -s --max-time 5 "http://127.0.0.1:$http_port/status" || true; }

# The streams instances the gateway sees, for a message: CLIENT [PARTITIONS]; ...
instances() { status | jq -r '[.StreamsInstances[] | "\(.Client) \(.CommandPartitions)"] | join("; ")' 2>/dev/null; }

# bench's progress lines as "TIME_US SECOND REQ_PER_S ERRORS RETRIES P50_MS P99_MS MAX_MS", from its log.
progress_lines() {
  sed -nE 's/^([0-9]+) \[ *([0-9]+) s\] +([0-9.]+) req\/s +errors ([0-9]+) +retries ([0-9]+) +p50 ([0-9.]+) ms +p99 ([0-9.]+) ms +max ([0-9.]+) ms$/\1 \2 \3 \4 \5 \6 \7 \8/p' \
    "$dir/$1.log"
}
