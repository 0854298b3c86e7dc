#!/usr/bin/env bash
# Side by side: each scenario against PingActors (node), nginx + nchan (nchan) and the bare-Kestrel Baseline
# (baseline), alternating targets, each run on a freshly started server. Loopback only; every server this script
# starts is stopped on exit. Writes one JSON line per run (the tool's line plus "variant" and "round") to
# $RESULTS, and a ratio table (node / best nchan, node / baseline, node / baseline-paced; the same for node-native
# when it runs) to stdout and to ${RESULTS%.jsonl}.md.
#
# Knobs (environment):
#   TARGETS="node nchan baseline baseline-paced"  which servers, in the order they alternate; "node-native" adds the
#                                               native build at NATIVE_BIN (default artifacts/native/PingActors.Node:
#                                               dotnet publish src/PingActors.Node -c Release -r linux-x64
#                                               -p:PublishAot=true -o artifacts/native; docs/native.md)
#                                               "baseline-paced" is Baseline whose POST answers wait, as the node's
#                                               do, while BASELINE_BACKLOG (default 16000, the node's default
#                                               publish-backlog) socket deliveries are queued; it runs fanout and
#                                               channels only (idle and ws-publish have no POST to pace)
#   SCENARIOS="fanout channels ws-publish idle" which scenarios
#   ROUNDS=1                                    repeat every scenario's target cycle this often (table: median)
#   FANOUT_SUBS=1000 FANOUT_MSGS=1000           fan-out: 1 channel x FANOUT_SUBS subscribers, POST publishing
#   FANOUT_RUNS="1:0 4:0 1:half"                   PUBLISHERS:RATE per fan-out run; RATE msgs/s, 0 = unlimited,
#                                               "half" = half the POSTs/s this target reached with as many
#                                               publishers and no rate limit (P:0 must come earlier)
#   CH_CHANNELS=2000 CH_SUBS=5 CH_MSGS=50000 CH_PUBLISHERS=32   channels scenario
#   WS_CHANNELS=100 WS_CLIENTS=10 WS_MSGS=50 WS_RATE=0           ws-publish scenario
#   IDLE_N=10000 IDLE_CHANNELS=100              idle scenario
#   NCHAN_WORKERS="1 2"                         nginx worker processes; with several counts nchan runs once per count,
#                                               as targets nchan-w1, nchan-w2 (its best depends on the scenario:
#                                               see docs), and the table compares the node with the best of them
#   WARMUP=1                                    before each measured fanout/channels/ws-publish run, a run of the same
#                                               shape with half the messages on the same server, not recorded (the
#                                               node's JIT is still tiering up in a cold run; see docs); 0 = off
#   NODE_ARGS="--set k=v ..."  SERVER_ENV="K=V ..."  NICE=-10  NO_BUILD=1  NODE_BIN=path   as in run-foundation.sh
#   RESULTS=bench/results/compare-<UTC time>.jsonl
# Needs: bench/install-peers.sh run once (nginx + libnginx-mod-nchan), jq, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

