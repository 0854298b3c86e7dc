#!/usr/bin/env bash
# Socket bridges side by side under the load tool's bridge-echo scenario: websocksy (built from source by
# bench/websocksy/build.sh), websockify (Debian's, from bench/install-peers.sh), PingActors' bridge (a node with
# pingactors.bridge.* set), and the plain TCP baseline (the tool's clients straight to its echo peer). Each
# bridge is pointed at the tool's TCP echo peer on ECHO_PORT, with binary framing. Every variant (connections x
# message size) runs unpaced, then (HALF_RATE=1) paced at half the rate that run reached, each on a freshly
# started server; targets alternate run by run, as in run-proxy.sh. Loopback only; every server this script
# starts is stopped on exit. One JSON line per run (the tool's line plus "variant", "bridge" and "round") to
# $RESULTS; the machine notes and a summary (medians over rounds) to ${RESULTS%.jsonl}.md.
#
#   bench/run-bridge.sh                                        # websocksy, websockify, tcp
#   TARGETS="pingactors tcp" ROUNDS=3 bench/run-bridge.sh
#
# The pingactors target needs a node with the bridge feature (pingactors.bridge.*); a node without it fails at
# start, and this script says so (tail of its log) and stops.
#
# Knobs (environment):
#   TARGETS="websocksy websockify tcp"   any of websocksy, websockify, pingactors, tcp, in the order they alternate
#   CONNECTIONS="1 100"  SIZES="1024 65536"   the variants: every connection count with every message size
#   FRAME_MAX=16000               the tool sends a larger message as binary messages of at most this size, for
#                                 every target alike: websocksy drops a client whose frame exceeds its 16 KiB
#                                 receive buffer, and closes on continuation frames (0 = whole messages)
#   HALF_RATE=1                   also run each variant paced at half the unpaced run's rate (p99 at half the
#                                 maximum rate); 0 = unpaced runs only
#   ROUNDS=1                      repeat every variant's target cycle this often (summary: median)
#   DURATION=10                   measured seconds per run
#   WARMUP=10                     seconds of the same load before measuring, on the same server (the node's JIT
#                                 tiers up for ~10 s; see run-proxy.sh)
#   PORT=9190 ECHO_PORT=9191      the bridge's listen port; the tool's echo peer
#   WEBSOCKSY_DIR=bench/websocksy/src (built when missing; websocksy runs from there to find plugins/)
#   NODE_DLL=src/PingActors.Node/bin/Release/net10.0/PingActors.Node.dll (built unless NO_BUILD=1)
#   NODE_ARGS="--set ..."         the node's options besides the bridge's (default: ops on 127.0.0.1:18089,
#                                 logs at warning)
#   SUMMARY_ONLY=1 RESULTS=bench/results/bridge-X.jsonl   no runs: write X.md's table again from X.jsonl
#   NICE=-10  NO_BUILD=1  LOCK=/tmp/pingactors-cpu.lock (held from each server's start to its stop, empty = none)
#   RESULTS=bench/results/bridge-<UTC>.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

TARGETS=${TARGETS:-"websocksy websockify tcp"}
CONNECTIONS=${CONNECTIONS:-"1 100"}
SIZES=${SIZES:-"1024 65536"}
FRAME_MAX=${FRAME_MAX:-16000}
HALF_RATE=${HALF_RATE:-1}
ROUNDS=${ROUNDS:-1}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
PORT=${PORT:-9190}
ECHO_PORT=${ECHO_PORT:-9191}
LOCK=${LOCK-/tmp/pingactors-cpu.lock}
WEBSOCKSY_DIR=${WEBSOCKSY_DIR:-$ROOT/bench/websocksy/src}
NODE_DLL=${NODE_DLL:-$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node.dll}
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
if [[ -z "${NODE_ARGS+x}" ]]; then
  node_options 127.0.0.1:18080 127.0.0.1:18089
  NODE_ARGS="${NODE_OPTS[*]}"
fi
mkdir -p bench/results
RESULTS=${RESULTS:-bench/results/bridge-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
SUMMARY=${RESULTS%.jsonl}.md

PRIO=()
if [[ -n "${NICE:-}" ]]; then PRIO=(nice -n "$NICE"); fi

has_target() { [[ " $TARGETS " == *" $1 "* ]]; }
for t in $TARGETS; do
  [[ $t == websocksy || $t == websockify || $t == pingactors || $t == tcp ]] ||
    { echo "error: target '$t' is not websocksy, websockify, pingactors or tcp" >&2; exit 2; }
done

if [[ -z "${NO_BUILD:-}" ]]; then
  if has_target pingactors; then
    build_release src/PingActors.Node bench/PingActors.Bench
  else
    build_release bench/PingActors.Bench
  fi
fi
if has_target pingactors && [[ ! -f $NODE_DLL ]]; then
  echo "error: no node at $NODE_DLL (build it: dotnet build -c Release src/PingActors.Node, or set NODE_DLL)" >&2
  exit 2
fi
if has_target websocksy && [[ ! -x $WEBSOCKSY_DIR/websocksy ]]; then
  say "build websocksy"
  bench/websocksy/build.sh
fi
if has_target websockify && ! command -v websockify >/dev/null; then
  echo "error: no websockify (install it: bench/install-peers.sh, as root)" >&2
  exit 2
fi

SERVER_PID=
lock_fd=
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=
  if [[ -n "$lock_fd" ]]; then exec {lock_fd}>&-; lock_fd=; fi
}
trap 'stop_server' EXIT
trap 'exit 130' INT TERM

