# Shared by the bench scripts (sourced, not run): logging, waiting for a server, stopping it.
# The sourcing script keeps the PID of the server it started in SERVER_PID.

say() { printf '\n=== %s\n' "$*" >&2; }
show() { printf '+ %s\n' "$*" >&2; }

# SIGTERM the process, wait up to 20 s for it to exit, then SIGKILL it.
stop_pid() { # pid
  if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

wait_http() { # url: wait up to 60 s for a 200 while $SERVER_PID runs
  for _ in $(seq 300); do
    curl -sf -o /dev/null --max-time 2 "$1" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited" >&2; return 1; }
    sleep 0.2
  done
  echo "timeout waiting for $1" >&2
  return 1
}

# NODE_OPTS=(the node's options for a measurement): its two listeners, and its logs at warning, as a log
# line per connection or per message would cost the run CPU the node should spend on its sockets.
node_options() { # hub-host:port ops-host:port
  NODE_OPTS=(--set "pingactors.hub.listen=$1" --set "pingactors.ops.listen=$2"
    --set pingactors.log.level=warning --set akka.loglevel=WARNING)
}

# Release builds of the given projects, quietly (a script's NO_BUILD=1 skips calling this).
build_release() { # project-dir...
  say "build (Release)"
  for p in "$@"; do
    show "dotnet build -c Release $p"
    dotnet build -c Release "$p" -nologo -v quiet | tail -2
  done
}

# The machine lines every results file starts its notes with; a script adds its own after them.
machine_notes() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  echo "memory: $(free -m | awk '/Mem:/ {print $2 " MiB"}')"
  echo "dotnet: $(dotnet --version)"
  echo "kernel: $(uname -r)"
  echo "uptime: $(uptime)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
}

# The .NET runtime identifier a native publish targets on this machine (linux-x64, linux-arm64).
native_rid() {
  case "$(uname -m)" in
    x86_64) echo linux-x64 ;;
    aarch64 | arm64) echo linux-arm64 ;;
    *) echo "error: no .NET runtime identifier known for $(uname -m)" >&2; return 2 ;;
  esac
}
