#!/usr/bin/env bash
# kuiperbelt-protocol proxies side by side: kuiperbelt's own server (ekbo, built from source by
# bench/kuiperbelt/build.sh) and PingActors' drop-in proxy (a node started with --kuiperbelt-config), both from
# the same kuiperbelt config.yml, under the load tool's `send` (1 and 10 sessions per /send) and `proxy-connect`
# scenarios. The tool runs the proxy's callback app itself, on CB_PORT, where the config points the callbacks.
# Each run gets a freshly started server; targets alternate run by run, as in compare.sh. Loopback only; every
# server this script starts is stopped on exit. One JSON line per run (the tool's line plus "variant", "proxy" and
# "round") to $RESULTS, the machine notes to ${RESULTS%.jsonl}.machine.txt, a summary to ${RESULTS%.jsonl}.md.
#
#   bench/run-proxy.sh                                  # kuiperbelt only
#   TARGETS="kuiperbelt pingactors" ROUNDS=3 bench/run-proxy.sh
#   TARGETS="pingactors wsaas" SCENARIOS=send1 ROUNDS=3 bench/run-proxy.sh   # the node's PUT /{id} against its /send
#
# The target wsaas is the node's WSaaS face (issue 19: its push must keep up with /send, the same engine): the
# node as for pingactors plus WSAAS_SETS (the face on WSAAS_PORT, its control listener on WSAAS_CONTROL_PORT, its
# TARGET_ADDRESS the callback app's /wsaas), under `send --face wsaas`: the sessions are WSaaS WebSockets, the
# senders PUT /{id}. With wsaas in TARGETS the pingactors node gets WSAAS_SETS too, so both faces are measured
# on the same node configuration; the summary then adds the ratio PUT/send of the median rates.
#
# Knobs (environment):
#   TARGETS="kuiperbelt"          kuiperbelt, pingactors and/or wsaas, in the order they alternate
#   SCENARIOS="send1 send10 connect"   send with 1 and with SEND_BULK sessions per /send; proxy-connect
#   ROUNDS=1                      repeat every scenario's target cycle this often (summary: median)
#   SESSIONS=1000 SENDERS=8 SEND_BULK=10 DURATION=10      send: S sessions, C senders, D seconds
#   CONNECTORS=16 CONNECT_DURATION=10                     proxy-connect
#   WARMUP=10                     seconds of the same load before measuring, on the same server (the node's JIT
#                                 tiers up for ~10 s: with 2 s the node used 877 us per connect, with 12 s 396);
#                                 send's warm-up messages are ignored
#   PORT=9180 CB_PORT=9181        the proxy's port; the callback app's port
#   WSAAS_PORT=9182 WSAAS_CONTROL_PORT=9183   the WSaaS face's listeners (target wsaas; send1 only)
#   SEND_QUEUE_SIZE=100 CALLBACK_TIMEOUT=10s                   the config's send_queue_size, callback.timeout
#   EKBO_BIN=bench/kuiperbelt/bin/ekbo (built when missing)
#   NODE_DLL=src/PingActors.Node/bin/Release/net10.0/PingActors.Node.dll (built unless NO_BUILD=1)
#   NODE_ARGS="--set ..."         the node's options besides --kuiperbelt-config (default: its hub and ops
#                                 listeners on 127.0.0.1:18080 / :18089, logs at warning)
#   NICE=-10  NO_BUILD=1  LOCK=/tmp/pingactors-cpu.lock (held from each server's start to its stop, empty = none)
#   RESULTS=bench/results/proxy-<UTC>.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

