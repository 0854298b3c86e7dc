#!/bin/sh
# Installs Debian's chromium for the browser specs (tests/PingActors.Tests/Browser). Run by BrowserFixture
# when /usr/bin/chromium is missing, so CI needs nothing but `dotnet test`; safe to run by hand too.
# Never `playwright install`: the specs drive this distribution build through the Playwright driver that
# ships in the Microsoft.Playwright NuGet package, which works offline.
set -eu
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "browser-deps.sh: chromium is missing and installing it needs root (apt-get install chromium)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Two helpers may race to install; apt's own lock makes the second one wait instead of failing.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium
test -x /usr/bin/chromium
