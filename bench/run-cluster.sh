#!/usr/bin/env bash
# Cluster benchmarks on loopback: a 3-node PingActors cluster (A, B, C), started fresh by this script.
#
#  1. Fan-out, single-node against cross-node, alternating in one run on the same cluster:
#       single: all subscribers and the POST publisher on node A;
#       cross:  half the subscribers on B, half on C, the publisher on A;
#     same subscriber total, message count and publisher settings. Prints the ratio cross/single of
#     delivered msgs/s and publish->deliver p50/p99 (medians over the rounds).
#  2. Idle: a fresh cluster, then three load processes in parallel, each opening IDLE_PER_NODE idle
#     connections to its own node; RSS per connection on each node, and what each node's /stats says.
#
# Loopback only. Every process this script starts is stopped when it exits. Results: the tables on
# stderr, one JSON line per tool run in $RESULTS, samples and summaries next to it.
#
# About 10 min on 2 cores. Knobs (environment):
#   SUBS=1000 MSGS=1000                 fan-out size (cross: SUBS/2 on B, SUBS/2 on C)
#   FANOUT_RUNS="1:0 4:0 1:50"            PUBLISHERS:RATE settings (RATE msgs/s, 0 = unlimited)
#   ROUNDS=3                            single/cross pairs per setting
#   CROSS_NODES="B C"                   where the cross-mode subscribers are, split evenly ("B": all on B)
#   ENTITY_NODE=A                       pin the channel's sharded entity (the sequencer) to this node, in both
#                                       modes, by probing channel names (A: single-node fan-out crosses no node;
#                                       cross-node sends one message per subscribing node). "any": random names,
#                                       wherever sharding puts them (the JSON says where)
#   IDLE_PER_NODE=19000 IDLE_CHANNELS=100 IDLE_SOURCES=4 IDLE_HOLD=60
#   SCENARIOS="fanout idle"
#   REMOTE_PORTS="4651 4652 4653"       Akka remoting ports of A, B, C
#   HUB_PORTS="18101 18102 18103" OPS_PORTS="18191 18192 18193"
#   NODE_ARGS="--set k=v ..."           extra node options; SERVER_ENV="K=V ..." extra node environment
#   RESULTS=bench/results/cluster-<UTC time>.jsonl
#   NO_BUILD=1                          skip the Release build
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SUBS=${SUBS:-1000}
MSGS=${MSGS:-1000}
FANOUT_RUNS=${FANOUT_RUNS:-"1:0 4:0 1:50"}
ROUNDS=${ROUNDS:-3}
ENTITY_NODE=${ENTITY_NODE:-A}
CROSS_NODES=${CROSS_NODES:-"B C"}
IDLE_PER_NODE=${IDLE_PER_NODE:-19000}
IDLE_CHANNELS=${IDLE_CHANNELS:-100}
IDLE_SOURCES=${IDLE_SOURCES:-4}
IDLE_HOLD=${IDLE_HOLD:-60}
SCENARIOS=${SCENARIOS:-"fanout idle"}
read -r -a REMOTE <<< "${REMOTE_PORTS:-4651 4652 4653}"
read -r -a HUBP <<< "${HUB_PORTS:-18101 18102 18103}"
read -r -a OPSP <<< "${OPS_PORTS:-18191 18192 18193}"
NODE_ARGS=${NODE_ARGS:-}
SERVER_ENV=${SERVER_ENV:-}
mkdir -p bench/results
RESULTS=${RESULTS:-bench/results/cluster-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
OUT=${RESULTS%.jsonl}
NODE_BIN=$ROOT/src/PingActors.Node/bin/Release/net10.0/PingActors.Node
BENCH_BIN=$ROOT/bench/PingActors.Bench/bin/Release/net10.0/PingActors.Bench
NAMES=(A B C)

NODE_PIDS=()
LOAD_PIDS=()
SAMPLER_PID=
stop_all() {
  local p
  for p in "${LOAD_PIDS[@]}" $SAMPLER_PID; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${NODE_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${NODE_PIDS[@]}" "${LOAD_PIDS[@]}" $SAMPLER_PID; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  NODE_PIDS=() LOAD_PIDS=() SAMPLER_PID=
}
trap stop_all EXIT
trap 'exit 130' INT TERM

load() { cut -d' ' -f1-3 /proc/loadavg; }
hub() { echo "http://127.0.0.1:${HUBP[$1]}"; }
ops() { echo "http://127.0.0.1:${OPSP[$1]}/stats"; }
stat_of() { curl -sf --max-time 5 "$(ops "$1")" | jq -r "$2" 2>/dev/null || echo "?"; }

port_free() { ! ss -Htln "sport = :$1" | grep -q .; }

start_cluster() {
  local i p seeds=()
  for p in "${REMOTE[@]}" "${HUBP[@]}" "${OPSP[@]}"; do
    port_free "$p" || { echo "port $p is in use: set REMOTE_PORTS / HUB_PORTS / OPS_PORTS" >&2; exit 1; }
  done
  for p in "${REMOTE[@]}"; do seeds+=(--seed "127.0.0.1:$p"); done
  for i in 0 1 2; do
    # shellcheck disable=SC2206
    node_options "127.0.0.1:${HUBP[$i]}" "127.0.0.1:${OPSP[$i]}"
    local cmd=("$NODE_BIN" --port "${REMOTE[$i]}" "${seeds[@]}" "${NODE_OPTS[@]}" $NODE_ARGS)
    show "${SERVER_ENV:+env $SERVER_ENV }${cmd[*]}"
    # shellcheck disable=SC2086
    env $SERVER_ENV "${cmd[@]}" > "$OUT.node-${NAMES[$i]}.log" 2>&1 &
    NODE_PIDS+=($!)
  done
  local up
  for _ in $(seq 120); do # 60 s
    up=0
    for i in 0 1 2; do
      kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || { echo "node ${NAMES[$i]} exited; see $OUT.node-${NAMES[$i]}.log" >&2; exit 1; }
      [[ $(stat_of "$i" .cluster.members_up) == 3 ]] && up=$((up + 1))
    done
    [[ $up == 3 ]] && break
    sleep 0.5
  done
  [[ $up == 3 ]] || { echo "the cluster did not reach members_up = 3 on every node within 60 s" >&2; exit 1; }
  echo "cluster up: A=${NODE_PIDS[0]} B=${NODE_PIDS[1]} C=${NODE_PIDS[2]}, leader $(stat_of 0 .cluster.leader)" >&2
  sleep 3 # let start-up allocations and tiering quiet down
}

wait_no_entities() { # channels of the previous run passivate (channel-idle-timeout 5 s); bounded
  local i n
  for _ in $(seq 60); do
    n=0
    for i in 0 1 2; do
      v=$(stat_of "$i" '.channel_entities + .channels')
      [[ $v =~ ^[0-9]+$ ]] || v=1
      n=$((n + v))
    done
    [[ $n == 0 ]] && return 0
    sleep 0.5
  done
  echo "(channels of the previous run still present after 30 s; going on)" >&2
}

[[ -n "${NO_BUILD:-}" ]] || build_release src/PingActors.Node bench/PingActors.Bench

say "machine"
{
  machine_notes
  echo "nofile: soft $(ulimit -Sn) hard $(ulimit -Hn)"
  echo "ephemeral ports: $(cat /proc/sys/net/ipv4/ip_local_port_range)"
} | tee -a "$OUT.machine.txt" >&2

CLUSTER_STATS="$(ops 0),$(ops 1),$(ops 2)"

pick_channel() { # prints a channel name whose entity lives on node index $1 (empty if none found); bounded
  local want=$1 k name i before after
  for k in $(seq 40); do
    name="fanout-$(date +%s%N | tail -c 9)-$k"
    before=() after=()
    for i in 0 1 2; do before+=("$(stat_of "$i" .channel_entities)"); done
    curl -sf --max-time 5 -o /dev/null -X POST --data-binary "probe" "$(hub 0)/bench/$name" || continue
    for i in 0 1 2; do after+=("$(stat_of "$i" .channel_entities)"); done
    if [[ ${before[$want]} =~ ^[0-9]+$ && ${after[$want]} =~ ^[0-9]+$ && ${after[$want]} -gt ${before[$want]} ]]; then
      # Probes that landed elsewhere passivate after channel-idle-timeout (5 s): wait for them, so the
      # JSON's channel_entities show only this channel's host. The shard stays on the wanted node.
      local n v
      for _ in $(seq 30); do
        n=0
        for i in 0 1 2; do
          [[ $i == "$want" ]] && continue
          v=$(stat_of "$i" .channel_entities)
          [[ $v =~ ^[0-9]+$ ]] || v=1
          n=$((n + v))
        done
        [[ $n == 0 ]] && break
        sleep 0.5
      done
      echo "$name"
      return 0
    fi
  done
}

run_fanout() { # mode publishers rate round
  local mode=$1 p=$2 rate=$3 round=$4 args channel=()
  if [[ $mode == single ]]; then
    args=(--url "$(hub 0)" --pid "${NODE_PIDS[0]}" --stats-url "$(ops 0)")
  else
    local urls=() pids=() stats=() n i
    for n in $CROSS_NODES; do
      case $n in B) i=1 ;; C) i=2 ;; *) echo "error: CROSS_NODES takes B and C, got $n" >&2; exit 2 ;; esac
      urls+=("$(hub "$i")") pids+=("${NODE_PIDS[$i]}") stats+=("$(ops "$i")")
    done
    args=(--url "$(IFS=,; echo "${urls[*]}")" --pid "$(IFS=,; echo "${pids[*]}")" --stats-url "$(IFS=,; echo "${stats[*]}")")
  fi
  if [[ $ENTITY_NODE != any ]]; then
    local want=0 name
    case $ENTITY_NODE in A) want=0 ;; B) want=1 ;; C) want=2 ;; esac
    name=$(pick_channel "$want")
    if [[ -n $name ]]; then channel=(--channel "$name"); else echo "(found no channel on node $ENTITY_NODE; random name)" >&2; fi
  fi
  args+=("${channel[@]}" --publish-url "$(hub 0)" --cluster-stats-url "$CLUSTER_STATS" --label "$mode"
    --subscribers "$SUBS" --messages "$MSGS" --publishers "$p" --rate "$rate")
  say "fanout $mode (round $round): $SUBS subscribers, $MSGS messages, $p publisher(s), rate $rate; load $(load)"
  show "$BENCH_BIN fanout ${args[*]} --json-out $RESULTS"
  "$BENCH_BIN" fanout "${args[@]}" --json-out "$RESULTS" > /dev/null || echo "(bench exited $?)" >&2
}

