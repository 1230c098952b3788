#!/usr/bin/env bash
# Quick start, command 2: install what is missing and run the whole test suite.
# .ci/run calls exactly this. Long soak, fuzz and benchmark runs have their own commands (README).
#   deploy/test.sh [extra Maven arguments]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"${root}/deploy/install-deps.sh"
cd "${root}"
exec ./mvnw -B verify "$@"
