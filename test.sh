#!/usr/bin/env bash
# The project's whole test suite, slow end-to-end tests included (they carry Trait Category=Slow;
# run only the fast ones with: ./test.sh --filter "Category!=Slow").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
dotnet test Apo.Orleans.sln -c Release --nologo "$@"
