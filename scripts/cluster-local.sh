#!/usr/bin/env bash
# Start, stop or inspect a 3-node PingActors cluster on loopback.
#
#   scripts/cluster-local.sh start [--no-build]   build the node (Release), start 3 nodes, wait until all are Up
#   scripts/cluster-local.sh status               pid, cluster view and counters of each node
#   scripts/cluster-local.sh stop                 SIGTERM one node at a time (graceful leave), wait for each
#
# Node i (1..3): hub 127.0.0.1:808i, ops 127.0.0.1:908i, remoting 127.0.0.1:405i. Every node lists all
# three remoting addresses as seeds, spelled 127.0.0.1 like the nodes' own hostname (docs/cluster.md).
# Logs and pid files go to $PINGACTORS_CLUSTER_DIR (default: a directory under ${TMPDIR:-/tmp}).
# Extra node arguments can be passed in $PINGACTORS_NODE_ARGS (e.g. "--set pingactors.log.level=debug").
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${PINGACTORS_CLUSTER_DIR:-${TMPDIR:-/tmp}/pingactors-cluster-$(id -un)}"
dll="$repo/src/PingActors.Node/bin/Release/net10.0/PingActors.Node.dll"
nodes=(1 2 3)
start_timeout=90
stop_timeout=40

hub_port() { echo $((8080 + $1)); }
ops_port() { echo $((9080 + $1)); }
akka_port() { echo $((4050 + $1)); }

pid_of() {
    local file="$dir/node$1.pid"
    [[ -f "$file" ]] && cat "$file"
}

running() {
    local pid
    pid="$(pid_of "$1")" && [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

stats() {
    # The node's /stats JSON, or nothing if it does not answer.
    curl -fsS --max-time 2 "http://127.0.0.1:$(ops_port "$1")/stats" 2>/dev/null || true
}

json_field() {
    # json_field KEY: the first "KEY": value in the JSON on stdin (numbers and booleans; no jq needed).
    grep -o "\"$1\":[^,}]*" | head -n1 | cut -d: -f2
}

start() {
    local build=1
    [[ "${1:-}" == "--no-build" ]] && build=0
    for i in "${nodes[@]}"; do
        if running "$i"; then
            echo "node$i is already running (pid $(pid_of "$i")); run '$0 stop' first" >&2
            exit 1
        fi
    done

    if ((build)); then
        echo "building the node (Release)..."
        dotnet build "$repo/src/PingActors.Node" -c Release --nologo -v quiet >"${TMPDIR:-/tmp}/pingactors-cluster-build.log" 2>&1 \
            || { cat "${TMPDIR:-/tmp}/pingactors-cluster-build.log" >&2; exit 1; }
    fi
    [[ -f "$dll" ]] || { echo "no $dll: run without --no-build" >&2; exit 1; }

    mkdir -p "$dir"
    local seeds=()
    for j in "${nodes[@]}"; do
        seeds+=(--seed "127.0.0.1:$(akka_port "$j")")
    done

    # A background job of a non-interactive shell starts with SIGINT ignored, and .NET would inherit that;
    # env --default-signal (coreutils >= 8.31) gives the node its Ctrl-C back. stop uses SIGTERM either way.
    local launcher=()
    if env --default-signal=INT true 2>/dev/null; then
        launcher=(env --default-signal=INT)
    fi

    for i in "${nodes[@]}"; do
        local log="$dir/node$i.log"
        # shellcheck disable=SC2086 # PINGACTORS_NODE_ARGS is meant to be split into arguments
        nohup "${launcher[@]}" dotnet "$dll" \
            --port "$(akka_port "$i")" "${seeds[@]}" \
            --set "pingactors.hub.listen=127.0.0.1:$(hub_port "$i")" \
            --set "pingactors.ops.listen=127.0.0.1:$(ops_port "$i")" \
            ${PINGACTORS_NODE_ARGS:-} \
            >"$log" 2>&1 </dev/null &
        echo $! >"$dir/node$i.pid"
        echo "node$i: pid $!, hub http://127.0.0.1:$(hub_port "$i")/, ops http://127.0.0.1:$(ops_port "$i")/, remoting 127.0.0.1:$(akka_port "$i"), log $log"
    done

    # Wait until every node says it is Up and sees all three Up (polling, bounded).
    local deadline=$((SECONDS + start_timeout))
    while :; do
        local ready=0
        for i in "${nodes[@]}"; do
            if ! running "$i"; then
                echo "node$i exited during start; its log ($dir/node$i.log) ends with:" >&2
                tail -n 20 "$dir/node$i.log" >&2
                stop_all
                exit 1
            fi
            if grep -q "PingActors node is Up in the cluster" "$dir/node$i.log" \
                && [[ "$(stats "$i" | json_field members_up)" == "${#nodes[@]}" ]]; then
                ready=$((ready + 1))
            fi
        done
        ((ready == ${#nodes[@]})) && break
        if ((SECONDS > deadline)); then
            echo "the nodes did not all see ${#nodes[@]} Up members within ${start_timeout}s; logs in $dir" >&2
            exit 1
        fi
        sleep 0.5
    done
    echo "cluster of ${#nodes[@]} Up (logs in $dir)"
}

status() {
    for i in "${nodes[@]}"; do
        if running "$i"; then
            local s
            s="$(stats "$i")"
            if [[ -n "$s" ]]; then
                echo "node$i: pid $(pid_of "$i"), members_up $(json_field members_up <<<"$s"), unreachable $(json_field unreachable <<<"$s"), joined $(json_field joined <<<"$s"), connections $(json_field connections <<<"$s"), channels $(json_field channels <<<"$s"), channel_entities $(json_field channel_entities <<<"$s"), shards $(json_field shards <<<"$s")"
            else
                echo "node$i: pid $(pid_of "$i"), ops listener not answering"
            fi
        else
            echo "node$i: not running"
        fi
    done
    if running 1 || running 2 || running 3; then
        for i in "${nodes[@]}"; do
            if running "$i"; then
                echo "cluster as node$i sees it:"
                curl -fsS --max-time 2 "http://127.0.0.1:$(ops_port "$i")/cluster" 2>/dev/null && echo
                break
            fi
        done
    fi
}

stop_node() {
    local i=$1 pid
    running "$i" || { rm -f "$dir/node$i.pid"; return 0; }
    pid="$(pid_of "$i")"
    kill -TERM "$pid"
    local deadline=$((SECONDS + stop_timeout))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS > deadline)); then
            echo "node$i (pid $pid) still running ${stop_timeout}s after SIGTERM; sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    rm -f "$dir/node$i.pid"
    echo "node$i stopped"
}

stop_all() {
    # One at a time, node1 (the first seed, which formed the cluster: its oldest member) last: each leaves gracefully and hands its channels to the nodes still
    # up; stopping all at once makes every node wait for the others' hand-offs (akka-notes §5 item 13).
    for ((k = ${#nodes[@]} - 1; k >= 0; k--)); do
        stop_node "${nodes[k]}"
    done
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) stop_all ;;
    status) status ;;
    *)
        echo "usage: $0 start [--no-build] | stop | status" >&2
        exit 2
        ;;
esac
