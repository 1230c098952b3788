#!/usr/bin/env bash
# Generator ceiling: the requests per second one `wirekv bench` generator core can build and hand to a
# DPDK device, measured on net_null (a PMD that drops every frame, and with no-rx=1 receives none), so
# nothing but the generator is measured. Each run is one JVM:
#   deploy/wirekv bench --backend dpdk --dpdk-device net_null0 \
#     --eal-args '-l CPU --vdev=net_null0,no-rx=1 --no-huge -m 256 --no-pci --no-shconf ...' \
#     --bypass-address 192.0.2.1 --target 192.0.2.2:11211 --no-replies --cpus CPU --duration WARMUP+SECONDS
# (closed loop with --no-replies: as fast as the thread can send; 192.0.2.0/24 is TEST-NET-1 and the
# frames never leave the process). A run's figure is the mean of its per-second "sent" progress lines
# after the first WARMUP seconds (JIT); the script prints every run and the median.
#   deploy/bench-generator-ceiling.sh [--runs 5] [--seconds 5] [--warmup 3] [--cpu 0] [--get-ratio 0.9]
#                                     [--value-size 32] [--skip-build]
# Needs root (DPDK's EAL), dpdk, JDK 25. Every run is bounded by `timeout`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=5; seconds=5; warmup=3; cpu=0; get_ratio=0.9; value_size=32; build=1
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --cpu) cpu="$2"; shift 2 ;;
    --get-ratio) get_ratio="$2"; shift 2 ;;
    --value-size) value_size="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-generator-ceiling: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
(( EUID == 0 )) || { echo "bench-generator-ceiling: DPDK's EAL needs root" >&2; exit 1; }
(( runs >= 1 && seconds >= 1 && warmup >= 0 )) || { echo "bench-generator-ceiling: --runs and --seconds >= 1" >&2; exit 2; }
if (( build )) || [[ ! -f "${root}/controlplane/target/wirekv.jar" ]]; then
  (cd "${root}" && ./mvnw -q -B -o -pl controlplane -am -DskipTests package)
fi

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

echo "generator ceiling: 1 thread on CPU ${cpu}, dpdk net_null (no-rx), ${runs} run(s) of ${seconds} s after ${warmup} s warm-up, get ratio ${get_ratio}, values ${value_size} B"
for run in $(seq 1 "${runs}"); do
  log="${work}/run-${run}.log"
  timeout -k 10 "$(( warmup + seconds + 60 ))" "${root}/deploy/wirekv" bench --backend dpdk --dpdk-device net_null0 \
    --eal-args "-l ${cpu} --vdev=net_null0,no-rx=1 --no-huge -m 256 --no-pci --no-shconf --file-prefix=wirekv-ceiling-$$-${run} --no-telemetry --log-level=notice" \
    --bypass-address 192.0.2.1 --target 192.0.2.2:11211 --no-replies --cpus "${cpu}" \
    --get-ratio "${get_ratio}" --value-size "${value_size}" --duration "$(( warmup + seconds ))s" > "${log}" 2>&1 < /dev/null \
    || { echo "bench-generator-ceiling: run ${run} failed:" >&2; tail -5 "${log}" >&2; exit 1; }
  rate="$(awk -v w="${warmup}" '/^\[ *[0-9]+s\] sent/ { s = $2; gsub(/[^0-9]/, "", s); if (s + 0 > w) { v = $4; gsub(/,/, "", v); sum += v; n++ } }
    END { if (n == 0) print 0; else printf "%.0f\n", sum / n }' "${log}")"
  echo "${rate}" >> "${work}/rates"
  whole="$(sed -n 's/^generator ceiling.*, sent \([0-9,]*\) req\/s.*/\1/p' "${log}" | head -1)"
  unsent="$(sed -n 's/^generator ceiling.*, \([0-9,]*\) unsent$/\1/p' "${log}" | head -1)"
  echo "  run ${run}: ${rate} requests/s sent after warm-up (whole run with warm-up: ${whole:-?} req/s, unsent ${unsent:-?})"
done
printf 'median: %s requests/s from one generator core (dpdk net_null, --no-replies)\n' "$(median < "${work}/rates")"
