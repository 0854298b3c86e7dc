#!/usr/bin/env bash
# Installs what bench/websocksy/build.sh needs to build websocksy from source, from Debian packages: a C
# toolchain, make, pkg-config and nettle-dev (websocksy links -lnettle for the handshake's SHA-1 and base64;
# its README also names gnutls, which the code does not use).
# Idempotent: does nothing when the packages are already there. Needs root (apt-get).
set -euo pipefail

PKGS=(build-essential pkg-config nettle-dev)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "websocksy build deps already installed"
else
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: run as root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "cc: $(cc --version | head -1)"
echo "nettle-dev: $(dpkg-query -W -f='${Version}' nettle-dev)"