# A TCP connect to the listener, up to 60 s while the server runs: websocksy answers a plain GET with 426 and
# websockify serves no page without --web, so there is no HTTP probe common to them.
wait_port() { # port
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited" >&2; return 1; }
    sleep 0.2
  done
  echo "timeout waiting for 127.0.0.1:$1" >&2
  return 1
}

start_server() { # target
  local log=bench/results/bridge-$1.log
  if [[ -n "$LOCK" ]]; then
    exec {lock_fd}>"$LOCK"
    flock "$lock_fd"
  fi
  case $1 in
    tcp) return 0 ;; # no server: the tool's clients talk to its echo peer
    # websocksy's -c host without a port takes its default port 5900, so the port goes in its own key. It
    # looks for plugins/ relative to where it runs. It logs every frame to stdout: a file, fully buffered.
    websocksy)
      show "(cd $WEBSOCKSY_DIR && ${PRIO[*]:+${PRIO[*]} }./websocksy -p $PORT -l 127.0.0.1 -c host=tcp://127.0.0.1 -c port=$ECHO_PORT -c framing=binary)"
      (cd "$WEBSOCKSY_DIR" && exec "${PRIO[@]}" ./websocksy -p "$PORT" -l 127.0.0.1 -c host=tcp://127.0.0.1 -c port="$ECHO_PORT" \
        -c framing=binary) > "$log" 2>&1 &
      ;;
    # websockify 0.10 sends binary frames to a client that offers no subprotocol (it picks "binary" only when
    # offered; base64 is gone), and forks a process per connection: the tool counts the children's CPU too.
    websockify)
      show "${PRIO[*]:+${PRIO[*]} }websockify 127.0.0.1:$PORT 127.0.0.1:$ECHO_PORT"
      "${PRIO[@]}" websockify "127.0.0.1:$PORT" "127.0.0.1:$ECHO_PORT" > "$log" 2>&1 &
      ;;
    pingactors)
      # shellcheck disable=SC2206
      local cmd=(dotnet "$NODE_DLL" --set pingactors.bridge.enabled=on --set pingactors.hub.enabled=off
        --set "pingactors.bridge.listen=127.0.0.1:$PORT" --set "pingactors.bridge.backend.host=tcp://127.0.0.1:$ECHO_PORT"
        --set pingactors.bridge.backend.framing=binary $NODE_ARGS)
      show "${PRIO[*]:+${PRIO[*]} }${cmd[*]}"
      "${PRIO[@]}" "${cmd[@]}" > "$log" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  if ! wait_port "$PORT"; then
    # A node without the bridge feature starts and serves its other listeners, but never opens $PORT.
    tail -5 "$log" >&2
    if [[ $1 == pingactors ]]; then echo "(no bridge listener: does this node have pingactors.bridge?)" >&2; fi
    exit 1
  fi
  sleep 1 # let start-up settle
}

LAST_RATE=0
run_bench() { # target variant args...
  local target=$1 variant=$2 out json
  shift 2
  local args=(bridge-echo "$@" --echo-port "$ECHO_PORT" --frame-max "$FRAME_MAX" --duration "$DURATION" --warmup "$WARMUP"
    --label "$target")
  if [[ $target == tcp ]]; then
    args+=(--tcp)
  else
    args+=(--url "ws://127.0.0.1:$PORT/" --pid "$SERVER_PID")
  fi
  show "${PRIO[*]:+${PRIO[*]} }$BENCH_BIN ${args[*]}"
  out=$(PINGACTORS_BENCH_NO_PROGRESS=1 "${PRIO[@]}" "$BENCH_BIN" "${args[@]}") || echo "(bench exited $?)" >&2
  json=$(printf '%s\n' "$out" | grep '^{' | tail -1 || true)
  LAST_RATE=0
  if [[ -n "$json" ]]; then
    LAST_RATE=$(printf '%s\n' "$json" | jq '.round_trips_per_sec | floor')
    printf '%s\n' "$json" | jq -c --arg v "$variant" --arg b "$target" --argjson r "$round" '. + {variant: $v, bridge: $b, round: $r}' |
      tee -a "$RESULTS" |
      jq -r '"  \(.bridge): \(.round_trips_per_sec | floor) round trips/s, \(.mb_per_sec | floor) MB/s, p50 \(.rtt_p50_ms) p99 \(.rtt_p99_ms) max \(.rtt_max_ms) ms, errors \(.errors)\(if .error_sample != "" then " (" + .error_sample + ")" else "" end), server \(.server_cpu_pct_core // "-" | if type == "number" then floor else . end) % of a core, \(.server_cpu_us_per_rt // "-" | if type == "number" then floor else . end) us per round trip, tool \(.tool_cpu_pct_core | floor) %"' >&2
  fi
}

