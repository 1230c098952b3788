#!/usr/bin/env bash
# The AF_XDP path on a veth pair: one end (HOST) stays in this namespace and is served through AF_XDP,
# the other end (PEER) sits in a network namespace this script creates, where
# io.wirekv.benchmarks.packetio.MemifGetGenerator runs on DPDK's net_af_packet bound to PEER. Measures:
#   ceiling:  dpdk-testpmd --vdev=net_af_xdp0,iface=HOST --forward-mode=macswap (one forwarding core on
#             CPU 1) echoing the generator's get frames (closed loop, --window outstanding): the most
#             this veth + AF_XDP path carries, the figure wirekv's xdp backend is to be held against;
#   rxonly:   the same with testpmd rxonly and the generator open loop: frames/s the path delivers;
#   wirekv:   (--wirekv) deploy/wirekv serve --backend xdp --xdp-interface HOST, the generator sending
#             real gets to its address (ARP answered by the kernel on HOST), GET/s.
# Prints every run and the medians. Creates the namespace and veth pair with names unique to this run
# (wkvb<pid>...), deletes them on exit (also on failure); every process it starts it stops by PID.
#   deploy/bench-xdp-veth.sh [--runs 3] [--seconds 10] [--warmup 2] [--window 256] [--wirekv]
#                            [--generator-pmd af_xdp|af_packet] [--skip-build]
# The generator reaches PEER through DPDK's net_af_xdp by default (net_af_packet tops out near 0.5 M
# frames/s here, below the path it is meant to measure).
# Needs root, dpdk (dpdk-testpmd with net_af_xdp and net_af_packet), iproute2, JDK 25.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; seconds=10; warmup=2; window=256; wirekv=0; build=1; gen_pmd=af_xdp
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --wirekv) wirekv=1; shift ;;
    --generator-pmd) gen_pmd="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-xdp-veth: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
(( $(nproc) >= 2 )) || { echo "bench-xdp-veth: needs 2 CPUs" >&2; exit 1; }
(( EUID == 0 )) || { echo "bench-xdp-veth: needs root (netns, veth, DPDK)" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "bench-xdp-veth: dpdk-testpmd not found" >&2; exit 1; }
source "${root}/deploy/lib/jdk.sh"
java_home="$(wirekv_find_jdk25)"
jar="${root}/benchmarks/target/benchmarks.jar"
if (( build )) || [[ ! -f "${jar}" ]]; then (cd "${root}" && ./mvnw -q -B -o -pl controlplane,benchmarks -am -DskipTests package); fi

ns="wkvb$$"; host="wkvbh$$"; peer="wkvbp$$"
server_ip=10.77.0.1; client_ip=10.77.0.2
work="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    if kill -0 "${pid}" 2>/dev/null; then kill -INT "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true; fi
  done
  ip link del "${host}" 2>/dev/null || true   # deletes both ends
  ip netns del "${ns}" 2>/dev/null || true
  rm -rf "${work}"
}
trap cleanup EXIT

ip netns add "${ns}"
ip link add "${host}" type veth peer name "${peer}"
ip link set "${peer}" netns "${ns}"
ip -n "${ns}" link set lo up
ip -n "${ns}" link set "${peer}" up
ip link set "${host}" up
# AF_XDP in native mode on a veth needs the peer to run XDP too for redirected frames; DPDK falls back
# to what the kernel offers (copy mode). Checksum offloads off, so frames leave as built.
ip netns exec "${ns}" ethtool -K "${peer}" tx off rx off >/dev/null 2>&1 || true
ethtool -K "${host}" tx off rx off >/dev/null 2>&1 || true
host_mac="$(cat "/sys/class/net/${host}/address")"
case "${gen_pmd}" in
  af_xdp) gen_vdev="net_af_xdp1,iface=${peer},start_queue=0,queue_count=1"; gen_device=net_af_xdp1 ;;
  af_packet) gen_vdev="net_af_packet0,iface=${peer}"; gen_device=net_af_packet0 ;;
  *) echo "bench-xdp-veth: --generator-pmd af_xdp|af_packet" >&2; exit 2 ;;