TARGETS=${TARGETS:-kuiperbelt}
SCENARIOS=${SCENARIOS:-"send1 send10 connect"}
ROUNDS=${ROUNDS:-1}
SESSIONS=${SESSIONS:-1000}
SENDERS=${SENDERS:-8}
SEND_BULK=${SEND_BULK:-10}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
CONNECTORS=${CONNECTORS:-16}
CONNECT_DURATION=${CONNECT_DURATION:-10}
PORT=${PORT:-9180}
CB_PORT=${CB_PORT:-9181}
WSAAS_PORT=${WSAAS_PORT:-9182}
WSAAS_CONTROL_PORT=${WSAAS_CONTROL_PORT:-9183}
SEND_QUEUE_SIZE=${SEND_QUEUE_SIZE:-100}
CALLBACK_TIMEOUT=${CALLBACK_TIMEOUT:-10s}
LOCK=${LOCK-/tmp/pingactors-cpu.lock}
EKBO_BIN=${EKBO_BIN:-$ROOT/bench/kuiperbelt/bin/ekbo}
NODE_DLL=${NODE_DLL:-$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node.dll}
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
if [[ -z "${NODE_ARGS+x}" ]]; then
  node_options 127.0.0.1:18080 127.0.0.1:18089
  NODE_ARGS="${NODE_OPTS[*]}"
fi
mkdir -p bench/results
RESULTS=${RESULTS:-bench/results/proxy-$(date -u +%Y%m%dT%H%M%SZ).jsonl}

PRIO=()
if [[ -n "${NICE:-}" ]]; then PRIO=(nice -n "$NICE"); fi

for t in $TARGETS; do
  [[ $t == kuiperbelt || $t == pingactors || $t == wsaas ]] || { echo "error: target '$t' is not kuiperbelt, pingactors or wsaas" >&2; exit 2; }
done
NODE_TARGET=
if [[ " $TARGETS " == *" pingactors "* || " $TARGETS " == *" wsaas "* ]]; then NODE_TARGET=1; fi

# The WSaaS face beside the kuiperbelt one, its queue and callback timeout as the kuiperbelt config's.
WSAAS_SETS=
if [[ " $TARGETS " == *" wsaas "* ]]; then
  WSAAS_SETS="--set pingactors.wsaas.enabled=on --set pingactors.wsaas.listen=127.0.0.1:$WSAAS_PORT \
--set pingactors.wsaas.control-listen=127.0.0.1:$WSAAS_CONTROL_PORT \
--set pingactors.wsaas.target=http://127.0.0.1:$CB_PORT/wsaas \
--set pingactors.wsaas.local-address=http://127.0.0.1:$WSAAS_CONTROL_PORT \
--set pingactors.wsaas.send-queue-size=$SEND_QUEUE_SIZE --set pingactors.wsaas.callback.timeout=$CALLBACK_TIMEOUT"
fi

if [[ -z "${NO_BUILD:-}" ]]; then
  if [[ -n $NODE_TARGET ]]; then
    build_release src/PingActors.Node bench/PingActors.Bench
  else
    build_release bench/PingActors.Bench
  fi
fi
if [[ -n $NODE_TARGET && ! -f $NODE_DLL ]]; then
  echo "error: no node at $NODE_DLL (build it: dotnet build -c Release src/PingActors.Node, or set NODE_DLL)" >&2
  exit 2
fi
if [[ " $TARGETS " == *" kuiperbelt "* && ! -x $EKBO_BIN ]]; then
  say "build kuiperbelt (ekbo)"
  bench/kuiperbelt/build.sh
fi

# One config for both servers: kuiperbelt's keys, which the node reads with --kuiperbelt-config.
CONF_DIR=$(mktemp -d /tmp/pingactors-proxy.XXXXXX)
CONFIG=$CONF_DIR/config.yml
cat > "$CONFIG" <<YAML
port: "$PORT"
callback:
  connect: "http://127.0.0.1:$CB_PORT/connect"
  establish: "http://127.0.0.1:$CB_PORT/establish"
  close: "http://127.0.0.1:$CB_PORT/close"
  timeout: $CALLBACK_TIMEOUT
send_queue_size: $SEND_QUEUE_SIZE
suppress_access_log: true
YAML

