#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and run the appliance's main job:
# wirekv on the kernel backend on loopback, driven for ~10 s with a GET/SET mix over UDP and
# TCP, then a throughput and latency report, then a clean stop.
#   deploy/demo.sh [extra `wirekv demo` options, e.g. --duration 5s]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"${root}/deploy/install-deps.sh"
echo "demo: building wirekv (./mvnw package, tests skipped; deploy/test.sh runs them)"
(cd "${root}" && ./mvnw -q -B -DskipTests package)
exec "${root}/deploy/wirekv" demo "$@"