esac

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
wait_log() { # file pattern timeout_s pid
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { echo "bench-xdp-veth: process exited:" >&2; tail -5 "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "bench-xdp-veth: no '$2' in $1 after $3 s" >&2; return 1
}

generator() { # log metric args... ; runs inside the namespace on CPU 0
  local log="$1" metric="$2"; shift 2
  timeout -k 10 "$(( seconds + warmup + 90 ))" ip netns exec "${ns}" taskset -c 0 "${java_home}/bin/java" \
    "${WIREKV_JVM_FLAGS[@]}" -Xmx512m -cp "${jar}" io.wirekv.benchmarks.packetio.MemifGetGenerator --cpu 0 \
    --seconds "${seconds}" --warmup "${warmup}" --vdev "${gen_vdev}" --device "${gen_device}" \
    --server-ip "${server_ip}" --client-ip "${client_ip}" "$@" > "${log}" 2>&1 < /dev/null \
    || { echo "bench-xdp-veth: generator failed:" >&2; tail -5 "${log}" >&2; }
  awk -v m="${metric}" '$1 == m { print $2 }' "${log}"
}

testpmd_run() { # run mode window metric
  local prefix="wkvb-tp-$$-$1-$2" log="${work}/testpmd-$1-$2.log" result=0
  timeout -s INT -k 10 "$(( seconds + warmup + 120 ))" dpdk-testpmd -l 0,1 --no-pci --no-telemetry --in-memory \
    --file-prefix="${prefix}" --vdev="net_af_xdp0,iface=${host},start_queue=0,queue_count=1" -- \
    --forward-mode="$2" --auto-start --nb-cores=1 --total-num-mbufs=16384 --stats-period=1 > "${log}" 2>&1 < /dev/null &
  local pid=$!; pids+=("${pid}")
  if wait_log "${log}" "forwards packets on" 60 "${pid}"; then
    local extra=(--loose --no-preload --dst-mac "${host_mac}" --window "$3")
    [[ "$3" == 0 ]] && extra+=(--no-rx)
    result="$(generator "${work}/gen-$1-$2.log" "$4" "${extra[@]}")"
  fi
  kill -INT "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true
  rmdir "/var/run/dpdk/${prefix}" 2>/dev/null || true
  echo "${result:-0}"
}

wirekv_run() { # run
  local log="${work}/wirekv-$1.log" port=11211 result=0
  ip addr add "${server_ip}/24" dev "${host}" 2>/dev/null || true
  timeout -s TERM -k 10 "$(( seconds + warmup + 180 ))" "${root}/deploy/wirekv" serve --instance "bench-xdp-$$" --backend xdp \
    --xdp-interface "${host}" --bypass-address "${server_ip}" --listen "${server_ip}" --port "${port}" --lcores 1 --cpus 1 \
    --colocate --idle busy-spin --tcp-threads 1 > "${log}" 2>&1 < /dev/null &
  local pid=$!; pids+=("${pid}")
  if wait_log "${log}" "wirekv: serving" 90 "${pid}"; then
    local jpid; jpid="$(pgrep -P "${pid}" | head -1)"
    # The generator runs in the namespace but sees the host's /proc, so it can read the lcore's CPU time.
    result="$(generator "${work}/wirekv-gen-$1.log" median_rps --port "${port}" --window "${window}" \
      --server-pid "${jpid:-${pid}}" --server-thread wirekv-lcore-0)"
    grep -E '^preload|^get phase|^median_server_cpu|^median_rps_per_core' "${work}/wirekv-gen-$1.log" | sed 's/^/        /' >&2 || true
  fi
  kill -TERM "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true
  # The appliance's own counters at shutdown: drops by reason (port, L2/L3 stack, the socket's XDP_STATISTICS).
  grep -E '^  lcore [0-9]+ (port|stack|device)' "${log}" | sed 's/^ */        wirekv /' >&2 || true
  ip addr del "${server_ip}/24" dev "${host}" 2>/dev/null || true
  echo "${result:-0}"
}

e_all=(); o_all=(); w_all=()
echo "veth ${host} (AF_XDP side) <-> ${peer} in netns ${ns} (generator, net_${gen_pmd}), ${runs} runs of ${seconds}s, window ${window}, $(date -u +%FT%TZ)"
for run in $(seq 1 "${runs}"); do
  e="$(testpmd_run "${run}" macswap "${window}" median_rps)"
  printf 'run %d  testpmd af_xdp macswap echo   %10s replies/s\n' "${run}" "${e}"
  o="$(testpmd_run "${run}" rxonly 0 median_tx_pps)"
  printf 'run %d  generator open loop (rxonly)  %10s frames/s sent\n' "${run}" "${o}"
  e_all+=("${e}"); o_all+=("${o}")
  if (( wirekv )); then
    w="$(wirekv_run "${run}")"
    printf 'run %d  wirekv xdp                    %10s GET/s\n' "${run}" "${w}"
    w_all+=("${w}")
  fi
done
echo
printf '%-36s %12s\n' "testpmd af_xdp macswap echo, median" "$(printf '%s\n' "${e_all[@]}" | median)"
printf '%-36s %12s\n' "generator open loop, median" "$(printf '%s\n' "${o_all[@]}" | median)"
(( wirekv )) && printf '%-36s %12s\n' "wirekv xdp GET/s, median" "$(printf '%s\n' "${w_all[@]}" | median)"
exit 0
