#!/bin/sh
# What the ops console's busiest-channel polls cost a node with many channels (docs/console.md): starts a node
# whose channels never idle out, creates ENTITIES channel entities with one POST each, then reads the node
# process's CPU time (utime + stime, /proc) over SECONDS of rest, during which the console recorder keeps
# sampling and polling its entities. Compare ENTITIES=0 with ENTITIES=20000.
# Usage: bench/console-poll-cost.sh [ENTITIES] [SECONDS]   (the node from a Debug build unless NODE_DLL is set)
set -eu
entities=${1:-20000}
seconds=${2:-60}
dll=${NODE_DLL:-src/PingActors.Node/bin/Debug/net10.0/PingActors.Node.dll}
hub=18580
ops=18589
dotnet "$dll" --set pingactors.hub.listen=127.0.0.1:$hub --set pingactors.ops.listen=127.0.0.1:$ops \
    --set pingactors.hub.channel-idle-timeout=30m --set pingactors.log.level=warning >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:$ops/ping >/dev/null && curl -s -o /dev/null http://127.0.0.1:$hub/; do
    kill -0 $pid || { echo "the node did not start (ports $hub, $ops taken?)" >&2; exit 1; }
    sleep 0.5
done
python3 - "$hub" "$entities" <<'PY'
import http.client, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
for i in range(n):
    c.request("POST", f"/console-cost-{i}", body=b"x")
    c.getresponse().read()
PY
sleep 5
tick=$(getconf CLK_TCK)
a=$(awk '{print $14 + $15}' /proc/$pid/stat)
sleep "$seconds"
b=$(awk '{print $14 + $15}' /proc/$pid/stat)
entities_now=$(curl -s http://127.0.0.1:$ops/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["channel_entities"])')
awk -v d=$((b - a)) -v t="$tick" -v s="$seconds" -v e="$entities_now" \
    'BEGIN { printf "entities=%d cpu=%.2f s over %d s (%.1f ms of CPU per second)\n", e, d / t, s, d * 1000 / t / s }'
