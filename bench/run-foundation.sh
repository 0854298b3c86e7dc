#!/usr/bin/env bash
# Foundation benchmarks: idle memory and 1 x 1,000 fan-out, against the PingActors node and the bare-Kestrel
# Baseline, each run on a freshly started server. Loopback only; every server this script starts is stopped
# on exit. Results: a table per run on stderr, and one JSON line per run appended to $RESULTS.
#
# Knobs (environment):
#   IDLE_N=10000 IDLE_CHANNELS=100       idle scenario size
#   FANOUT_SUBS=1000 FANOUT_MSGS=1000    fan-out size
#   FANOUT_RUNS="1:0 4:0 1:50"           one fan-out run per PUBLISHERS:RATE (RATE msgs/s, 0 = unlimited)
#   TARGETS="node baseline"              which servers to measure
#   SCENARIOS="idle fanout"              which scenarios to run
#   SERVER_ENV="DOTNET_GCgen0size=0x..." extra environment for the servers only (memory experiments)
#   NODE_ARGS="--set k=v ..."            extra node options
#   RESULTS=bench/results/foundation-<UTC time>.jsonl
#   NICE=-10                             run servers and tool at this nice level (root only below 0), so other
#                                        work on a shared box disturbs the CPU-bound figures less
#   NO_BUILD=1                           skip the Release build
#   NODE_BIN=path                        node executable (default: the Release build in src/)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

IDLE_N=${IDLE_N:-10000}
IDLE_CHANNELS=${IDLE_CHANNELS:-100}
FANOUT_SUBS=${FANOUT_SUBS:-1000}
FANOUT_MSGS=${FANOUT_MSGS:-1000}
FANOUT_RUNS=${FANOUT_RUNS:-"1:0 4:0 1:50"}
TARGETS=${TARGETS:-"node baseline"}
SCENARIOS=${SCENARIOS:-"idle fanout"}
SERVER_ENV=${SERVER_ENV:-}
NODE_ARGS=${NODE_ARGS:-}
mkdir -p bench/results
RESULTS=${RESULTS:-bench/results/foundation-$(date -u +%Y%m%dT%H%M%SZ).jsonl}

NODE_BIN=${NODE_BIN:-$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node}
BASELINE_BIN=$ROOT/bench/Baseline/bin/Release/net10.0/Baseline
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
HUB=127.0.0.1:8080
OPS=127.0.0.1:8089
BASE=127.0.0.1:8090

PRIO=()
if [[ -n "${NICE:-}" ]]; then PRIO=(nice -n "$NICE"); fi

SERVER_PID=
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=
}
trap stop_server EXIT
trap 'exit 130' INT TERM

start_server() { # node|baseline
  local cmd
  if [[ $1 == node ]]; then
    # shellcheck disable=SC2206
    node_options "$HUB" "$OPS"
    cmd=("$NODE_BIN" "${NODE_OPTS[@]}" $NODE_ARGS)
  else
    cmd=("$BASELINE_BIN" --listen "$BASE")
  fi
  show "${SERVER_ENV:+env $SERVER_ENV }${PRIO[*]:+${PRIO[*]} }${cmd[*]}"
  # shellcheck disable=SC2086
  env $SERVER_ENV "${PRIO[@]}" "${cmd[@]}" > "bench/results/$1.log" 2>&1 &
  SERVER_PID=$!
  if [[ $1 == node ]]; then wait_http "http://$OPS/ping"; else wait_http "http://$BASE/stats"; fi
  sleep 2 # let start-up allocations and tiering quiet down
}

target_args() { # node|baseline -> bench options
  if [[ $1 == node ]]; then
    echo "--url http://$HUB --stats-url http://$OPS/stats --label node --pid $SERVER_PID"
  else
    echo "--url http://$BASE --stats-url http://$BASE/stats --label baseline --pid $SERVER_PID"
  fi
}

run_bench() { # args...
  show "${PRIO[*]:+${PRIO[*]} }$BENCH_BIN $* --json-out $RESULTS"
  "${PRIO[@]}" "$BENCH_BIN" "$@" --json-out "$RESULTS" || echo "(bench exited $?)" >&2
}

[[ -n "${NO_BUILD:-}" ]] || build_release src/PingActors.Node bench/Baseline bench/PingActors.Bench

say "machine"
{
  machine_notes
  echo "server env: ${SERVER_ENV:-(none)}"
  echo "nice: ${NICE:-(none)}"
} | tee -a "${RESULTS%.jsonl}.machine.txt" >&2

for scenario in $SCENARIOS; do
  for t in $TARGETS; do
    case $scenario in
      idle)
        say "idle: $IDLE_N connections over $IDLE_CHANNELS channels -> $t"
        start_server "$t"
        # shellcheck disable=SC2046
        run_bench idle $(target_args "$t") --connections "$IDLE_N" --channels "$IDLE_CHANNELS"
        stop_server
        ;;
      fanout)
        for run in $FANOUT_RUNS; do
          p=${run%%:*} rate=${run##*:}
          say "fanout: 1 channel x $FANOUT_SUBS subscribers, $FANOUT_MSGS messages, $p POST publisher(s), rate ${rate} -> $t"
          start_server "$t"
          # shellcheck disable=SC2046
          run_bench fanout $(target_args "$t") --subscribers "$FANOUT_SUBS" --messages "$FANOUT_MSGS" --publishers "$p" --rate "$rate"
          stop_server
        done
        ;;
      *) echo "unknown scenario $scenario" >&2; exit 2 ;;
    esac
  done
done

say "results in $RESULTS"
echo "(one JSON line per run; the tables above)" >&2
