#!/usr/bin/env bash
# Recovery benchmark (docs/recovery.md): a node with history on, a steady publish of RATE msg/s to one channel,
# CLIENTS ?recover=1 clients that all drop and reconnect at once with since/epoch, ROUNDS rounds. Reports lost
# and duplicated messages (goal: 0 and 0) and the reconnect time. Loopback only; the node is stopped on exit.
#
# Knobs (environment):
#   CLIENTS=1000 RATE=1000 ROUNDS=5 AWAY_MS=500
#   NODE_ARGS="--set k=v ..."   extra node options (after the ones below)
#   HUB=127.0.0.1:18380 OPS=127.0.0.1:18389
#   RESULTS=bench/results/recover-<UTC time>.jsonl
#   NO_BUILD=1                  skip the Release build
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

CLIENTS=${CLIENTS:-1000}
RATE=${RATE:-1000}
ROUNDS=${ROUNDS:-5}
AWAY_MS=${AWAY_MS:-500}
NODE_ARGS=${NODE_ARGS:-}
HUB=${HUB:-127.0.0.1:18380}
OPS=${OPS:-127.0.0.1:18389}
mkdir -p bench/results
RESULTS=${RESULTS:-bench/results/recover-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
NODE_BIN=$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench

if [[ -z "${NO_BUILD:-}" ]]; then build_release src/PingActors.Node bench/PingActors.Bench; fi

SERVER_PID=
trap 'stop_pid "$SERVER_PID"' EXIT
trap 'exit 130' INT TERM

# History keeps the channel (and its numbering) while all its clients are away at once; the buffer and each
# socket's outbound queue hold what a client misses in a round (RATE x (AWAY + reconnect time)).
node_options "$HUB" "$OPS"
cmd=("$NODE_BIN" "${NODE_OPTS[@]}"
  --set pingactors.hub.history.keep-for=60s --set pingactors.hub.history.max-messages=20000
  --set pingactors.hub.replay.max-bytes=8MiB --set pingactors.hub.outbound.max-messages=8192
  $NODE_ARGS)
say "node"
show "${cmd[*]}"
"${cmd[@]}" > bench/results/recover-node.log 2>&1 &
SERVER_PID=$!
wait_http "http://$OPS/ping"
sleep 2

say "recover: $CLIENTS clients, $RATE msg/s, $ROUNDS rounds away $AWAY_MS ms"
bench=("$BENCH_BIN" recover --url "http://$HUB" --stats-url "http://$OPS/stats" --label node --pid "$SERVER_PID"
  --clients "$CLIENTS" --rate "$RATE" --rounds "$ROUNDS" --away-ms "$AWAY_MS" --json-out "$RESULTS")
show "${bench[*]}"
"${bench[@]}" || echo "(the run reported lost, duplicated or unrecovered messages)" >&2
{ machine_notes; } >&2
