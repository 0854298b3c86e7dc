#!/usr/bin/env bash
# Builds websocksy (cbdevnet/websocksy, the C WebSocket <-> TCP/UDP/unix bridge that PingActors' socket bridge
# is a drop-in for) from source into bench/websocksy/src (gitignored), for bench/run-bridge.sh. No websocksy
# code is kept in this repo: the sources come from a bare git mirror of the public repository (the `fetch`
# tool's github:cbdevnet/websocksy), exported into src, and the libraries from Debian packages
# (bench/websocksy/install-deps.sh, run here first).
# websocksy loads its framing plugins from the relative path plugins/ (compile-time PLUGINPATH): run it from
# bench/websocksy/src, as run-bridge.sh does.
#
#   bench/websocksy/build.sh
#   WS_MIRROR=/path/websocksy.git WS_REV=b3fce7f bench/websocksy/build.sh
#
# Knobs (environment):
#   WS_MIRROR=/work/.mirror/cbdevnet+websocksy/repo     cbdevnet/websocksy, bare git dir
#   WS_REV=HEAD                                          its revision (b3fce7f "Fix makefile" when written)
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)

WS_MIRROR=${WS_MIRROR:-/work/.mirror/cbdevnet+websocksy/repo}
WS_REV=${WS_REV:-HEAD}

git --git-dir="$WS_MIRROR" rev-parse --verify -q HEAD >/dev/null ||
  { echo "error: $WS_MIRROR is not a git mirror (fetch github:cbdevnet/websocksy)" >&2; exit 1; }

./install-deps.sh

commit=$(git --git-dir="$WS_MIRROR" rev-parse --verify "$WS_REV^{commit}")
rm -rf "$HERE/src"
mkdir -p "$HERE/src"
git --git-dir="$WS_MIRROR" archive "$commit" | tar -x -C "$HERE/src"
echo "websocksy $WS_REV = ${commit:0:12} -> src"
echo "$commit" > "$HERE/src/.commit"

cd "$HERE/src"
# The top-level make builds the plugins too (websocksy depends on the plugins target). -O2 because the
# makefiles' CFLAGS have only -g, and a benchmark should measure an optimised build; from the environment, as
# the makefiles append to it (CFLAGS=... on make's command line would replace their -DPLUGINS and -fPIC).
CFLAGS="-O2" make -j"$(nproc)" >/dev/null
ls plugins/*.so >/dev/null
echo "built $HERE/src/websocksy; plugins: $(cd plugins && echo *.so)"
