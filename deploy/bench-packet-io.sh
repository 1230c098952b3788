#!/usr/bin/env bash
# Packet I/O ceiling of one forwarding core on DPDK's net_null: wirekv's Java MAC-swap loop
# (io.wirekv.benchmarks.packetio.MacSwapEcho: rx_burst(32), swap MACs through MemorySegment, tx_burst)
# against dpdk-testpmd --forward-mode=macswap on the same virtual device, alternately (testpmd, Java,
# testpmd, Java, ...), each forwarding on CPU 1 with the EAL's main lcore on CPU 0. Prints every run
# (median of its per-second packets/s after a warm-up), the medians, and the Java/testpmd ratio (median
# of the per-pair ratios, and ratio of the medians). Every run is bounded by `timeout`.
#   deploy/bench-packet-io.sh [--runs 5] [--seconds 10] [--warmup 2] [--no-huge] [--skip-build]
# Needs root (DPDK EAL), dpdk (dpdk-testpmd) and JDK 25. With hugepages reserved (>= 64 free 2 MiB
# pages) both sides use them (--in-memory); --no-huge makes both run on anonymous memory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=5; seconds=10; warmup=2; nohuge=0; build=1
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --no-huge) nohuge=1; shift ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-packet-io: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
(( $(nproc) >= 2 )) || { echo "bench-packet-io: needs 2 CPUs (main lcore on 0, forwarding on 1)" >&2; exit 1; }
(( EUID == 0 )) || { echo "bench-packet-io: DPDK's EAL needs root" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "bench-packet-io: dpdk-testpmd not found (apt-get install dpdk)" >&2; exit 1; }
source "${root}/deploy/lib/jdk.sh"
java_home="$(wirekv_find_jdk25)"
jar="${root}/benchmarks/target/benchmarks.jar"
if (( build )) || [[ ! -f "${jar}" ]]; then (cd "${root}" && ./mvnw -q -B -o -pl benchmarks -am -DskipTests package); fi

free_huge="$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)"
if (( nohuge )) || (( ${free_huge:-0} < 64 )); then
  mem_args=(--no-huge -m 256 --no-shconf); java_mem=(--no-huge); memory="anonymous memory (--no-huge)"
else
  mem_args=(--in-memory); java_mem=(); memory="hugepages (--in-memory)"
fi

work="$(mktemp -d)"
child=""
cleanup() {
  if [[ -n "${child}" ]]; then kill -INT "${child}" 2>/dev/null || true; wait "${child}" 2>/dev/null || true; fi
  rm -rf "${work}"
}
trap cleanup EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

run_testpmd() { # prints the median Rx-pps over the seconds after the warm-up
  local prefix="bench-testpmd-$$-$1" log="${work}/testpmd-$1.log"
  # SIGINT after the time is up: testpmd stops forwarding, prints its totals, closes the port and exits.
  timeout -s INT -k 10 "$(( seconds + warmup + 1 ))" dpdk-testpmd -l 0,1 --no-pci --no-telemetry \
    --file-prefix="${prefix}" "${mem_args[@]}" --vdev=net_null0 -- \
    --forward-mode=macswap --auto-start --stats-period=1 --nb-cores=1 --total-num-mbufs=16384 \
    > "${log}" 2>&1 < /dev/null || true
  rmdir "/var/run/dpdk/${prefix}" 2>/dev/null || true
  # The first "Rx-pps" line is the zero before forwarding started; then one line per second.
  tr -d '\r' < "${log}" | awk '/Rx-pps:/ { print $2 }' | tail -n +"$(( warmup + 2 ))" | head -n "${seconds}" | median
}

run_java() {
  local log="${work}/java-$1.log"
  timeout -k 10 "$(( seconds + warmup + 30 ))" "${java_home}/bin/java" "${WIREKV_JVM_FLAGS[@]}" -Xmx512m \
    -cp "${jar}" io.wirekv.benchmarks.packetio.MacSwapEcho --seconds "${seconds}" --warmup "${warmup}" \
    --cpu 1 "${java_mem[@]}" > "${log}" 2>&1 < /dev/null || { echo "bench-packet-io: java run failed:" >&2; tail -5 "${log}" >&2; }
  awk '/^median_pps/ { print $2 }' "${log}"
}

t_all=(); j_all=(); r_all=()
echo "net_null0, one forwarding core on CPU 1, ${memory}, ${runs} runs of ${seconds}s (+${warmup}s warm-up), $(date -u +%FT%TZ)"
for run in $(seq 1 "${runs}"); do
  t="$(run_testpmd "${run}")"; t="${t:-0}"
  printf 'run %d  testpmd macswap  %12s pps\n' "${run}" "${t}"
  j="$(run_java "${run}")"; j="${j:-0}"
  printf 'run %d  java MacSwapEcho %12s pps\n' "${run}" "${j}"
  t_all+=("${t}"); j_all+=("${j}")
  r_all+=("$(awk -v a="${j}" -v b="${t}" 'BEGIN { printf "%.4f", (b > 0) ? a / b : 0 }')")
done

tm="$(printf '%s\n' "${t_all[@]}" | median)"
jm="$(printf '%s\n' "${j_all[@]}" | median)"
rm_="$(printf '%s\n' "${r_all[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
echo
printf '%-24s %14s\n' "" "median pps"
printf '%-24s %14s\n' "dpdk-testpmd macswap" "${tm}"
printf '%-24s %14s\n' "java MacSwapEcho" "${jm}"
printf '%-24s %14s\n' "ratio of medians" "$(awk -v a="${jm}" -v b="${tm}" 'BEGIN { printf "%.1f%%", (b > 0) ? 100 * a / b : 0 }')"
printf '%-24s %14s   (per-pair ratios: %s)\n' "median per-pair ratio" "$(awk -v r="${rm_}" 'BEGIN { printf "%.1f%%", 100 * r }')" "${r_all[*]}"
