#!/usr/bin/env bash
# SSE against WebSocket fan-out on one node, the same channel, the same run, and RSS per idle SSE stream
# (the load tool's sse-fanout scenario; docs/benchmarks.md, "Server-Sent Events"). Writes the tool's table
# and JSON lines to bench/results/sse-<UTC>.jsonl.
#
#   bench/run-sse.sh                                  # 1,000 SSE + 1,000 WebSocket subscribers, 2,000 messages
#   SUBS=5000 WS_SUBS=0 MSGS=200 NO_BUILD=1 bench/run-sse.sh   # RSS per idle stream with more streams
#   APART=1 ROUNDS=2 bench/run-sse.sh                 # also each transport alone, on a fresh node each:
#                                                     # fanout (WebSocket) then sse-fanout --ws-subscribers 0
#
# Knobs: SUBS, WS_SUBS, MSGS, SIZE, PUBLISHERS, ROUNDS, APART=1, NO_BUILD=1, LOCK=/tmp/pingactors-cpu.lock (empty: no lock).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SUBS=${SUBS:-1000}
WS_SUBS=${WS_SUBS:-$SUBS}
MSGS=${MSGS:-2000}
SIZE=${SIZE:-64}
PUBLISHERS=${PUBLISHERS:-1}
ROUNDS=${ROUNDS:-1}
LOCK=${LOCK-/tmp/pingactors-cpu.lock}
HUB=127.0.0.1:18180
OPS=127.0.0.1:18189
NODE_BIN=$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
mkdir -p bench/results
RESULTS=bench/results/sse-$(date -u +%Y%m%dT%H%MZ).jsonl

[[ -n "${NO_BUILD:-}" ]] || build_release src/PingActors.Node bench/PingActors.Bench

if [[ -n "$LOCK" ]]; then
  exec 9>"$LOCK"
  flock 9
fi

machine_notes | tee "${RESULTS%.jsonl}.machine.txt" >&2
node_options "$HUB" "$OPS"
run_on_fresh_node() { # bench args (after the target's)...
  show "$NODE_BIN ${NODE_OPTS[*]}"
  "$NODE_BIN" "${NODE_OPTS[@]}" > bench/results/sse-node.log 2>&1 &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
  wait_http "http://$OPS/ping"
  sleep 2
  local scenario=$1
  shift
  args=("$scenario" --url "http://$HUB" --stats-url "http://$OPS/stats" --label node --pid "$SERVER_PID" "$@"
    --messages "$MSGS" --size "$SIZE" --publishers "$PUBLISHERS" --json-out "$RESULTS")
  show "$BENCH_BIN ${args[*]}"
  "$BENCH_BIN" "${args[@]}" || echo "(bench exited $?)" >&2
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
}

for round in $(seq 1 "$ROUNDS"); do
  say "round $round: $SUBS SSE + $WS_SUBS WebSocket subscribers, $MSGS messages of $SIZE B, $PUBLISHERS publisher(s)"
  run_on_fresh_node sse-fanout --subscribers "$SUBS" --ws-subscribers "$WS_SUBS"
  if [[ -n "${APART:-}" ]]; then
    say "round $round apart: $SUBS WebSocket subscribers alone, then $SUBS SSE subscribers alone"
    run_on_fresh_node fanout --subscribers "$SUBS"
    run_on_fresh_node sse-fanout --subscribers "$SUBS" --ws-subscribers 0
  fi
done
echo "results: $RESULTS" >&2