SERVER_PID=
lock_fd=
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=
  if [[ -n "$lock_fd" ]]; then exec {lock_fd}>&-; lock_fd=; fi
}
trap 'stop_server; rm -rf "$CONF_DIR"' EXIT
trap 'exit 130' INT TERM

start_server() { # kuiperbelt|pingactors
  local cmd
  if [[ -n "$LOCK" ]]; then
    exec {lock_fd}>"$LOCK"
    flock "$lock_fd"
  fi
  case $1 in
    # -log-level warn: ekbo logs each connect and close at info, which would cost the run CPU.
    kuiperbelt) cmd=("$EKBO_BIN" -config "$CONFIG" -log-level warn) ;;
    # shellcheck disable=SC2206
    pingactors | wsaas) cmd=(dotnet "$NODE_DLL" --kuiperbelt-config "$CONFIG" $NODE_ARGS $WSAAS_SETS) ;;
  esac
  show "${PRIO[*]:+${PRIO[*]} }${cmd[*]}"
  "${PRIO[@]}" "${cmd[@]}" > "bench/results/proxy-$1.log" 2>&1 &
  SERVER_PID=$!
  if ! wait_http "http://127.0.0.1:$PORT/ping"; then
    # A node without the proxy feature rejects --kuiperbelt-config: its log says so.
    tail -5 "bench/results/proxy-$1.log" >&2
    exit 1
  fi
  sleep 1 # let start-up settle
}

run_bench() { # target variant args...
  local target=$1 variant=$2 out json
  shift 2
  local url=(--url "http://127.0.0.1:$PORT")
  if [[ $target == wsaas ]]; then
    url=(--face wsaas --url "http://127.0.0.1:$WSAAS_PORT" --send-url "http://127.0.0.1:$WSAAS_CONTROL_PORT")
  fi
  local args=("$@" "${url[@]}" --stats-url "http://127.0.0.1:$PORT/stats" --pid "$SERVER_PID"
    --label "$target" --callback-port "$CB_PORT")
  show "${PRIO[*]:+${PRIO[*]} }$BENCH_BIN ${args[*]}"
  out=$("${PRIO[@]}" "$BENCH_BIN" "${args[@]}") || echo "(bench exited $?)" >&2
  json=$(printf '%s\n' "$out" | grep '^{' | tail -1 || true)
  if [[ -n "$json" ]]; then
    printf '%s\n' "$json" | jq -c --arg v "$variant" --arg p "$target" --argjson r "$round" '. + {variant: $v, proxy: $p, round: $r}' |
      tee -a "$RESULTS" |
      jq -r 'if .scenario == "send" then
          "  \(.proxy): \(.sends_per_sec | floor) \(if .face == "wsaas" then "PUT" else "/send" end)/s (p50 \(.send_p50_ms) p99 \(.send_p99_ms) ms), \(.delivered_per_sec | floor) deliveries/s (p99 \(.latency_p99_ms) ms), errors \(.send_errors), lost \(.lost), server \(.server_cpu_pct_core | floor) % of a core, \(.server_cpu_us_per_send | floor) us per send"
        else
          "  \(.proxy): \(.connects_per_sec | floor) connects/s (p50 \(.connect_p50_ms) p99 \(.connect_p99_ms) ms), failures \(.failures), server \(.server_cpu_pct_core | floor) % of a core, \(.server_cpu_us_per_connect | floor) us per connect"
        end' >&2
  fi
}

say "machine"
{
  machine_notes
  echo "ekbo: $EKBO_BIN ($("$EKBO_BIN" -version 2>/dev/null || echo '?'))"
  echo "go: $(go version 2>/dev/null || echo '?')"
  echo "config ($CONFIG):"
  sed 's/^/  /' "$CONFIG"
  echo "node args: $NODE_ARGS${WSAAS_SETS:+ $WSAAS_SETS}"
  echo "nice: ${NICE:-(none)}"
} | tee -a "${RESULTS%.jsonl}.machine.txt" >&2