fanout_summary() {
  say "fan-out: cross / single (medians over rounds)"
  python3 - "$RESULTS" <<'EOF' | tee "$OUT.fanout-summary.txt" >&2
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if r.get("scenario") == "fanout" and r.get("target") in ("single", "cross")]
def entity_host(r):
    hosts = [u for u, n in (r.get("cluster_nodes") or {}).items() if n.get("channel_entities_measuring", 0) > 0]
    return ",".join("ABC"[["18191", "18192", "18193"].index(h.split(":")[2].split("/")[0])] if h.split(":")[2].split("/")[0] in ("18191", "18192", "18193") else h for h in hosts) or "?"
settings = sorted({(r["publishers"], r["rate_limit"]) for r in rows})
for p, rate in settings:
    print(f"\n{p} publisher(s), rate {rate or 'unlimited'}:")
    print(f"  {'mode':6} {'msgs/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'POST p50':>9} lost/dup/ooo  X-Nodes        entity  load")
    med = {}
    for mode in ("single", "cross"):
        rs = [r for r in rows if r["target"] == mode and (r["publishers"], r["rate_limit"]) == (p, rate)]
        for r in rs:
            print(f"  {mode:6} {r['delivered_per_sec']:9,.0f} {r['latency_p50_ms']:8.1f} {r['latency_p99_ms']:8.1f} {r['latency_max_ms']:8.0f} {r['post_p50_ms']:9.1f} "
                  f"{r['lost']}/{r['duplicates']}/{r['out_of_order']}        {json.dumps(r.get('post_nodes')):14} {entity_host(r):6}  {r['load_average'].split()[0]}")
        if rs:
            med[mode] = {k: statistics.median(r[k] for r in rs) for k in ("delivered_per_sec", "latency_p50_ms", "latency_p99_ms")}
    if len(med) == 2:
        s, c = med["single"], med["cross"]
        print(f"  median single: {s['delivered_per_sec']:,.0f} msgs/s, p50 {s['latency_p50_ms']:.1f} ms, p99 {s['latency_p99_ms']:.1f} ms")
        print(f"  median cross:  {c['delivered_per_sec']:,.0f} msgs/s, p50 {c['latency_p50_ms']:.1f} ms, p99 {c['latency_p99_ms']:.1f} ms")
        print(f"  RATIO cross/single: msgs/s {c['delivered_per_sec']/s['delivered_per_sec']:.2f}, p50 {c['latency_p50_ms']/s['latency_p50_ms']:.2f}, p99 {c['latency_p99_ms']/s['latency_p99_ms']:.2f}")
