#!/usr/bin/env bash
# The side-by-side comparison, one command: a private network namespace and veth pair; wirekv on the
# host end on AF_XDP and memcached (kernel UDP, one thread) on the same address; the same
# `wirekv bench` workload from inside the namespace against each, alternately; then the table of
# medians and ratios, plus the veth path's packet I/O ceiling (dpdk-testpmd macswap on AF_XDP, from
# deploy/bench-xdp-veth.sh, which makes its own namespace).
#
#   deploy/bench-compare.sh [--runs 3] [--seconds 10] [--keys 10000] [--outstanding 64]
#                           [--no-ceiling] [--skip-build] [--json FILE]
#
# Both servers get CPU 1 (wirekv: one lcore with writer and TCP colocated, busy-spinning; memcached
# -t 1); the generator runs on CPU 0, closed loop, 90% GET, 16-byte keys, 32-byte values. Needs root,
# memcached, iproute2, ethtool, libxdp; for the ceiling also dpdk-testpmd. Every process it starts it
# stops by PID; the namespace and veth are deleted on exit, also on failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wirekv="${root}/deploy/wirekv"

runs=3; seconds=10; keys=10000; outstanding=64; ceiling=1; build=1; json=""
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --keys) keys="$2"; shift ;;
    --outstanding) outstanding="$2"; shift ;;
    --no-ceiling) ceiling=0 ;;
    --skip-build) build=0 ;;
    --json) json="$2"; shift ;;
    --help|-h) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-compare: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) -eq 0 ]] || { echo "bench-compare: needs root (network namespace, XDP program)" >&2; exit 1; }
for tool in ip ethtool memcached taskset python3; do
  command -v "${tool}" >/dev/null 2>&1 || { echo "bench-compare: '${tool}' is missing (deploy/install-deps.sh)" >&2; exit 1; }
done
if (( build )); then
  echo "bench-compare: building (./mvnw package, tests skipped)"
  (cd "${root}" && ./mvnw -q -B -DskipTests package)
fi

id="$$"; ns="wkcmp${id}"; host="wkch${id}"; peer="wkcp${id}"
subnet=$(( id % 200 + 20 ))
server_ip="10.202.${subnet}.1"; client_ip="10.202.${subnet}.2"
wirekv_port=11211; memcached_port=11311
work="$(mktemp -d)"; pids=()
source "${root}/deploy/lib/netns.sh"
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true; done
  wirekv_veth_namespace_delete "${ns}" "${host}"
  rm -rf "${work}"
}
trap cleanup EXIT

wirekv_veth_namespace "${ns}" "${host}" "${peer}" "${server_ip}" "${client_ip}"

"${wirekv}" serve --backend xdp --xdp-interface "${host}" --listen "${server_ip}" --port "${wirekv_port}" \
  --instance "compare-${id}" --lcores 1 --cpus 1 --colocate --idle busy-spin --tcp-threads 1 \
  > "${work}/wirekv.log" 2>&1 < /dev/null &
pids+=($!)
taskset -c 1 memcached -u root -t 1 -m 256 -l "${server_ip}" -p "${memcached_port}" -U "${memcached_port}" \
  > "${work}/memcached.log" 2>&1 < /dev/null &
pids+=($!)
for _ in $(seq 1 120); do grep -q "wirekv: serving" "${work}/wirekv.log" && break; sleep 0.5; done
grep -q "wirekv: serving" "${work}/wirekv.log" || { cat "${work}/wirekv.log" >&2; echo "bench-compare: wirekv did not start" >&2; exit 1; }
echo "bench-compare: ${host} ${server_ip} (wirekv xdp :${wirekv_port}, memcached -t 1 :${memcached_port}) <-> ${peer} ${client_ip} in ${ns}; $(date -u +%FT%TZ)"

bench() { # name port run -> prints "achieved p50 p99 lost errors wrong"
  local out="${work}/$1-$3.json"
  ip netns exec "${ns}" "${wirekv}" bench --target "${server_ip}:$2" --transport udp --keys "${keys}" \
    --value-size 32 --get-ratio 0.9 --outstanding "${outstanding}" --duration "${seconds}s" --cpus 0 \
    --json "${out}" > "${work}/$1-$3.log" 2>&1 || true
  python3 - "${out}" <<'EOF'
import json, sys
try:
    t = json.load(open(sys.argv[1]))["trials"][-1]
    l = t["latency_us"]
    print(f'{t["achieved_per_s"]:.0f} {l["p50"]:.1f} {l["p99"]:.1f} {t["lost"]} {t["errors"]} {t["wrong_answers"]}')
except Exception as e:
    print("0 0 0 0 0 0")
EOF
}

w_all=(); m_all=()
for run in $(seq 1 "${runs}"); do
  read -r w w50 w99 wl we ww <<< "$(bench wirekv "${wirekv_port}" "${run}")"
  printf 'run %d  wirekv xdp          %10s req/s  p50 %8s us  p99 %8s us  lost %s errors %s wrong %s\n' \
    "${run}" "${w}" "${w50}" "${w99}" "${wl}" "${we}" "${ww}"
  read -r m m50 m99 ml me mw <<< "$(bench memcached "${memcached_port}" "${run}")"
  printf 'run %d  memcached -t 1      %10s req/s  p50 %8s us  p99 %8s us  lost %s errors %s wrong %s\n' \
    "${run}" "${m}" "${m50}" "${m99}" "${ml}" "${me}" "${mw}"
  w_all+=("${w}"); m_all+=("${m}")
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
wm="$(median "${w_all[@]}")"; mm="$(median "${m_all[@]}")"
ceiling_rate="not measured"
if (( ceiling )); then
  # The packet I/O ceiling of this path: testpmd echoing wirekv bench's GETs on AF_XDP.
  ceiling_rate="$("${root}/deploy/bench-xdp-veth.sh" --runs 1 --seconds "${seconds}" --window 256 --skip-build 2>/dev/null \
    | awk '/testpmd af_xdp 5tswap echo, median/ {print $NF}')"
  ceiling_rate="${ceiling_rate:-not measured}"
fi

echo
echo "                                   median req/s     vs memcached"
printf '  memcached -t 1 (kernel UDP)   %14s     1.00x\n' "${mm}"
printf '  wirekv (AF_XDP)               %14s     %sx\n' "${wm}" "$(awk -v a="${wm}" -v b="${mm}" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}')"
printf '  veth path ceiling (testpmd)   %14s\n' "${ceiling_rate}"
echo "  (${runs} runs of ${seconds}s each, alternating; closed loop, ${outstanding} outstanding, 90% GET, ${keys} keys)"
if [[ -n "${json}" ]]; then
  printf '{"date":"%s","runs":%s,"seconds":%s,"wirekv_xdp_median_per_s":%s,"memcached_median_per_s":%s,"ceiling_per_s":"%s"}\n' \
    "$(date -u +%FT%TZ)" "${runs}" "${seconds}" "${wm}" "${mm}" "${ceiling_rate}" > "${json}"
fi