TARGETS=${TARGETS:-"node nchan baseline baseline-paced"}
SCENARIOS=${SCENARIOS:-"fanout channels ws-publish idle"}
ROUNDS=${ROUNDS:-1}
FANOUT_SUBS=${FANOUT_SUBS:-1000}
FANOUT_MSGS=${FANOUT_MSGS:-1000}
FANOUT_RUNS=${FANOUT_RUNS:-"1:0 4:0 1:half"}
CH_CHANNELS=${CH_CHANNELS:-2000}
CH_SUBS=${CH_SUBS:-5}
CH_MSGS=${CH_MSGS:-50000}
CH_PUBLISHERS=${CH_PUBLISHERS:-32}
WS_CHANNELS=${WS_CHANNELS:-100}
WS_CLIENTS=${WS_CLIENTS:-10}
WS_MSGS=${WS_MSGS:-50}
WS_RATE=${WS_RATE:-0}
IDLE_N=${IDLE_N:-10000}
IDLE_CHANNELS=${IDLE_CHANNELS:-100}
NCHAN_WORKERS=${NCHAN_WORKERS:-"1 2"}
BASELINE_BACKLOG=${BASELINE_BACKLOG:-16000}
# "nchan" in TARGETS stands for one target per worker count: plain "nchan" when there is one count.
read -ra nchan_counts <<<"$NCHAN_WORKERS"
expanded=()
for t in $TARGETS; do
  if [[ $t == nchan && ${#nchan_counts[@]} -gt 1 ]]; then
    for w in "${nchan_counts[@]}"; do expanded+=("nchan-w$w"); done
  else
    expanded+=("$t")
  fi
done
TARGETS="${expanded[*]}"
WARMUP=${WARMUP:-1}
SERVER_ENV=${SERVER_ENV:-}
NODE_ARGS=${NODE_ARGS:-}
mkdir -p bench/results
RESULTS=${RESULTS:-bench/results/compare-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
TABLE=${RESULTS%.jsonl}.md

NODE_BIN=${NODE_BIN:-$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node}
NATIVE_BIN=${NATIVE_BIN:-$ROOT/artifacts/native/PingActors.Node}
BASELINE_BIN=$ROOT/bench/Baseline/bin/Release/net10.0/Baseline
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
NGINX_BIN=${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}
HUB=127.0.0.1:8080
OPS=127.0.0.1:8089
BASE=127.0.0.1:8090
NCHAN=127.0.0.1:8070

PRIO=()
if [[ -n "${NICE:-}" ]]; then PRIO=(nice -n "$NICE"); fi

SERVER_PID=
NCHAN_PREFIX=
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=
  if [[ -n "$NCHAN_PREFIX" ]]; then rm -rf "$NCHAN_PREFIX"; NCHAN_PREFIX=; fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

start_server() { # node|node-native|nchan|nchan-wN|baseline|baseline-paced
  local cmd workers=${nchan_counts[0]}
  if [[ $1 == nchan-w* ]]; then workers=${1#nchan-w}; fi
  case $1 in
    node | node-native)
      local bin=$NODE_BIN
      [[ $1 == node-native ]] && bin=$NATIVE_BIN
      # shellcheck disable=SC2206
      node_options "$HUB" "$OPS"
      cmd=("$bin" "${NODE_OPTS[@]}" $NODE_ARGS) ;;
    baseline)
      cmd=("$BASELINE_BIN" --listen "$BASE") ;;
    baseline-paced)
      cmd=("$BASELINE_BIN" --listen "$BASE" --publish-backlog "$BASELINE_BACKLOG") ;;
    nchan*)
      NCHAN_PREFIX=$(mktemp -d /tmp/pingactors-nchan.XXXXXX)
      sed -e "s|@LISTEN@|$NCHAN|; s|@WORKERS@|$workers|; s|@PREFIX@|$NCHAN_PREFIX|g" \
        bench/nchan/nginx.conf > "$NCHAN_PREFIX/nginx.conf"
      cmd=("$NGINX_BIN" -p "$NCHAN_PREFIX" -c "$NCHAN_PREFIX/nginx.conf" -g 'daemon off;') ;;
  esac
  show "${SERVER_ENV:+env $SERVER_ENV }${PRIO[*]:+${PRIO[*]} }${cmd[*]}"
  # shellcheck disable=SC2086
  env $SERVER_ENV "${PRIO[@]}" "${cmd[@]}" > "bench/results/$1.log" 2>&1 &
  SERVER_PID=$!
  case $1 in
    node | node-native) wait_http "http://$OPS/ping" ;;
    baseline*) wait_http "http://$BASE/stats" ;;
    nchan*) wait_http "http://$NCHAN/nchan_status" ;;
  esac
  sleep 2 # let start-up allocations and tiering quiet down
}

target_args() { # node|node-native|nchan|nchan-wN|baseline|baseline-paced -> bench options (--pid: nginx's master; the tool adds its workers)
  case $1 in
    node | node-native) echo "--url http://$HUB --stats-url http://$OPS/stats --label $1 --pid $SERVER_PID" ;;
    baseline*) echo "--url http://$BASE --stats-url http://$BASE/stats --label $1 --pid $SERVER_PID" ;;
    nchan*) echo "--url http://$NCHAN --label $1 --pid $SERVER_PID" ;;
  esac
}

LAST_JSON=
run_bench() { # variant round args...
  local variant=$1 round=$2 out
  shift 2
  show "${PRIO[*]:+${PRIO[*]} }$BENCH_BIN $*"
  out=$("${PRIO[@]}" "$BENCH_BIN" "$@") || echo "(bench exited $?)" >&2
  LAST_JSON=$(printf '%s\n' "$out" | grep '^{' | tail -1 || true)
  if [[ -n "$LAST_JSON" ]]; then
    printf '%s\n' "$LAST_JSON" | jq -c --arg v "$variant" --argjson r "$round" '. + {variant: $v, round: $r}' >> "$RESULTS"
  fi
}

warm_up() { # args... : the same scenario on the same server, output discarded
  if [[ "$WARMUP" != 1 ]]; then return; fi
  show "(warm-up, not recorded) $BENCH_BIN $*"
  "${PRIO[@]}" "$BENCH_BIN" "$@" > /dev/null 2>&1 || echo "(warm-up exited $?)" >&2
}

[[ -n "${NO_BUILD:-}" ]] || build_release src/PingActors.Node bench/Baseline bench/PingActors.Bench
if [[ " $TARGETS " == *" node-native "* ]] && [[ ! -x "$NATIVE_BIN" ]]; then
  echo "error: no native node at $NATIVE_BIN; publish it first (see TARGETS above) or set NATIVE_BIN" >&2
  exit 2
