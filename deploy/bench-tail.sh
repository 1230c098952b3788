#!/usr/bin/env bash
# Server-added tail latency of one wirekv server core (issue 16): open-loop load at --load of the server's capacity
# (default 70%), measured by `wirekv bench --backend dpdk` over net_memif (1 thread on CPU 0), against two
# ends of the same link at the same rate, alternately:
#   echo:   dpdk-testpmd --forward-mode=5tswap on the memif (forwarding lcore on CPU 1), which returns each
#           request to the generator at once: the p99 of the generator and the link alone;
#   wirekv: `wirekv serve --backend dpdk` over the memif (1 lcore on CPU 1, --colocate, --idle busy-spin),
#           after --warmup seconds of the same load unmeasured (JIT).
# Server-added p99 = wirekv's p99 - the echo's p99 (medians over the runs, and per pair). Also prints p50, p99.9,
# loss and unsent (requests the generator could not hand to the link) per run: a rate the link or the generator
# cannot carry shows there, not as latency. The capacity is wirekv's closed-loop rate (64 outstanding), measured
# first unless --rate gives the rate. Workload: --mix get100 or get90, --keys 10000 of 16 B, values of 32 B
# (the echo's requests are GETs; it has no values, so its replies count as errors, not as answers).
#   deploy/bench-tail.sh [--runs 3] [--seconds 10] [--warmup 8] [--load 0.7] [--rate N] [--mix get100|get90]
#                        [--keys 10000] [--skip-build]
# Needs root (DPDK's EAL), DPDK 22.11 (dpdk-testpmd, net_memif), JDK 25, python3. Every process is bounded by
# `timeout` and stopped by PID; memif sockets and DPDK runtime directories are removed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; seconds=10; warmup=8; load=0.7; rate=""; mix=get100; keys=10000; build=1
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --mix) mix="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-tail: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "${mix}" in
  get100) get_ratio=1 ;;
  get90) get_ratio=0.9 ;;
  *) echo "bench-tail: --mix must be get100 or get90, got '${mix}'" >&2; exit 2 ;;
esac
[[ "${runs}" =~ ^[1-9][0-9]*$ && "${seconds}" =~ ^[1-9][0-9]*$ && "${warmup}" =~ ^[0-9]+$ && "${keys}" =~ ^[1-9][0-9]*$ ]] ||
  { echo "bench-tail: --runs, --seconds and --keys take positive integers, --warmup a whole number" >&2; exit 2; }
awk -v l="${load}" 'BEGIN { exit !(l > 0 && l <= 1) }' || { echo "bench-tail: --load must be in (0, 1], got '${load}'" >&2; exit 2; }
[[ -z "${rate}" || "${rate}" =~ ^[1-9][0-9]*$ ]] || { echo "bench-tail: --rate takes a positive integer" >&2; exit 2; }
(( $(nproc) >= 2 )) || { echo "bench-tail: needs 2 CPUs (server or echo on 1, load on 0)" >&2; exit 1; }
(( EUID == 0 )) || { echo "bench-tail: DPDK's EAL needs root" >&2; exit 1; }
for tool in dpdk-testpmd python3; do
  command -v "${tool}" >/dev/null || { echo "bench-tail: ${tool} not found (apt-get install dpdk python3)" >&2; exit 1; }
done
jar="${root}/controlplane/target/wirekv.jar"
if (( build )) || [[ ! -f "${jar}" ]]; then (cd "${root}" && ./mvnw -q -B -o -pl controlplane -am -DskipTests package); fi

work="$(mktemp -d)"
source "${root}/deploy/lib/bench.sh"
pids=()
cleanup() {
  stop_started
  rm -rf "${work}"
}
trap cleanup EXIT

# One `wirekv bench` on CPU 0 as the memif client; prints "achieved p50 p99 p99.9 lost unsent" from its JSON.
bench() { # name sock prefix bench-options...
  local name="$1" sock="$2" prefix="$3"; shift 3
  local json="${work}/${name}.json" log="${work}/${name}-bench.log"
  WIREKV_JAR="${jar}" timeout -k 10 "$(( seconds + warmup + 120 ))" taskset -c 0 "${root}/deploy/wirekv" bench \
    --backend dpdk --dpdk-device net_memif0 --threads 1 --cpus 0 --bypass-address 10.77.0.2 \
    --eal-args "-l 0 --vdev=net_memif0,role=client,socket=${sock} --no-huge -m 512 --no-pci --no-shconf --file-prefix=${prefix}-gen --no-telemetry" \
    --keys "${keys}" --key-size 16 --value-size 32 --get-ratio "${get_ratio}" --duration "${seconds}s" \
    --warmup "${warmup}s" --json "${json}" "$@" > "${log}" 2>&1 < /dev/null ||
    { echo "bench-tail: ${name}: bench failed:" >&2; tail -5 "${log}" >&2; }
  rmdir "/var/run/dpdk/${prefix}-gen" 2>/dev/null || true
  python3 - "${json}" <<'PY'
import json, sys
try:
    t = json.load(open(sys.argv[1]))["trials"][0]
    l = t["latency_us"]
    print(f'{t["achieved_per_s"]:.0f} {l["p50"]:.1f} {l["p99"]:.1f} {l["p99_9"]:.1f} {t["lost"]} {t["unsent"]}')
except Exception:
    print("0 0 0 0 0 0")
PY
}

