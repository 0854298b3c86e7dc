#!/usr/bin/env bash
# permessage-deflate (issue 20, part 3): fan-out of JSON-like messages to 1,000 subscribers with and without
# deflate, against one node that has it on (pingactors.hub.deflate.enabled), the two kinds of run
# alternating so that both see the same machine; then the idle cost of a compressing socket.
#
#   bench/run-deflate.sh
#   SUBS=1000 MSGS=2000 SIZE=1024 RUNS="1:0 4:0" REPEAT=2 IDLE_N=5000 NO_BUILD=1 bench/run-deflate.sh
#
# Each fanout line of the results has deflate true/false, delivered_per_sec, server CPU per delivery, and
# wire_bytes (the WebSocket bytes the subscribers read: frame headers and payloads, compressed or not);
# loopback_bytes counts lo for the whole machine, other users' traffic included, so it is only a cross-check
# on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SUBS=${SUBS:-1000}
MSGS=${MSGS:-2000}
SIZE=${SIZE:-1024}
RUNS=${RUNS:-"1:0 4:0"}
REPEAT=${REPEAT:-2}
IDLE_N=${IDLE_N:-5000}
NODE_ARGS=${NODE_ARGS:-}
mkdir -p bench/results
RESULTS=${RESULTS:-bench/results/deflate-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
NODE_BIN=${NODE_BIN:-$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node}
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
# Ports of their own: on a shared machine another bench may hold the usual ones (start_node checks).
HUB=${HUB:-127.0.0.1:19471}
OPS=${OPS:-127.0.0.1:19479}

SERVER_PID=
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=
}
trap stop_server EXIT
trap 'exit 130' INT TERM

start_node() {
  for port in "${HUB##*:}" "${OPS##*:}"; do
    if ss -ltn | grep -q "[:.]$port "; then
      echo "error: port $port is taken by another process; set HUB= and OPS=" >&2
      exit 2
    fi
  done
  node_options "$HUB" "$OPS"
  # shellcheck disable=SC2206
  local cmd=("$NODE_BIN" "${NODE_OPTS[@]}" --set pingactors.hub.deflate.enabled=on $NODE_ARGS)
  show "${cmd[*]}"
  "${cmd[@]}" > bench/results/deflate-node.log 2>&1 &
  SERVER_PID=$!
  wait_http "http://$OPS/ping"
  kill -0 "$SERVER_PID" # the answer came from this node, not one that took the port meanwhile
  sleep 2 # let start-up allocations and tiering quiet down
}

compressions() { curl -sf "http://$OPS/metrics" | awk '/^pingactors_deflate_compressions_total\{feature="hub"\}/ {print $2}'; }

run_bench() { # args...
  show "$BENCH_BIN $* --json-out $RESULTS"
  "$BENCH_BIN" "$@" --json-out "$RESULTS" || echo "(bench exited $?)" >&2
}

[[ -n "${NO_BUILD:-}" ]] || build_release src/PingActors.Node bench/PingActors.Bench

say "machine"
machine_notes | tee -a "${RESULTS%.jsonl}.machine.txt" >&2

target="--url http://$HUB --stats-url http://$OPS/stats --label node --pid"
for run in $RUNS; do
  p=${run%%:*} rate=${run##*:}
  for r in $(seq "$REPEAT"); do
    for mode in plain deflate; do
      say "fanout $r/$REPEAT: 1 x $SUBS, $MSGS JSON-like messages of $SIZE B, $p publisher(s), rate $rate, $mode"
      start_node
      before=$(compressions)
      # shellcheck disable=SC2086
      run_bench fanout $target "$SERVER_PID" --subscribers "$SUBS" --messages "$MSGS" --publishers "$p" --rate "$rate" \
        --size "$SIZE" --payload json $([[ $mode == deflate ]] && echo --deflate)
      echo "node compressions during the run (warm-up and markers included): $(( $(compressions) - before ))" | tee -a "${RESULTS%.jsonl}.machine.txt" >&2
      stop_server
    done
  done
done

for mode in plain deflate; do
  say "idle: $IDLE_N connections, $mode"
  start_node
  # shellcheck disable=SC2046
  run_bench idle $target "$SERVER_PID" --connections "$IDLE_N" --channels 100 $([[ $mode == deflate ]] && echo --deflate)
  stop_server
done

say "results in $RESULTS"
