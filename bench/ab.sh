#!/usr/bin/env bash
# A/B of node variants (builds, settings or environments) under one bench scenario: the variants alternate
# pair by pair, each run on a freshly started node after a warm-up run of the same shape, so drift on the
# machine spreads over all variants. One JSON line per run (the tool's line plus "variant" and "pair") to
# $RESULTS, then a summary per variant: every run's delivered msgs/s, and medians of the rate, the node's
# and the tool's CPU per delivery and the p99 latency (for `idle`: connects/s, the node's CPU per
# connection opened and its RSS per connection). This box measures with ±10-25 % noise between runs:
# trust a difference only if it holds in most pairs.
#
#   bench/ab.sh "fanout --subscribers 1000 --messages 2000 --publishers 4 --rate 0" \
#     main=src/PingActors.Node/bin/Release/net10.0/PingActors.Node \
#     exp=/tmp/exp/PingActors.Node
#   ENV_big="DOTNET_GCgen0size=0x4000000" ARGS_two="--set pingactors.hub.stream-hosts=2" \
#     bench/ab.sh "channels --channels 2000 --subscribers 5 --messages 50000 --publishers 32" main=NODE big=NODE two=NODE
#
# Each variant is NAME=BINARY; ENV_<NAME>="K=V ..." and ARGS_<NAME>="--set k=v ..." add an environment and
# node options to that variant. Knobs (environment): PAIRS=3, WARM="<scenario args>" (default: the same
# scenario with half the --messages), LOCK=/tmp/pingactors-cpu.lock (held from each node's start to its
# stop, so concurrent measurements on the box wait for each other; empty = no lock; so never run this script
# under `flock` on that same file: it would wait for itself),
# RESULTS=bench/results/ab-<UTC>.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

if [[ $# -lt 2 ]]; then sed -n '2,21p' "$0"; exit 2; fi
RUN=$1
shift
PAIRS=${PAIRS:-3}
LOCK=${LOCK-/tmp/pingactors-cpu.lock}
mkdir -p bench/results
RESULTS=${RESULTS:-bench/results/ab-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
HUB=127.0.0.1:8080
OPS=127.0.0.1:8089
if [[ -z "${WARM:-}" ]]; then
  WARM=$RUN # the warm-up: the same scenario with half the messages
  if [[ $RUN =~ --messages\ ([0-9]+) ]]; then
    n=${BASH_REMATCH[1]}
    WARM=${RUN/--messages $n/--messages $(((n + 1) / 2))}
  fi
fi
for v in "$@"; do
  [[ $v == *=* ]] || { echo "error: variant '$v' is not NAME=BINARY" >&2; exit 2; }
  [[ -x ${v#*=} ]] || { echo "error: variant ${v%%=*}: ${v#*=} is not an executable" >&2; exit 2; }
done

SERVER_PID=
trap 'stop_pid "$SERVER_PID"' EXIT
trap 'exit 130' INT TERM

measure() { # name binary pair: start the node, warm it up, run the scenario, stop the node
  local name=$1 bin=$2 pair=$3 env_var="ENV_$1" args_var="ARGS_$1" out json
  # shellcheck disable=SC2086,SC2206
  local node_env=(${!env_var:-}) node_args=(${!args_var:-})
  show "[$name, pair $pair] ${node_env[*]:+env ${node_env[*]} }$bin ${node_args[*]}"
  node_options "$HUB" "$OPS"
  env "${node_env[@]}" "$bin" "${NODE_OPTS[@]}" "${node_args[@]}" > "bench/results/ab-$name.log" 2>&1 &
  SERVER_PID=$!
  wait_http "http://$OPS/ping"
  sleep 1 # let start-up allocations and tiering quiet down
  local target=(--url "http://$HUB" --stats-url "http://$OPS/stats" --label "$name" --pid "$SERVER_PID")
  # shellcheck disable=SC2086
  "$BENCH_BIN" $WARM "${target[@]}" > /dev/null 2>&1 || echo "(warm-up exited $?)" >&2
  # shellcheck disable=SC2086
  out=$("$BENCH_BIN" $RUN "${target[@]}" 2>/dev/null) || echo "(bench exited $?)" >&2
  stop_pid "$SERVER_PID"
  SERVER_PID=
  json=$(printf '%s\n' "$out" | grep '^{' | tail -1 || true)
  if [[ -n "$json" ]]; then
    printf '%s\n' "$json" | jq -c --arg v "$name" --argjson p "$pair" '. + {variant: $v, pair: $p}' | tee -a "$RESULTS" |
      jq -r 'if .scenario == "idle" then
          "  \(.variant): \(.connects_per_sec | floor) connects/s, node \(.server_cpu_pct_core_while_opening | floor) % of a core while opening, \(.rss_per_connection_kib) KiB per connection, \(.failures) failed"
        else
          "  \(.variant): \(.delivered_per_sec | floor) msgs/s, lost \(.lost), node \(.server_cpu_pct_core | floor) % of a core, p99 \(.latency_p99_ms) ms"
        end' >&2
  fi
}

say "A/B: $RUN (warm-up: $WARM), $PAIRS pair(s) of: $*"
for pair in $(seq "$PAIRS"); do
  for v in "$@"; do
    if [[ -n "$LOCK" ]]; then
      exec {lock_fd}> "$LOCK"
      flock "$lock_fd"
    fi
    measure "${v%%=*}" "${v#*=}" "$pair"
    if [[ -n "$LOCK" ]]; then exec {lock_fd}>&-; fi
  done
done

say "results in $RESULTS"
jq -s -r '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def r2: . * 100 | round / 100;
  group_by(.variant) | .[] |
  if .[0].scenario == "idle" then
    "\(.[0].variant): \([.[].connects_per_sec | floor] | join(", ")) connects/s; medians: \([.[].connects_per_sec] | median | floor) connects/s, node \([.[] | .server_cpu_pct_core_while_opening * 10000 / .connects_per_sec] | median | r2) µs CPU per connection opened, \([.[].rss_per_connection_kib] | median) KiB per connection, failed \([.[].failures] | add)"
  else
    "\(.[0].variant): \([.[].delivered_per_sec | floor] | join(", ")) msgs/s; medians: \([.[].delivered_per_sec] | median | floor) msgs/s, node \([.[] | .server_cpu_pct_core * 10000 / .delivered_per_sec] | median | r2) µs and tool \([.[].tool_cpu_us_per_delivery] | median | r2) µs CPU per delivery, p99 \([.[].latency_p99_ms] | median) ms, lost \([.[].lost] | add)"
  end' "$RESULTS"
