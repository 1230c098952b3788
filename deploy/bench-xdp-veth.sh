#!/usr/bin/env bash
# The AF_XDP path on a veth pair: one end (HOST) stays in this namespace and is served through AF_XDP,
# the other end (PEER) sits in a network namespace this script creates, where `wirekv bench --backend
# dpdk` runs on DPDK's net_af_xdp (or net_af_packet) bound to PEER: the same load generator as every other
# benchmark. Measures:
#   ceiling:  dpdk-testpmd --vdev=net_af_xdp0,iface=HOST --forward-mode=5tswap (one forwarding core on
#             CPU 1) echoing the bench's GETs back to it (MACs, addresses and ports swapped; closed loop,
#             --window outstanding; every echo is a reply the bench counts as received, and as an error
#             since it is the request itself): the most this veth + AF_XDP path carries, the figure wirekv's
#             xdp backend is to be held against;
#   rxonly:   testpmd rxonly and the bench with --no-replies (as fast as it can send): frames/s the path takes;
#   wirekv:   (--wirekv) deploy/wirekv serve --backend xdp --xdp-interface HOST, the bench sending real GETs
#             to its address (ARP answered by the kernel on HOST), GET/s and the lcore's CPU (--server-pid).
# Each bench run has --warmup seconds of unmeasured load first. Prints every run and the medians. Creates
# the namespace and veth pair with names unique to this run (wkvb<pid>...), deletes them on exit (also on
# failure); every process it starts it stops by PID.
#   deploy/bench-xdp-veth.sh [--runs 3] [--seconds 10] [--warmup 2] [--window 256] [--wirekv]
#                            [--generator-pmd af_xdp|af_packet] [--skip-build]
# The bench reaches PEER through DPDK's net_af_xdp by default (net_af_packet tops out near 0.5 M
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
jar="${root}/controlplane/target/wirekv.jar"
if (( build )) || [[ ! -f "${jar}" ]]; then (cd "${root}" && ./mvnw -q -B -o -pl controlplane -am -DskipTests package); fi

ns="wkvb$$"; host="wkvbh$$"; peer="wkvbp$$"
server_ip=10.77.0.1; client_ip=10.77.0.2
work="$(mktemp -d)"
source "${root}/deploy/lib/bench.sh" # wait_log; the integer median below replaces the library's
pids=()
source "${root}/deploy/lib/netns.sh"
cleanup() {
  stop_started INT
  wirekv_veth_namespace_delete "${ns}" "${host}"
  rm -rf "${work}"
}
trap cleanup EXIT

wirekv_veth_namespace "${ns}" "${host}" "${peer}"   # no addresses: the frames are built by hand
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

# `wirekv bench` inside the namespace on CPU 0 through the generator PMD; prints one JSON field of its first trial.
generator() { # name field bench-options...
  local name="$1" field="$2"; shift 2
  local prefix="wkvb-gen-$$-${name}" json="${work}/${name}.json" log="${work}/${name}.log"
  WIREKV_JAR="${jar}" timeout -k 10 "$(( seconds + warmup + 90 ))" ip netns exec "${ns}" taskset -c 0 \
    "${root}/deploy/wirekv" bench --backend dpdk --dpdk-device "${gen_device}" \
    --eal-args "-l 0 --vdev=${gen_vdev} --no-huge -m 512 --no-pci --no-shconf --file-prefix=${prefix} --no-telemetry" \
    --bypass-address "${client_ip}" --cpus 0 --threads 1 --duration "${seconds}s" --warmup "${warmup}s" \
    --keys 10000 --key-size 16 --value-size 32 --json "${json}" "$@" > "${log}" 2>&1 < /dev/null \
    || { echo "bench-xdp-veth: bench failed:" >&2; tail -5 "${log}" >&2; }
  rmdir "/var/run/dpdk/${prefix}" 2>/dev/null || true
  python3 - "${json}" "${field}" <<'PY'
import json, sys
try:
    t = json.load(open(sys.argv[1]))["trials"][0]
    v = t
    for part in sys.argv[2].split("."):
        v = v[part]
    print(f"{v:.0f}" if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
except Exception:
    print(0)
PY
}

testpmd_run() { # run mode window metric
  local prefix="wkvb-tp-$$-$1-$2" log="${work}/testpmd-$1-$2.log" result=0
  timeout -s INT -k 10 "$(( seconds + warmup + 120 ))" dpdk-testpmd -l 0,1 --no-pci --no-telemetry --in-memory \
    --file-prefix="${prefix}" --vdev="net_af_xdp0,iface=${host},start_queue=0,queue_count=1" -- \
    --forward-mode="$2" --auto-start --nb-cores=1 --total-num-mbufs=16384 --stats-period=1 > "${log}" 2>&1 < /dev/null &
  local pid=$!; pids+=("${pid}")
  if wait_log "${log}" "forwards packets on" 60 "${pid}"; then
    # testpmd answers no ARP: frames go to HOST's MAC; the echo has no values, so no key store first
    local extra=(--target "${server_ip}:11211" --target-mac "${host_mac}" --no-warm-up)
    if [[ "$3" == 0 ]]; then extra+=(--no-replies); else extra+=(--get-ratio 1 --outstanding "$3" --verify-fraction 0); fi
    result="$(generator "testpmd-$1-$2" "$4" "${extra[@]}")"
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
    # The bench runs in the namespace but sees the host's /proc, so it can read the server's CPU time.
    result="$(generator "wirekv-$1" achieved_per_s --target "${server_ip}:${port}" --get-ratio 1 \
      --outstanding "${window}" --server-pid "${jpid:-${pid}}")"
    grep -E '^warm-up|^server pid' "${work}/wirekv-$1.log" | sed 's/^/        /' >&2 || true
  fi
  kill -TERM "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true
  # The appliance's own counters at shutdown: drops by reason (port, L2/L3 stack, the socket's XDP_STATISTICS).
  grep -E '^  lcore [0-9]+ (port|stack|device)' "${log}" | sed 's/^ */        wirekv /' >&2 || true
  ip addr del "${server_ip}/24" dev "${host}" 2>/dev/null || true
  echo "${result:-0}"
}

e_all=(); o_all=(); w_all=()
echo "veth ${host} (AF_XDP side) <-> ${peer} in netns ${ns} (wirekv bench, net_${gen_pmd}), ${runs} runs of ${seconds}s after ${warmup}s, window ${window}, $(date -u +%FT%TZ)"
for run in $(seq 1 "${runs}"); do
  e="$(testpmd_run "${run}" 5tswap "${window}" achieved_per_s)"
  printf 'run %d  testpmd af_xdp 5tswap echo    %10s replies/s\n' "${run}" "${e}"
  o="$(testpmd_run "${run}" rxonly 0 offered_per_s)"
  printf 'run %d  generator open loop (rxonly)  %10s frames/s sent\n' "${run}" "${o}"
  e_all+=("${e}"); o_all+=("${o}")
  if (( wirekv )); then
    w="$(wirekv_run "${run}")"
    printf 'run %d  wirekv xdp                    %10s GET/s\n' "${run}" "${w}"
    w_all+=("${w}")
  fi
done
echo
printf '%-36s %12s\n' "testpmd af_xdp 5tswap echo, median" "$(printf '%s\n' "${e_all[@]}" | median)"
printf '%-36s %12s\n' "generator open loop, median" "$(printf '%s\n' "${o_all[@]}" | median)"
(( wirekv )) && printf '%-36s %12s\n' "wirekv xdp GET/s, median" "$(printf '%s\n' "${w_all[@]}" | median)"
exit 0
