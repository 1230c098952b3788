#!/usr/bin/env bash
# Memory that follows the item sizes, side by side: memcached (-m MiB -t 1, its default slab automove) and wirekv
# (--memory MiB, one lcore, colocated) are filled with --small keys of 32-byte values, then --large other keys of
# 1 KiB values are written twice over (deploy/lib/size-shift.py, one TCP connection); per server the large keys held
# at the end (of --large) and curr_items, medians of the runs. A cache whose classes keep the memory they took while
# filling (slab calcification) holds few of the large keys; `--baseline-jar` adds another build's wirekv.jar.
#   deploy/bench-size-shift.sh [--runs 3] [--memory 64] [--small 2000000] [--large 40000] [--baseline-jar PATH] [--skip-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; memory=64; small=2000000; large=40000; baseline=""; build=1
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --small) small="$2"; shift 2 ;;
    --large) large="$2"; shift 2 ;;
    --baseline-jar) baseline="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-size-shift: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ -z "${baseline}" || -f "${baseline}" ]] || { echo "bench-size-shift: --baseline-jar ${baseline}: no such file" >&2; exit 2; }
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi

source "${root}/deploy/lib/bench.sh"
scratch_with_server_cleanup

servers=(memcached wirekv)
[[ -n "${baseline}" ]] && servers+=(baseline)
declare -A held items
for run in $(seq 1 "${runs}"); do
  for server in "${servers[@]}"; do
    port="$(free_port)"
    if [[ "${server}" == baseline ]]; then
      WIREKV_JAR="${baseline}" start_budget_server wirekv "${port}" "${memory}" "bench-shift-$$" "${work}/server.log" 15
    else
      start_budget_server "${server}" "${port}" "${memory}" "bench-shift-$$" "${work}/server.log" 15
    fi
    read -r h n <<< "$(timeout 600 python3 "${root}/deploy/lib/size-shift.py" "${port}" "${small}" "${large}")"
    held["${server}"]+="${h} "; items["${server}"]+="${n} "
    printf 'run %d  %-9s %7d of %d large keys held  %9d items\n' "${run}" "${server}" "${h}" "${large}" "${n}"
    stop_budget_server
  done
done

echo
echo "${memory} MiB, ${small} keys of 32 B then ${large} keys of 1 KiB twice over; ${runs} runs, medians:"
for server in "${servers[@]}"; do
  h="$(tr ' ' '\n' <<< "${held[${server}]}" | grep . | median)"
  n="$(tr ' ' '\n' <<< "${items[${server}]}" | grep . | median)"
  printf '%-9s %7s of %d large keys held (%5.1f%%)  %9s items\n' "${server}" "${h}" "${large}" "$(awk -v h="${h}" -v l="${large}" 'BEGIN { print 100 * h / l }')" "${n}"
done
