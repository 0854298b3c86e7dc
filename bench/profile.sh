#!/usr/bin/env bash
# CPU profile of the node under one bench scenario, with perf (Linux): which frames, kernel and .NET, use the
# node's CPU. Starts a fresh node with perf maps on, optionally runs a warm-up of the same scenario, starts the
# measured run, waits for its measured phase (the tool's "marker seen by" line: subscribers connected and
# registered; for idle, the opening of the measured connections), records the node with `perf record -g` for DURATION seconds from DELAY seconds into that phase,
# stops the node and writes a report of the busiest frames (self and inclusive). Give the run enough messages
# to outlast DELAY + DURATION: a recording that reaches the run's end holds the teardown of every socket and
# actor (the script warns when that happens).
#
#   bench/profile.sh channels --channels 2000 --subscribers 5 --messages 300000 --publishers 32
#   WARM="fanout --subscribers 1000 --messages 500 --publishers 4 --rate 0" \
#     bench/profile.sh fanout --subscribers 1000 --messages 6000 --publishers 4 --rate 0
#
# Knobs (environment): WARM="<scenario args>" (a warm-up run first: a cold node is still tiering up its JIT),
# DELAY=1 DURATION=5 (seconds), NODE_ARGS="--set k=v ...", OUT=bench/results/profile-<UTC>.
# SERVER=baseline profiles bench/Baseline (BASELINE_BIN, on 127.0.0.1:8090) instead of the node, for a
# side by side of where each spends its CPU in the same scenario.
# Needs perf (Debian: linux-perf) and root or kernel.perf_event_paranoid <= 1 for kernel frames.
# DOTNET_PerfMapEnabled=1 makes the runtime write /tmp/perf-PID.map for JIT-compiled code, and
# DOTNET_EnableWriteXorExecute=0 keeps that code at the addresses the map names.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

if [[ $# -eq 0 ]]; then sed -n '2,20p' "$0"; exit 2; fi
command -v perf >/dev/null || { echo "error: perf not found (Debian: apt-get install linux-perf)" >&2; exit 1; }
DELAY=${DELAY:-1}
DURATION=${DURATION:-5}
OUT=${OUT:-bench/results/profile-$(date -u +%Y%m%dT%H%M%SZ)}
NODE_BIN=${NODE_BIN:-$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node}
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
HUB=127.0.0.1:8080
OPS=127.0.0.1:8089
BASE=127.0.0.1:8090
mkdir -p "$(dirname "$OUT")"

SERVER_PID=
trap 'stop_pid "$SERVER_PID"' EXIT
case ${SERVER:-node} in
  node)
    say "node with perf maps"
    node_options "$HUB" "$OPS"
    # shellcheck disable=SC2086
    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "$NODE_BIN" "${NODE_OPTS[@]}" ${NODE_ARGS:-} > "$OUT.node.log" 2>&1 &
    SERVER_PID=$!
    wait_http "http://$OPS/ping"
    TARGET=(--url "http://$HUB" --stats-url "http://$OPS/stats" --label node --pid "$SERVER_PID")
    ;;
  baseline)
    BASELINE_BIN=${BASELINE_BIN:-$ROOT/bench/Baseline/bin/Release/net10.0/Baseline}
    say "Baseline with perf maps"
    show "$BASELINE_BIN --listen $BASE"
    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "$BASELINE_BIN" --listen "$BASE" > "$OUT.baseline.log" 2>&1 &
    SERVER_PID=$!
    wait_http "http://$BASE/stats"
    TARGET=(--url "http://$BASE" --stats-url "http://$BASE/stats" --label baseline --pid "$SERVER_PID")
    ;;
  *) echo "error: SERVER must be node or baseline, got '$SERVER'" >&2; exit 2 ;;
esac
if [[ -n "${WARM:-}" ]]; then
  say "warm-up: $WARM"
  # shellcheck disable=SC2086
  "$BENCH_BIN" $WARM "${TARGET[@]}" > /dev/null 2>&1
fi
say "measured run: $*"
"$BENCH_BIN" "$@" "${TARGET[@]}" > "$OUT.bench.txt" 2>&1 &
BENCH_PID=$!
# Where the measured phase starts: fanout, channels and ws-publish log "marker seen by" when every
# subscriber is registered and the measured messages start; idle logs its "baseline RSS" just before it
# opens the measured connections.
case $1 in
  idle) MARK='baseline RSS' ;;
  *) MARK='marker seen by' ;;
esac
until grep -q "$MARK" "$OUT.bench.txt" 2>/dev/null; do
  kill -0 "$BENCH_PID" 2>/dev/null || { echo "error: the run ended before its measured phase (see $OUT.bench.txt)" >&2; exit 1; }
  sleep 0.1
done
sleep "$DELAY"
show "perf record -e cpu-clock -F 2000 -g -p $SERVER_PID -- sleep $DURATION"
perf record -q -e cpu-clock -F 2000 -g -p "$SERVER_PID" -o "$OUT.perf.data" -- sleep "$DURATION"
if ! kill -0 "$BENCH_PID" 2>/dev/null; then
  echo "warning: the run ended during the recording, so the profile holds its teardown too; give it more --messages" >&2
fi
wait "$BENCH_PID" || true
stop_pid "$SERVER_PID"
SERVER_PID=
report() { # limit perf-report-args... : the report without comments, first LIMIT lines (sed reads it all: no SIGPIPE)
  local limit=$1
  shift
  perf report -i "$OUT.perf.data" "$@" -g none --stdio 2>/dev/null | grep -v -e '^#' -e '^$' | sed -n "1,${limit}p"
}
{
  echo "# $* (warm-up: ${WARM:-none}); ${SERVER:-node} CPU by shared object, then the busiest frames"
  grep '^{' "$OUT.bench.txt" | sed -n '$p'
  report 8 --no-children --sort dso
  echo "## self"
  report 40 --no-children --sort sym
  echo "## inclusive"
  report 60 --children --sort sym
} | cut -c1-220 > "$OUT.txt"
rm -f "$OUT.perf.data.old"
say "report: $OUT.txt (raw: $OUT.perf.data, not for git)"