for scenario in $SCENARIOS; do
  for round in $(seq "$ROUNDS"); do
    for t in $TARGETS; do
      if [[ $t == wsaas && $scenario != send1 ]]; then
        continue # PUT /{id} names one session; proxy-connect speaks kuiperbelt's callbacks
      fi
      case $scenario in
        send1 | send10)
          k=1
          [[ $scenario == send10 ]] && k=$SEND_BULK
          say "send: $SESSIONS sessions, $SENDERS senders, $k per send, ${DURATION}s -> $t (round $round)"
          start_server "$t"
          run_bench "$t" "send S=$SESSIONS C=$SENDERS K=$k" send --sessions "$SESSIONS" --senders "$SENDERS" --per-send "$k" \
            --duration "$DURATION" --warmup "$WARMUP"
          stop_server
          ;;
        connect)
          say "proxy-connect: $CONNECTORS connectors, ${CONNECT_DURATION}s -> $t (round $round)"
          start_server "$t"
          run_bench "$t" "proxy-connect N=$CONNECTORS" proxy-connect --connectors "$CONNECTORS" --duration "$CONNECT_DURATION" --warmup "$WARMUP"
          stop_server
          ;;
        *) echo "unknown scenario $scenario (send1, send10, connect)" >&2; exit 2 ;;
      esac
    done
  done
done

say "results in $RESULTS; summary in ${RESULTS%.jsonl}.md"
[[ -s $RESULTS ]] || { echo "no results" >&2; exit 1; }
jq -s -r '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  "| run | proxy | rounds | rate (median) | p50 ms | p99 ms | deliveries/s | errors / failures | lost | server % core | server us CPU per op |",
  "|---|---|---|---|---|---|---|---|---|---|---|",
  (group_by([.variant, .proxy]) | .[] |
    if .[0].scenario == "send" then
      "| \(.[0].variant) | \(.[0].proxy) | \(length) | \([.[].sends_per_sec] | median | floor) \(if .[0].face == "wsaas" then "PUT" else "/send" end)/s | \([.[].send_p50_ms] | median) | \([.[].send_p99_ms] | median) | \([.[].delivered_per_sec] | median | floor) (p99 \([.[].latency_p99_ms] | median) ms) | \([.[].send_errors] | add) | \([.[].lost] | add) | \([.[].server_cpu_pct_core] | median | floor) | \([.[].server_cpu_us_per_send] | median | floor) |"
    else
      "| \(.[0].variant) | \(.[0].proxy) | \(length) | \([.[].connects_per_sec] | median | floor) connects/s | \([.[].connect_p50_ms] | median) | \([.[].connect_p99_ms] | median) | - | \([.[].failures] | add) | - | \([.[].server_cpu_pct_core] | median | floor) | \([.[].server_cpu_us_per_connect] | median | floor) |"
    end)' "$RESULTS" | tee "${RESULTS%.jsonl}.md"
if jq -e -s 'any(.[]; .proxy == "wsaas")' "$RESULTS" > /dev/null; then
  jq -s -r '
    def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    ([.[] | select(.proxy == "wsaas")] | [.[].sends_per_sec] | median) as $put |
    ([.[] | select(.proxy == "pingactors" and .per_send == 1)] | [.[].sends_per_sec] | median) as $send |
    "",
    "PUT /{id} / POST /send (medians, 1 session per request): \(if $send then ($put / $send * 100 | round / 100) else "-" end)",
    "per round: " + ([group_by(.round)[] | ([.[] | select(.proxy == "wsaas")][0].sends_per_sec) as $p | ([.[] | select(.proxy == "pingactors" and .per_send == 1)][0].sends_per_sec) as $s | if $p and $s then "\($p / $s * 100 | round / 100)" else "-" end] | join(", "))' "$RESULTS" | tee -a "${RESULTS%.jsonl}.md"
fi