if [[ -n "${SUMMARY_ONLY:-}" ]]; then
  # Re-render the summary of an existing RESULTS: keep its notes, replace everything from the table's legend on.
  [[ -s $RESULTS && -f $SUMMARY ]] || { echo "error: SUMMARY_ONLY needs an existing RESULTS and its .md" >&2; exit 2; }
  notes=$(sed '/^Medians over rounds/,$d' "$SUMMARY")
  printf '%s\n' "$notes" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$SUMMARY"
else
  say "machine"
  {
    echo "# bridge-echo: $(basename "$RESULTS" .jsonl)"
    echo
    echo '```'
    machine_notes
    echo "targets: $TARGETS"
    echo "variants: connections {$CONNECTIONS} x sizes {$SIZES} B, frame-max $FRAME_MAX, half-rate runs: $HALF_RATE"
    echo "duration: $DURATION s after $WARMUP s warm-up; rounds: $ROUNDS"
    if has_target websocksy; then
      echo "websocksy: $WEBSOCKSY_DIR (commit $(cat "$WEBSOCKSY_DIR/.commit" 2>/dev/null || echo '?'))"
    fi
    if has_target websockify; then
      echo "websockify: $(command -v websockify) ($(dpkg-query -W -f='${Version}' websockify 2>/dev/null || echo '?'))"
    fi
    if has_target pingactors; then echo "node args: $NODE_ARGS"; fi
    echo "nice: ${NICE:-(none)}"
    echo '```'
  } > "$SUMMARY"
  cat "$SUMMARY" >&2

  for c in $CONNECTIONS; do
    for size in $SIZES; do
      variant="c$c ${size}B"
      for round in $(seq "$ROUNDS"); do
        for t in $TARGETS; do
          say "bridge-echo: $c connection(s), $size B -> $t (round $round)"
          start_server "$t"
          run_bench "$t" "$variant" --connections "$c" --size "$size"
          stop_server
          if [[ $HALF_RATE == 1 && $LAST_RATE -ge 2 ]]; then
            half=$((LAST_RATE / 2))
            say "bridge-echo: $c connection(s), $size B at $half round trips/s (half) -> $t (round $round)"
            start_server "$t"
            run_bench "$t" "$variant @half" --connections "$c" --size "$size" --rate "$half"
            stop_server
          fi
        done
      done
    done
  done

fi

say "results in $RESULTS; summary in $SUMMARY"
[[ -s $RESULTS ]] || { echo "no results" >&2; exit 1; }
{
  echo
  echo "Medians over rounds. Round trips/s relative to tcp: the plain TCP baseline's median in the same variant."
  echo "\"@half\": paced at half the rate its own unpaced run reached (no \"vs tcp\": both sides were paced); \"due p99\""
  echo "counts from when each round trip was due (queueing behind a slow one included; also the tool's ~1 ms timer"
  echo "lateness, which dominates for one connection paced above ~1000/s), the other latencies from the send."
  echo "Server CPU per round trip is the bridge's own (websockify: its forked children included); the tool (clients"
  echo "and echo peer) shares the machine with it. Load: the 1-minute load average when each run started (median);"
  echo "other work on the machine does not take the CPU lock, and a load above the core count perturbs a run."
  echo
  jq -s -r '
    def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def r1: if . == null then "-" else (. * 10 | round / 10) end;
    def r3: if . == null then "-" else (. * 1000 | round / 1000) end;
    (map(select(.bridge == "tcp")) | group_by(.variant) | map({key: .[0].variant, value: ([.[].round_trips_per_sec] | median)}) | from_entries) as $tcp |
    "| variant | bridge | rounds | round trips/s | vs tcp | MB/s | p50 ms | p90 ms | p99 ms | max ms | due p99 ms | errors | server % core | server us/rt | tool % core | load |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    (group_by([.variant, .bridge]) | .[] |
      ([.[].round_trips_per_sec] | median) as $rate |
      "| \(.[0].variant) | \(.[0].bridge) | \(length) | \($rate | floor) | \(if $tcp[.[0].variant] and (.[0].variant | contains("@half") | not) then ($rate / $tcp[.[0].variant] * 100 | round | tostring) + " %" else "-" end) | \([.[].mb_per_sec] | median | r1) | \([.[].rtt_p50_ms] | median | r3) | \([.[].rtt_p90_ms] | median | r3) | \([.[].rtt_p99_ms] | median | r3) | \([.[].rtt_max_ms] | median | r3) | \([.[].due_p99_ms] | if .[0] == null then "-" else median | r3 end) | \([.[].errors] | add) | \([.[].server_cpu_pct_core] | if .[0] == null then null else median end | r1) | \([.[].server_cpu_us_per_rt] | if .[0] == null then null else median end | r1) | \([.[].tool_cpu_pct_core] | median | r1) | \([.[].load_average_start | split(" ")[0] | tonumber] | median | r1) |")' "$RESULTS"
} | tee -a "$SUMMARY"
