#!/usr/bin/env bash
# Installs what bench/kuiperbelt/build.sh needs to build kuiperbelt's ekbo from source, from Debian packages:
# the Go toolchain and the libraries kuiperbelt imports (or that those import), in GOPATH layout under
# /usr/share/gocode. Two dependencies are not packaged at the versions kuiperbelt pins (kayac/go-config v0.0.1,
# google/gops v0.3.3): build.sh takes them from fetched mirrors instead.
# gorilla/websocket: kuiperbelt does not vendor it; Debian's 1.5.0 is API-compatible with the 1.4.1 it pins.
# zap: Debian's 1.23 keeps the 1.7 API that kuiperbelt uses (NewDevelopmentConfig, Sugar, zapcore levels).
# Idempotent: does nothing when the packages are already there. Needs root (apt-get).
set -euo pipefail

PKGS=(golang-go golang-github-gorilla-websocket-dev golang-github-pkg-errors-dev golang-go.uber-zap-dev
  golang-gopkg-yaml.v2-dev golang-github-kardianos-osext-dev golang-go.uber-atomic-dev
  golang-go.uber-multierr-dev golang-github-burntsushi-toml-dev)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "kuiperbelt build deps already installed"
else
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: run as root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "go: $(go version)"
echo "gorilla/websocket: $(dpkg-query -W -f='${Version}' golang-github-gorilla-websocket-dev)"
