#!/usr/bin/env bash
# The project's whole test suite, slow end-to-end tests included (they carry Trait Category=Slow;
# run only the fast ones with: ./test.sh --filter "Category!=Slow").
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# The cluster-mode tests start the Azure Storage emulator themselves from this project-local install.
azurite_version=3.35.0
if [ ! -x "$here/.tools/azurite/node_modules/.bin/azurite" ]; then
  npm install --no-audit --no-fund --prefix "$here/.tools/azurite" "azurite@$azurite_version" >/dev/null \
    || { echo "test.sh: npm install azurite@$azurite_version failed (the Azure tests need it)" >&2; exit 1; }
fi
# tests/Apo.Deploy.Tests builds k8s/ with `kubectl kustomize` and fails without kubectl: install Debian's
# kubernetes-client (kubectl 1.20, kustomize v2.0) when none is on PATH.
if ! command -v kubectl >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends kubernetes-client; } >/dev/null \
    && command -v kubectl >/dev/null 2>&1 \
    || { echo "test.sh: kubectl is missing and apt-get install kubernetes-client failed (tests/Apo.Deploy.Tests renders k8s/ with kubectl kustomize)" >&2; exit 1; }
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet test Apo.Orleans.sln -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One closing line over all test assemblies, in the plain "N passed, N failed" form.
awk '/(Passed|Failed)!  - /{ for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
