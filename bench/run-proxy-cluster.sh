#!/usr/bin/env bash
# The proxy's cluster mode: /send through the node that holds the sessions against /send through a node that
# holds none of them. Two nodes on loopback form one cluster, both proxies from one kuiperbelt config.yml; each
# run opens S sessions on node A and sends the same load either to A ("local") or to B ("remote": every
# session is on the other node, one gateway round trip per /send), alternating, ROUNDS times.
#
#   ROUNDS=3 bench/run-proxy-cluster.sh
#
# Knobs: ROUNDS=3 SESSIONS=1000 SENDERS=8 PER_SEND=1 DURATION=10 WARMUP=10, NO_BUILD=1.
# Results: bench/results/proxy-cluster-<UTC>.{jsonl,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

ROUNDS=${ROUNDS:-3}
SESSIONS=${SESSIONS:-1000}
SENDERS=${SENDERS:-8}
PER_SEND=${PER_SEND:-1}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
NODE_DLL=$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node.dll
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=bench/results/proxy-cluster-$STAMP.jsonl
mkdir -p bench/results
[[ -n "${NO_BUILD:-}" ]] || build_release src/PingActors.Node bench/PingActors.Bench

CONF_DIR=$(mktemp -d /tmp/pingactors-proxy-cluster.XXXXXX)
cat > "$CONF_DIR/config.yml" <<YAML
port: "9180"
callback:
  connect: "http://127.0.0.1:9181/connect"
  establish: "http://127.0.0.1:9181/establish"
  close: "http://127.0.0.1:9181/close"
send_queue_size: 100
suppress_access_log: true
YAML

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do stop_pid "$p"; done; rm -rf "$CONF_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_node() { # name proxy-port ops-port akka-port
  local cmd=(dotnet "$NODE_DLL" --kuiperbelt-config "$CONF_DIR/config.yml"
    --set "pingactors.proxy.listen=127.0.0.1:$2" --set "pingactors.ops.listen=127.0.0.1:$3"
    --set "akka.remote.dot-netty.tcp.port=$4" --seed 127.0.0.1:14053 --seed 127.0.0.1:14054
    --set pingactors.log.level=warning --set akka.loglevel=WARNING)
  show "${cmd[*]}"
  "${cmd[@]}" > "$CONF_DIR/$1.log" 2>&1 &
  PIDS+=($!)
  SERVER_PID=$!
  wait_http "http://127.0.0.1:$2/ping"
}

say "machine"
{ machine_notes; echo "scenario: send S=$SESSIONS C=$SENDERS K=$PER_SEND, D=$DURATION s after $WARMUP s, sessions on node A"; } | tee "bench/results/proxy-cluster-$STAMP.md" >&2

say "two nodes"
start_node A 9180 18089 14053
start_node B 9280 18189 14054
NODE_A=${PIDS[0]}
for _ in $(seq 150); do
  up=$(curl -sf http://127.0.0.1:18189/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["cluster"]["members_up"])' 2>/dev/null || echo 0)
  [[ $up == 2 ]] && break
  sleep 0.2
done
[[ $up == 2 ]] || { echo "error: the two nodes did not form a cluster" >&2; exit 1; }

for round in $(seq "$ROUNDS"); do
  for via in local remote; do
    port=9180; [[ $via == remote ]] && port=9280
    say "round $round: /send via node $([[ $via == local ]] && echo A || echo B) ($via)"
    rm -f "$CONF_DIR/run.json"  # the tool appends
    "$BENCH_BIN" send --sessions "$SESSIONS" --senders "$SENDERS" --per-send "$PER_SEND" --duration "$DURATION" --warmup "$WARMUP" \
      --url http://127.0.0.1:9180 --send-url "http://127.0.0.1:$port" --callback-port 9181 --pid "$NODE_A" \
      --settle 0 --label "$via" --json-out "$CONF_DIR/run.json" > "$CONF_DIR/run.txt" 2>&1 || { cat "$CONF_DIR/run.txt" >&2; exit 1; }
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["via"]=sys.argv[2]; d["round"]=int(sys.argv[3]); print(json.dumps(d))' \
      "$CONF_DIR/run.json" "$via" "$round" >> "$RESULTS"
    tail -1 "$RESULTS" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("  %s: %.0f /send/s, p99 %s ms, errors %s, lost %s" % (d["via"], d["sends_per_sec"], d["send_p99_ms"], d["send_errors"], d["lost"]))' >&2
  done
done

python3 - "$RESULTS" <<'PY' | tee -a "bench/results/proxy-cluster-$STAMP.md"
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
med = {v: statistics.median(r["sends_per_sec"] for r in runs if r["via"] == v) for v in ("local", "remote")}
p99 = {v: statistics.median(r["send_p99_ms"] for r in runs if r["via"] == v) for v in ("local", "remote")}
print("| via | /send/s (median) | p99 ms (median) |\n|---|---|---|")
for v in ("local", "remote"):
    print(f"| {v} | {med[v]:.0f} | {p99[v]} |")
print(f"\nremote / local = {med['remote'] / med['local']:.2f}")
PY
