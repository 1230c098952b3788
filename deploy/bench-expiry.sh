#!/usr/bin/env bash
# Expired memory side by side: memcached (-m MiB, -t 1) and wirekv (--memory MiB, one lcore, writers colocated)
# under the same steady SET load over one TCP connection: new keys only, each with a TTL drawn uniformly from
# 1-60 s, for a bounded time. Every few seconds the client (deploy/lib/expiry-load.py, the same for both) asks
# `stats` and computes the memory held by items that have expired but are still stored: curr_items minus the
# keys it set whose absolute exptime is after the server's own `time`, times the server's bytes per item
# (`bytes` / curr_items), as % of the budget. Prints each sample, then the maximum and median per server
# (medians of the runs with --runs > 1). wirekv's own gauge (ttl_due_bytes) and memcached's crawler counters
# are printed beside each sample.
#   deploy/bench-expiry.sh [--runs 1] [--seconds 90] [--rate 5000] [--memory 64] [--key-size 16]
#                          [--value-size 100] [--ttl 1-60] [--sample 3] [--skip-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=1; seconds=90; rate=5000; memory=64; key_size=16; value_size=100; ttl=1-60; sample=3; build=1
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --key-size) key_size="$2"; shift 2 ;;
    --value-size) value_size="$2"; shift 2 ;;
    --ttl) ttl="$2"; shift 2 ;;
    --sample) sample="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
(( seconds > 0 && seconds <= 3600 )) || { echo "bench: --seconds must be 1..3600" >&2; exit 2; }
ttl_min="${ttl%-*}"; ttl_max="${ttl#*-}"
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi

source "${root}/deploy/lib/bench.sh"
scratch_with_server_cleanup

start_server() { # kind port
  start_budget_server "$1" "$2" "${memory}" "bench-exp-$$" "${work}/server.log" 15
}

budget=$(( memory * 1024 * 1024 ))
declare -A max_pct med_pct evicted
for run in $(seq 1 "${runs}"); do
  for server in memcached wirekv; do
    port="$(free_port)"
    start_server "${server}" "${port}"
    echo "run ${run}: ${server}"
    python3 "${root}/deploy/lib/expiry-load.py" "${port}" "${seconds}" "${rate}" "${key_size}" "${value_size}" \
      "${ttl_min}" "${ttl_max}" "${sample}" "${budget}" | tee "${work}/load.out"
    read -r _ mx md ev _ <<< "$(grep '^summary' "${work}/load.out")"
    max_pct["${server}"]+="${mx} "; med_pct["${server}"]+="${md} "; evicted["${server}"]+="${ev} "
    stop_budget_server
  done
done

echo
echo "${memory} MiB budget, ${rate} sets/s of new ${key_size}-byte keys with ${value_size}-byte values, TTL ${ttl} s,"
echo "${seconds} s, one TCP connection, ${runs} run(s); memory held by expired items, % of the budget (medians of runs):"
printf '%-10s %9s %9s %10s\n' server max median evictions
for server in memcached wirekv; do
  printf '%-10s %8.2f%% %8.2f%% %10s\n' "${server}" \
    "$(tr ' ' '\n' <<< "${max_pct[${server}]}" | grep . | median)" \
    "$(tr ' ' '\n' <<< "${med_pct[${server}]}" | grep . | median)" \
    "$(tr ' ' '\n' <<< "${evicted[${server}]}" | grep . | median)"
done
