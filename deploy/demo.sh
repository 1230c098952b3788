#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and run the appliance's real job.
#
# As root, with AF_XDP available: a private network namespace and a veth pair are made; wirekv serves
# on the host end through AF_XDP (its XDP program sends memcached's UDP to the lcore, everything else to
# the kernel); the built-in load generator, inside the namespace, drives it for ~10 s with a GET/SET mix
# over UDP and TCP (a progress line a second, then throughput and latency per transport); then
# `wirekv stat --once` shows the appliance's own counters; then everything is stopped and removed.
# Where AF_XDP is impossible (not root, no libxdp, the program does not attach) it says why and runs the
# same load against wirekv on the kernel backend on loopback instead.
#
#   deploy/demo.sh [extra `wirekv demo` options, e.g. --duration 5s]
#   deploy/demo.sh --kernel [options]      # skip AF_XDP: the loopback demo on the kernel backend
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wirekv="${root}/deploy/wirekv"

kernel_only=0
if [[ "${1:-}" == "--kernel" ]]; then kernel_only=1; shift; fi
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

"${root}/deploy/install-deps.sh"
echo "demo: building wirekv (./mvnw package, tests skipped; deploy/test.sh runs them)"
(cd "${root}" && ./mvnw -q -B -DskipTests package)

kernel_demo() { # reason
  echo "demo: ${1}; running on the kernel backend on loopback instead"
  exec "${wirekv}" demo "${demo_args[@]}"
}
demo_args=("$@")
(( kernel_only )) && kernel_demo "--kernel given"
[[ $(id -u) -eq 0 ]] || kernel_demo "AF_XDP needs root (network namespace, XDP program)"
for tool in ip ethtool; do
  command -v "${tool}" >/dev/null 2>&1 || kernel_demo "'${tool}' is not installed"
done
ldconfig -p 2>/dev/null | grep -q 'libxdp\.so\.1' || kernel_demo "libxdp is not installed (apt-get install libxdp1)"

# A namespace and veth pair private to this run; the appliance on the host end, the load inside.
id="$$"
ns="wkdemo${id}"; host="wkdh${id}"; peer="wkdp${id}"
subnet=$(( id % 200 + 20 ))
server_ip="10.201.${subnet}.1"; client_ip="10.201.${subnet}.2"; port=11211
instance="demo-${id}"
work="$(mktemp -d)"; log="${work}/serve.log"; server_pid=""
source "${root}/deploy/lib/netns.sh"
cleanup() {
  [[ -n "${server_pid}" ]] && { kill -TERM "${server_pid}" 2>/dev/null || true; wait "${server_pid}" 2>/dev/null || true; }
  wirekv_veth_namespace_delete "${ns}" "${host}"
  rm -rf "${work}"
}
trap cleanup EXIT

echo "demo: network namespace ${ns}: ${host} ${server_ip}/24 (wirekv, AF_XDP) <-> ${peer} ${client_ip}/24 (load)"
wirekv_veth_namespace "${ns}" "${host}" "${peer}" "${server_ip}" "${client_ip}"

"${wirekv}" serve --backend xdp --xdp-interface "${host}" --listen "${server_ip}" --port "${port}" \
  --instance "${instance}" --lcores 1 --tcp-threads 1 --idle backoff --memory 64m > "${log}" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  grep -q "wirekv: serving" "${log}" && break
  if ! kill -0 "${server_pid}" 2>/dev/null; then
    server_pid=""
    reason="$(grep -m1 '^wirekv:' "${log}" || tail -1 "${log}")"
    cleanup; trap - EXIT
    kernel_demo "AF_XDP did not start here (${reason})"
  fi
  sleep 0.5
done
grep -q "wirekv: serving" "${log}" || { cat "${log}"; echo "demo: wirekv did not start within 60 s" >&2; exit 1; }
grep -E '^  (udp|lcore|tcp) ' "${log}" | sed 's/^/demo: /'

echo "demo: driving ${server_ip}:${port} from inside ${ns} (UDP crosses the XDP program to the lcore; TCP goes through the kernel)"
ip netns exec "${ns}" "${wirekv}" demo --target "${server_ip}:${port}" "${demo_args[@]}"

echo
echo "demo: the appliance's own counters (wirekv stat --once --instance ${instance}):"
"${wirekv}" stat --once --instance "${instance}" | head -40 || true

echo "demo: stopping wirekv and removing ${ns}"
