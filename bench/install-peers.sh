#!/usr/bin/env bash
# Installs the peers that bench/compare.sh measures PingActors against, from Debian packages:
#   nginx + libnginx-mod-nchan   pub/sub hub (POST publishes, WebSocket subscribes, same paths)
#   websockify                   WebSocket-to-TCP bridge, the peer for the bridge-echo scenario once PingActors
#                                has its socket bridge (nothing runs it yet)
# Idempotent: does nothing when the packages are already there. Needs root (apt-get).
# The Debian nginx service is not used: bench/compare.sh runs nginx itself, in the foreground, from a temporary
# prefix with bench/nchan/nginx.conf. If the package's postinst started the system nginx, it is stopped again so
# that it holds no port.
set -euo pipefail

PKGS=(nginx-light libnginx-mod-nchan websockify)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "peers already installed: ${PKGS[*]}"
else
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: run as root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-cache policy libnginx-mod-nchan | sed -n 1,3p
  # policy-rc.d 101: do not start services from the packages' postinst (no systemd here anyway)
  had_policy=0
  if [[ -e /usr/sbin/policy-rc.d ]]; then had_policy=1; fi
  if [[ $had_policy -eq 0 ]]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
  apt-get install -y -q --no-install-recommends "${missing[@]}" || { [[ $had_policy -eq 0 ]] && rm -f /usr/sbin/policy-rc.d; exit 1; }
  if [[ $had_policy -eq 0 ]]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# The nchan module: the package drops a load_module line into /usr/share/nginx/modules-available.
mod=$(ls /usr/lib/nginx/modules/ngx_nchan_module.so 2>/dev/null || true)
if [[ -z "$mod" ]]; then
  echo "error: ngx_nchan_module.so not found after install" >&2
  exit 1
fi
echo "nginx: $(nginx -v 2>&1)"
echo "nchan module: $mod ($(dpkg-query -W -f='${Version}' libnginx-mod-nchan))"
echo "websockify: $(command -v websockify) ($(dpkg-query -W -f='${Version}' websockify))"