run_wirekv() { # name bench-options... ; wirekv serve --backend dpdk over memif on CPU 1
  local name="$1"; shift
  local port sock prefix log="${work}/${name}-server.log" result="0 0 0 0 0 0"
  port="$(free_port)"; sock="/run/wirekv-tail-$$-${name}.sock"; prefix="wirekv-tail-$$-${name}"
  WIREKV_JAR="${jar}" timeout -s TERM -k 10 "$(( seconds + warmup + 240 ))" "${root}/deploy/wirekv" serve \
    --instance "bench-tail-$$-${name}" --backend dpdk \
    --eal-args "-l 0 --vdev=net_memif0,role=server,socket=${sock} --no-huge -m 512 --no-shconf --file-prefix=${prefix} --no-pci --no-telemetry" \
    --dpdk-device net_memif0 --bypass-address 10.77.0.1 --port "${port}" --lcores 1 --cpus 1 --colocate \
    --idle busy-spin --tcp-threads 1 > "${log}" 2>&1 < /dev/null &
  local pid=$!; pids+=("${pid}")
  if wait_log "${log}" "wirekv: serving" 90 "${pid}"; then
    result="$(bench "${name}" "${sock}" "${prefix}" --target "10.77.0.1:${port}" "$@")"
  fi
  kill -TERM "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true
  rmdir "/var/run/dpdk/${prefix}" 2>/dev/null || true; rm -f "${sock}"
  echo "${result}"
}

run_echo() { # name bench-options... ; testpmd 5tswap on the memif, forwarding lcore on CPU 1
  local name="$1"; shift
  local sock prefix log="${work}/${name}-testpmd.log" result="0 0 0 0 0 0"
  sock="/run/wirekv-tail-$$-${name}.sock"; prefix="wirekv-tail-$$-${name}"
  # --stats-period: without it testpmd waits for a key on stdin, and /dev/null ends it at once
  timeout -s INT -k 10 "$(( seconds + warmup + 120 ))" dpdk-testpmd -l 0,1 --no-pci --no-telemetry --no-huge -m 512 \
    --no-shconf --file-prefix="${prefix}" --vdev="net_memif0,role=server,socket=${sock}" -- \
    --forward-mode=5tswap --auto-start --nb-cores=1 --total-num-mbufs=16384 --stats-period=1 > "${log}" 2>&1 < /dev/null &
  local pid=$!; pids+=("${pid}")
  if wait_log "${log}" "forwards packets on" 60 "${pid}"; then
    # testpmd answers no ARP and stores nothing: frames to any MAC, no warm-up stores, answers not checked
    result="$(bench "${name}" "${sock}" "${prefix}" --target 10.77.0.1:11211 --target-mac 02:00:00:00:00:01 \
      --no-warm-up --verify-fraction 0 "$@")"
  fi
  kill -INT "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true
  rmdir "/var/run/dpdk/${prefix}" 2>/dev/null || true; rm -f "${sock}"
  echo "${result}"
}

echo "bench-tail: --mix ${mix}, ${keys} keys of 16 B, values 32 B, server/echo on CPU 1, wirekv bench on CPU 0," \
  "${runs} run(s) of ${seconds}s after ${warmup}s, $(date -u +%FT%TZ)"
if [[ -z "${rate}" ]]; then
  read -r capacity _ <<< "$(run_wirekv capacity --outstanding 64)"
  (( ${capacity%.*} > 0 )) || { echo "bench-tail: the capacity run measured nothing" >&2; exit 1; }
  rate="$(awk -v c="${capacity}" -v l="${load}" 'BEGIN { printf "%d", c * l }')"
  echo "capacity (closed loop, 64 outstanding): ${capacity} req/s; open-loop rate ${rate} req/s (${load} of it)"
fi
printf '%-6s %-8s %12s %10s %10s %10s %10s %10s\n' "" "end" "achieved/s" "p50 us" "p99 us" "p99.9 us" "lost" "unsent"
echo_p99=(); wirekv_p99=(); added=()
for run in $(seq 1 "${runs}"); do
  read -r ea e50 e99 e999 el eu <<< "$(run_echo "echo-${run}" --rate "${rate}")"
  printf 'run %-2d %-8s %12s %10s %10s %10s %10s %10s\n' "${run}" echo "${ea}" "${e50}" "${e99}" "${e999}" "${el}" "${eu}"
  read -r wa w50 w99 w999 wl wu <<< "$(run_wirekv "wirekv-${run}" --rate "${rate}")"
  printf 'run %-2d %-8s %12s %10s %10s %10s %10s %10s\n' "${run}" wirekv "${wa}" "${w50}" "${w99}" "${w999}" "${wl}" "${wu}"
  echo_p99+=("${e99}"); wirekv_p99+=("${w99}")
  added+=("$(awk -v w="${w99}" -v e="${e99}" 'BEGIN { printf "%.1f", w - e }')")
done
em="$(printf '%s\n' "${echo_p99[@]}" | median)"; wm="$(printf '%s\n' "${wirekv_p99[@]}" | median)"
echo
echo "open loop at ${rate} req/s, medians of ${runs} run(s): p99 echo ${em} us, p99 wirekv ${wm} us"
echo "server-added p99: $(awk -v w="${wm}" -v e="${em}" 'BEGIN { printf "%.1f", w - e }') us (per pair: ${added[*]}; goal <= 10 us)"
