#!/usr/bin/env bash
# Builds kuiperbelt's server, ekbo, from source into bench/kuiperbelt/bin/ekbo (gitignored), for comparing
# PingActors' kuiperbelt-compatible proxy with it (bench/run-proxy.sh). No kuiperbelt code is kept in this
# repo: the sources come from bare git mirrors of the public repositories, exported into a GOPATH, and the
# rest from Debian packages (bench/kuiperbelt/install-deps.sh, run here first).
#
#   bench/kuiperbelt/build.sh
#   KB_MIRROR=/path/kuiperbelt.git KB_REV=2f7c63a bench/kuiperbelt/build.sh
#
# Knobs (environment):
#   KB_MIRROR=/work/.mirror/kuiperbelt+kuiperbelt/repo      kuiperbelt/kuiperbelt, bare git dir
#   KB_REV=HEAD                                              its revision (2f7c63a when written: "establish" callback)
#   GOCONFIG_MIRROR=/work/.mirror/kayac+go-config/repo      kayac/go-config, exported at v0.0.1 (kuiperbelt's go.mod)
#   GOPS_MIRROR=/work/.mirror/google+gops/repo              google/gops, exported at v0.3.3 (kuiperbelt's go.mod)
#   GOPATH_DIR=bench/kuiperbelt/gopath                      where the GOPATH is laid (wiped and rebuilt each run)
# The build is GOPATH mode (GO111MODULE=off): kuiperbelt's go.mod pins versions that Debian does not carry, and
# modules would want the network; the Debian versions are API-compatible (see install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)

KB_MIRROR=${KB_MIRROR:-/work/.mirror/kuiperbelt+kuiperbelt/repo}
KB_REV=${KB_REV:-HEAD}
GOCONFIG_MIRROR=${GOCONFIG_MIRROR:-/work/.mirror/kayac+go-config/repo}
GOPS_MIRROR=${GOPS_MIRROR:-/work/.mirror/google+gops/repo}
GOPATH_DIR=${GOPATH_DIR:-$HERE/gopath}

for m in "$KB_MIRROR" "$GOCONFIG_MIRROR" "$GOPS_MIRROR"; do
  git --git-dir="$m" rev-parse --verify -q HEAD >/dev/null ||
    { echo "error: $m is not a git mirror (fetch github:kuiperbelt/kuiperbelt, github:kayac/go-config, github:google/gops)" >&2; exit 1; }
done

./install-deps.sh

export_rev() { # mirror rev dest: the tree at rev, unpacked into dest
  local commit
  commit=$(git --git-dir="$1" rev-parse --verify "$2^{commit}")
  mkdir -p "$3"
  git --git-dir="$1" archive "$commit" | tar -x -C "$3"
  echo "  $(basename "$(dirname "$1")") $2 = ${commit:0:12} -> ${3#"$HERE"/}"
}

rm -rf "$GOPATH_DIR"
echo "GOPATH $GOPATH_DIR:"
export_rev "$KB_MIRROR" "$KB_REV" "$GOPATH_DIR/src/github.com/kuiperbelt/kuiperbelt"
export_rev "$GOCONFIG_MIRROR" v0.0.1 "$GOPATH_DIR/src/github.com/kayac/go-config"
export_rev "$GOPS_MIRROR" v0.3.3 "$GOPATH_DIR/src/github.com/google/gops"

mkdir -p "$HERE/bin"
kb_commit=$(git --git-dir="$KB_MIRROR" rev-parse --short=7 "$KB_REV^{commit}")
cd "$GOPATH_DIR/src/github.com/kuiperbelt/kuiperbelt"
# GOFLAGS cleared: a -mod=... from the environment is an error in GOPATH mode.
GO111MODULE=off GOFLAGS= GOPATH="$GOPATH_DIR:/usr/share/gocode" GOCACHE="$GOPATH_DIR/.cache" \
  go build -ldflags "-X github.com/kuiperbelt/kuiperbelt.Version=git-$kb_commit" -o "$HERE/bin/ekbo" ./cmd/ekbo
echo "built $HERE/bin/ekbo ($("$HERE/bin/ekbo" -version 2>&1 | head -1))"