EOF
}

sample_nodes() { # every 2 s: time, load, then per node: connections, VmRSS (KiB), unreachable members as it sees them
  local i line
  for _ in $(seq 1800); do
    line="$(date -u +%H:%M:%S) $(load)"
    for i in 0 1 2; do
      line+=" ${NAMES[$i]}: $(stat_of "$i" .connections) $(awk '/VmRSS/ {print $2}' "/proc/${NODE_PIDS[$i]}/status" 2>/dev/null || echo '?') $(stat_of "$i" .cluster.unreachable)"
    done
    echo "$line"
    sleep 2
  done
}

for scenario in $SCENARIOS; do
  case $scenario in
    fanout)
      say "fan-out: fresh 3-node cluster"
      start_cluster
      for run in $FANOUT_RUNS; do
        p=${run%%:*} rate=${run##*:}
        for round in $(seq "$ROUNDS"); do
          for mode in single cross; do
            wait_no_entities
            run_fanout "$mode" "$p" "$rate" "$round"
          done
        done
      done
      stop_all
      fanout_summary
      ;;
    idle)
      say "idle: fresh 3-node cluster, 3 load processes x $IDLE_PER_NODE connections, one per node"
      start_cluster
      sample_nodes > "$OUT.idle-samples.txt" &
      SAMPLER_PID=$!
      for i in 0 1 2; do
        args=(idle --url "$(hub "$i")" --pid "${NODE_PIDS[$i]}" --stats-url "$(ops "$i")" --label "idle-${NAMES[$i]}"
          --connections "$IDLE_PER_NODE" --channels "$IDLE_CHANNELS" --source-addresses "$IDLE_SOURCES"
          --prefix "bench" --hold "$IDLE_HOLD" --json-out "$RESULTS")
        show "$BENCH_BIN ${args[*]}"
        "$BENCH_BIN" "${args[@]}" > /dev/null 2> "$OUT.idle-${NAMES[$i]}.log" &
        LOAD_PIDS+=($!)
      done
      rc=0
      for p in "${LOAD_PIDS[@]}"; do wait "$p" || rc=$?; done
      LOAD_PIDS=()
      sleep 15 # keep sampling: does the cluster stay whole after 3 x N sockets closed at once?
      kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=
      for i in 0 1 2; do tail -n 40 "$OUT.idle-${NAMES[$i]}.log" | grep -v '^\[' >&2 || true; done
      echo "(load processes: last exit code $rc)" >&2
      for i in 0 1 2; do
        if ! kill -0 "${NODE_PIDS[$i]}" 2>/dev/null; then
          echo "NODE ${NAMES[$i]} EXITED during the idle run; last line of its log: $(tail -n 1 "$OUT.node-${NAMES[$i]}.log" | cut -c1-300)" >&2
        fi
      done
      say "idle: per node (from the JSON lines), and the most connections held at once (samples every 2 s)"
      python3 - "$RESULTS" "$OUT.idle-samples.txt" <<'EOF' | tee "$OUT.idle-summary.txt" >&2
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if r.get("scenario") == "idle" and str(r.get("target", "")).startswith("idle-")]
print(f"{'node':7} {'opened':>7} {'fail':>5} {'closed':>6} {'srv conns':>9} {'RSS base MiB':>12} {'RSS at N MiB':>12} {'KiB/conn':>9} {'incl rt':>8} {'conn/s':>7} {'tool RSS MiB':>12}  load")
for r in rows:
    if r.get("rss_per_connection_kib") is None:
        print(f"{r['target']:7} {r['opened']:7} {r['failures']:5}  server gone (RSS unreadable): {r.get('errors', '')}  load {' '.join(r['load_average'].split()[:3])}")
        continue
    print(f"{r['target']:7} {r['opened']:7} {r['failures']:5} {r['closed_by_server']:6} {r.get('server_reported_connections', '?'):>9} {r['rss_baseline_kib']/1024:12.1f} {r['rss_at_n_kib']/1024:12.1f} "
          f"{r['rss_per_connection_kib']:9.2f} {r['rss_total_per_connection_kib']:8.2f} {r['connects_per_sec']:7.0f} {r['tool_rss_kib']/1024:12.1f}  {' '.join(r['load_average'].split()[:3])}")
    if r.get("errors"):
        print(f"        errors: {r['errors']}")
best = None
for line in open(sys.argv[2]):
    f = line.split()
    try:
        conns = [int(f[5]), int(f[9]), int(f[13])]
        rss = [int(f[6]), int(f[10]), int(f[14])]
        unreach = [int(f[7]), int(f[11]), int(f[15])]
    except (ValueError, IndexError):
        continue
    if any(unreach):
        print(f"  unreachable members seen at {f[0]} (load {f[1]}): " + ", ".join(f"{n} sees {u}" for n, u in zip("ABC", unreach)))
    if best is None or sum(conns) > sum(best[1]):
        best = (f[0] + " load " + " ".join(f[1:4]), conns, rss)
if best:
    t, conns, rss = best
    print(f"most held at once: {sum(conns):,} at {t}: " + ", ".join(f"{n} {c:,} conns RSS {m/1024:.1f} MiB" for n, c, m in zip("ABC", conns, rss)))
EOF
      stop_all
      ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
done

say "results in $RESULTS (and $OUT.*)"
