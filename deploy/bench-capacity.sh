#!/usr/bin/env bash
# Capacity side by side: how many items memcached (-m MiB, -t 1) and wirekv (--memory MiB, one lcore,
# writers colocated) keep when filled over TCP with many more distinct keys than fit, one connection,
# pipelined `set ... noreply`. Per value size: curr_items from `stats`, bytes per item (budget / items),
# overhead per item (bytes per item - key - value) and the ratio wirekv / memcached, medians of the runs.
#   deploy/bench-capacity.sh [--runs 3] [--memory 64] [--key-size 16] [--value-sizes 32,100,1024] [--skip-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; memory=64; key_size=16; value_sizes=32,100,1024; build=1
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --key-size) key_size="$2"; shift 2 ;;
    --value-sizes) value_sizes="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi

source "${root}/deploy/lib/bench.sh"
scratch_with_server_cleanup


start_server() { # kind port
  start_budget_server "$1" "$2" "${memory}" "bench-cap-$$" "${work}/server.log" 15
}

budget=$(( memory * 1024 * 1024 ))
declare -A items
IFS=, read -r -a sizes <<< "${value_sizes}"
for run in $(seq 1 "${runs}"); do
  for size in "${sizes[@]}"; do
    # three times what the budget could hold with no overhead at all: every server is full
    keys=$(( 3 * budget / (key_size + size) ))
    for server in memcached wirekv; do
      port="$(free_port)"
      start_server "${server}" "${port}"
      read -r count _ _ <<< "$(python3 "${root}/deploy/lib/capacity-fill.py" "${port}" "${keys}" "${key_size}" "${size}")"
      items["${server},${size}"]+="${count} "
      printf 'run %d  value %5d B  %-9s %9d items (%d keys sent)\n' "${run}" "${size}" "${server}" "${count}" "${keys}"
      stop_budget_server
    done
  done
done

echo
echo "${memory} MiB budget, ${key_size}-byte keys, one TCP connection, ${runs} runs, medians:"
printf '%-7s %12s %9s %9s %12s %9s %9s %7s\n' value memcached B/item overhead wirekv B/item overhead ratio
for size in "${sizes[@]}"; do
  m="$(tr ' ' '\n' <<< "${items[memcached,${size}]}" | grep . | median)"
  w="$(tr ' ' '\n' <<< "${items[wirekv,${size}]}" | grep . | median)"
  awk -v s="${size}" -v k="${key_size}" -v b="${budget}" -v m="${m}" -v w="${w}" 'BEGIN {
    printf "%-7d %12d %9.1f %9.1f %12d %9.1f %9.1f %6.2fx\n", s, m, b / m, b / m - k - s, w, b / w, b / w - k - s, w / m }'
done
