#!/usr/bin/env bash
# Publishes the node natively (NativeAOT) and runs every spec that starts the node as its own process
# (process, cluster and access-log specs) against that binary instead of `dotnet PingActors.Node.dll`.
#
#   tests/run-native.sh            # publish to artifacts/native/, then test
#   NO_PUBLISH=1 tests/run-native.sh
#
# Needs what a native build needs besides the .NET SDK: a C toolchain (gcc or clang) and the ILCompiler
# package from NuGet; not part of .ci/run for that reason (docs/native.md). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh # native_rid

out="$(pwd)/artifacts/native"
if [ -z "${NO_PUBLISH:-}" ]; then
  if ! command -v gcc >/dev/null && ! command -v clang >/dev/null; then
    echo "error: a native build needs gcc or clang on PATH" >&2
    exit 2
  fi
  rid=$(native_rid) || exit 2
  dotnet publish src/PingActors.Node -c Release -r "$rid" -p:PublishAot=true -o "$out" || exit 1
fi
[ -x "$out/PingActors.Node" ] || { echo "error: no native node at $out/PingActors.Node" >&2; exit 2; }

results="$(pwd)/TestResults/native"
rm -rf "$results"
mkdir -p "$results"
PINGACTORS_NODE_EXE="$out/PingActors.Node" dotnet test tests/PingActors.Tests -c Release \
  --filter "FullyQualifiedName~PingActors.Tests.Process.|FullyQualifiedName~PingActors.Tests.Cluster.|FullyQualifiedName~PingActors.Tests.Ops.AccessLogSpecs" \
  --logger "trx" --results-directory "$results"
status=$?

.ci/trx-counts "$results" || exit 1
[ "$status" -eq 0 ] || exit 1
