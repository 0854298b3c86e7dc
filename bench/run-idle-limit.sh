#!/usr/bin/env bash
# One node at its open-file limit: publishes the node natively (16 descriptors at rest instead of the JIT
# runtime's 258; docs/native.md), starts it with room for N WebSocket connections, and opens N idle
# connections against it with the load tool's `idle` scenario. Writes the tool's table and JSON line, the
# node's descriptors before and after the run, and its /stats to bench/results/idle-limit-<UTC>.txt.
#
#   bench/run-idle-limit.sh                 # N=19900 over 200 channels, held 30 s
#   N=19000 CHANNELS=100 HOLD=10 NO_BUILD=1 bench/run-idle-limit.sh
#
# Needs a C toolchain for the native publish (gcc or clang). N must fit the machine's hard `nofile`
# limit with the node's own descriptors: 19,900 under this project's machine's 20,000. Knobs: N,
# CHANNELS, HOLD (seconds), NODE_BIN (a node to use instead of publishing one), NO_BUILD=1 (reuse
# artifacts/native and the tool's Release build), LOCK=/tmp/pingactors-cpu.lock (empty: no lock).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

N=${N:-19900}
CHANNELS=${CHANNELS:-200}
HOLD=${HOLD:-30}
LOCK=${LOCK-/tmp/pingactors-cpu.lock}
HUB=127.0.0.1:18080
OPS=127.0.0.1:18089
NODE_BIN=${NODE_BIN:-$ROOT/artifacts/native/PingActors.Node}
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
mkdir -p bench/results
OUT=bench/results/idle-limit-$(date -u +%Y%m%dT%H%MZ).txt

if [[ -z "${NO_BUILD:-}" ]]; then
  build_release bench/PingActors.Bench
  if [[ "$NODE_BIN" == "$ROOT/artifacts/native/PingActors.Node" ]]; then
    say "native publish of the node"
    rid=$(native_rid)
    show "dotnet publish src/PingActors.Node -c Release -r $rid -p:PublishAot=true -o artifacts/native"
    dotnet publish src/PingActors.Node -c Release -r "$rid" -p:PublishAot=true -o artifacts/native -nologo -v quiet | tail -2
  fi
fi

# The load tool keeps N client sockets in one process and raises its soft limit to this hard one.
echo "open-file limit: soft $(ulimit -Sn) hard $(ulimit -Hn)" >&2

if [[ -n "$LOCK" ]]; then
  exec 9>"$LOCK"
  flock 9
fi

node_options "$HUB" "$OPS"
SERVER_PID=
trap 'stop_pid "$SERVER_PID"' EXIT
say "node: $NODE_BIN, max-connections = $N"
"$NODE_BIN" "${NODE_OPTS[@]}" --set "pingactors.hub.max-connections=$N" >/tmp/pingactors-idle-limit-node.log 2>&1 &
SERVER_PID=$!
wait_http "http://$OPS/ping"

{
  machine_notes
  echo "node: $NODE_BIN (--set pingactors.hub.max-connections=$N)"
  echo "stats build: $(curl -s "http://$OPS/stats" | grep -o '"build":"[a-z]*"')"
  echo "node descriptors before the run: $(ls "/proc/$SERVER_PID/fd" | wc -l)"
  echo "hard nofile: $(ulimit -Hn)"
} | tee "$OUT"

say "idle: $N connections over $CHANNELS channels, held $HOLD s"
"$BENCH_BIN" idle --url "http://$HUB" --pid "$SERVER_PID" --connections "$N" --channels "$CHANNELS" --settle 10 --hold "$HOLD" 2>&1 |
  grep -v ' opening ' | tee -a "$OUT"
status=${PIPESTATUS[0]}

{
  echo "node descriptors after the run: $(ls "/proc/$SERVER_PID/fd" | wc -l)"
  echo "stats: $(curl -s "http://$OPS/stats")"
} | tee -a "$OUT"
say "results in $OUT"
exit "$status"