fi
if [[ " $TARGETS " == *" nchan"* ]] && [[ ! -f /usr/lib/nginx/modules/ngx_nchan_module.so ]]; then
  echo "error: nchan is not installed: run bench/install-peers.sh (as root)" >&2
  exit 1
fi

say "machine"
{
  machine_notes
  echo "nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/.*: //'), nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null || echo '?'), worker counts: $NCHAN_WORKERS"
  echo "server env: ${SERVER_ENV:-(none)}"
  echo "nice: ${NICE:-(none)}"
  echo "warm-up: $WARMUP"
} | tee -a "${RESULTS%.jsonl}.machine.txt" >&2

declare -A MAX_POSTS
for scenario in $SCENARIOS; do
  for round in $(seq "$ROUNDS"); do
    for t in $TARGETS; do
      if [[ $t == baseline-paced && $scenario != fanout && $scenario != channels ]]; then continue; fi
      case $scenario in
        idle)
          say "idle: $IDLE_N connections over $IDLE_CHANNELS channels -> $t (round $round)"
          start_server "$t"
          # shellcheck disable=SC2046
          run_bench "idle $IDLE_N/$IDLE_CHANNELS" "$round" idle $(target_args "$t") --connections "$IDLE_N" --channels "$IDLE_CHANNELS"
          stop_server
          ;;
        fanout)
          for run in $FANOUT_RUNS; do
            p=${run%%:*} rate=${run##*:}
            if [[ $rate == half ]]; then
              max=${MAX_POSTS[$t:$p]:-}
              if [[ -z "$max" ]]; then echo "skip $run on $t: no $p:0 run before it" >&2; continue; fi
              rate=$(awk -v m="$max" 'BEGIN { printf "%d", m / 2 }')
              variant="fanout 1x$FANOUT_SUBS P=$p half rate"
            else
              variant="fanout 1x$FANOUT_SUBS P=$p rate=$rate"
            fi
            say "fanout: 1 channel x $FANOUT_SUBS subscribers, $FANOUT_MSGS messages, $p POST publisher(s), rate $rate -> $t (round $round)"
            start_server "$t"
            # shellcheck disable=SC2046
            warm_up fanout $(target_args "$t") --subscribers "$FANOUT_SUBS" --messages $((FANOUT_MSGS / 2)) --publishers "$p" --rate 0
            # shellcheck disable=SC2046
            run_bench "$variant" "$round" fanout $(target_args "$t") --subscribers "$FANOUT_SUBS" --messages "$FANOUT_MSGS" --publishers "$p" --rate "$rate"
            stop_server
            if [[ $run == "$p:0" && -n "$LAST_JSON" ]]; then
              MAX_POSTS[$t:$p]=$(printf '%s' "$LAST_JSON" | jq '.posts_per_sec')
            fi
          done
          ;;
        channels)
          say "channels: $CH_CHANNELS x $CH_SUBS subscribers, $CH_MSGS messages, $CH_PUBLISHERS POST publishers -> $t (round $round)"
          start_server "$t"
          # shellcheck disable=SC2046
          warm_up channels $(target_args "$t") --channels "$CH_CHANNELS" --subscribers "$CH_SUBS" --messages $((CH_MSGS / 2)) --publishers "$CH_PUBLISHERS"
          # shellcheck disable=SC2046
          run_bench "channels ${CH_CHANNELS}x$CH_SUBS P=$CH_PUBLISHERS" "$round" channels $(target_args "$t") --channels "$CH_CHANNELS" --subscribers "$CH_SUBS" --messages "$CH_MSGS" --publishers "$CH_PUBLISHERS"
          stop_server
          ;;
        ws-publish)
          say "ws-publish: $WS_CHANNELS x $WS_CLIENTS clients, $WS_MSGS messages each, rate $WS_RATE -> $t (round $round)"
          start_server "$t"
          # shellcheck disable=SC2046
          warm_up ws-publish $(target_args "$t") --channels "$WS_CHANNELS" --clients "$WS_CLIENTS" --messages $((WS_MSGS / 2)) --rate "$WS_RATE"
          # shellcheck disable=SC2046
          run_bench "ws-publish ${WS_CHANNELS}x$WS_CLIENTS M=$WS_MSGS rate=$WS_RATE" "$round" ws-publish $(target_args "$t") --channels "$WS_CHANNELS" --clients "$WS_CLIENTS" --messages "$WS_MSGS" --rate "$WS_RATE"
          stop_server
          ;;
        *) echo "unknown scenario $scenario" >&2; exit 2 ;;
      esac
    done
  done
done

say "results in $RESULTS; table in $TABLE"
python3 bench/compare-table.py "$RESULTS" | tee "$TABLE"
