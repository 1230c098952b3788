#!/usr/bin/env bash
# Side-by-side UDP benchmark on loopback: wirekv (kernel backend, one lcore) against memcached
# (-t 1), each server pinned to CPU 0 and the load to CPU 1, the same workload for both:
# 90% GET / 10% SET, 16-byte keys, 32-byte values, 10,000 keys stored first, then 2 s of unmeasured
# load. One load generator for both: `wirekv bench` (UDP, one thread, --concurrency requests in flight,
# --server-pid for the server's CPU). Prints every run (req/s, server cores, req/s per server CPU-second),
# the medians and the ratio.
#   deploy/bench-vs-memcached.sh [--runs 5] [--seconds 10] [--concurrency 16] [--skip-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=5; seconds=10; concurrency=16; build=1
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
(( $(nproc) >= 2 )) || { echo "bench: needs 2 CPUs (server on 0, load on 1)" >&2; exit 1; }
"${root}/deploy/install-deps.sh" --no-hugepages >/dev/null
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi

source "${root}/deploy/lib/bench.sh"
scratch_with_server_cleanup


start_server() { # kind port
  if [[ "$1" == wirekv ]]; then
    taskset -c 0 "${root}/deploy/wirekv" serve --instance "bench-vs-$$" --listen 127.0.0.1 --port "$2" --lcores 1 --cpus 0 \
      --tcp-threads 1 --writers 1 --colocate --idle backoff --memory 256m > "${work}/server.log" 2>&1 &
  else
    taskset -c 0 memcached -u root -l 127.0.0.1 -p "$2" -U "$2" -t 1 -m 256 > "${work}/server.log" 2>&1 &
  fi
  server_pid=$!
  wait_port "$2" 10
}

stop_server() { kill "${server_pid}"; wait "${server_pid}" 2>/dev/null || true; server_pid=""; }

bench() { # port server_pid ; prints "req/s cores req_per_cpu_s"
  taskset -c 1 "${root}/deploy/wirekv" bench --target "127.0.0.1:$1" --transport udp --threads 1 --cpus 1 \
    --outstanding "${concurrency}" --get-ratio 0.9 --keys 10000 --key-size 16 --value-size 32 --duration "${seconds}s" \
    --warmup 2s --server-pid "$2" --json "${work}/load.json" > "${work}/load.log" 2>&1 || true
  python3 "${root}/deploy/lib/bench-trial.py" "${work}/load.json"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

declare -A rates per_cpu
for run in $(seq 1 "${runs}"); do
  for server in memcached wirekv; do
    port="$(free_port)"
    start_server "${server}" "${port}"
    # taskset and deploy/wirekv exec: the PID started is the server's own (memcached, or the JVM)
    read -r rps cores pcpu <<< "$(bench "${port}" "${server_pid}")"
    rates["${server}"]+="${rps} "; per_cpu["${server}"]+="${pcpu} "
    printf 'run %d  %-9s %10s req/s  %5s cores  %10s req/server-CPU-s\n' "${run}" "${server}" "${rps}" "${cores}" "${pcpu}"
    stop_server
  done
done

echo
echo "UDP on loopback, server on CPU 0, wirekv bench on CPU 1, ${runs} runs of ${seconds}s, medians:"
printf '%-10s %12s %12s %8s\n' "" memcached wirekv ratio
for what in rates per_cpu; do
  declare -n table="${what}"
  m="$(tr ' ' '\n' <<< "${table[memcached]}" | grep . | median)"
  w="$(tr ' ' '\n' <<< "${table[wirekv]}" | grep . | median)"
  printf '%-10s %12s %12s %8s\n' "$([[ ${what} == rates ]] && echo 'req/s' || echo 'req/CPU-s')" "${m}" "${w}" \
    "$(awk -v a="${w}" -v b="${m}" 'BEGIN { printf (b > 0) ? "%.2fx" : "n/a", a / b }')"
  unset -n table
done
