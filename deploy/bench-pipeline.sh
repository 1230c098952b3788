#!/usr/bin/env bash
# Pipelined TCP SETs on loopback, side by side: wirekv (kernel backend, --colocate: one lcore thread that also
# serves TCP, one writer) against memcached -t 1, each server pinned to CPU 1 and the load to CPU 0, the same
# workload for both: SET only, 1,000,000 keys of 16 bytes, 32-byte values, --outstanding requests in flight on
# each connection, 1 connection and then 8 (one bench thread each). One load generator for both: `wirekv bench`
# (TCP, closed loop, a 5 s reply timeout so that a loaded machine does not count stalls as losses, --server-pid for
# the server's CPU). Runs alternate between the servers; prints every run
# (req/s, server cores, req per server CPU-second), the medians and the ratios.
# --compare-jar OLD.jar adds a third server to every run: wirekv from an older build (through deploy/wirekv with
# WIREKV_JAR, the same flags), to show what a change did.
# --idle busy-spin runs wirekv's thread as on a dedicated core (default backoff, as deploy/bench-vs-memcached.sh).
# --noreply sends the SETs without replies (`set ... noreply`, issue 18's bulk-load workload; `wirekv bench
# --noreply`): an `mn` sync point every outstanding/4 SETs counts them as answered, --outstanding (default 256
# then) still bounds the SETs in flight, and the SETs of a sync point whose reply does not come are counted lost.
#   deploy/bench-pipeline.sh [--runs 3] [--seconds 8] [--outstanding 64] [--connections "1 8"] [--compare-jar OLD.jar]
#                            [--idle backoff|busy-spin] [--noreply] [--skip-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; seconds=8; outstanding=""; connections="1 8"; build=1; old_jar=""; idle=backoff; noreply=
servers="memcached wirekv"
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --outstanding) outstanding="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --compare-jar) old_jar="$(readlink -f "$2")"; servers="memcached wirekv-old wirekv"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    --noreply) noreply="--noreply"; shift ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ -n "${outstanding}" ]] || outstanding=$([[ -n "${noreply}" ]] && echo 256 || echo 64)
(( $(nproc) >= 2 )) || { echo "bench: needs 2 CPUs (load on 0, server on 1)" >&2; exit 1; }
command -v memcached >/dev/null || { echo "bench: needs memcached (deploy/install-deps.sh installs it)" >&2; exit 1; }
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi

source "${root}/deploy/lib/bench.sh"
scratch_with_server_cleanup


start_server() { # kind port
  if [[ "$1" == wirekv* ]]; then
    local jar=""; [[ "$1" == wirekv-old ]] && jar="${old_jar}"
    WIREKV_JAR="${jar}" taskset -c 1 "${root}/deploy/wirekv" serve --instance "bench-pipe-$$" --listen 127.0.0.1 --port "$2" --lcores 1 \
      --cpus 1 --tcp-threads 1 --writers 1 --colocate --idle "${idle}" --memory 512m > "${work}/server.log" 2>&1 &
  else
    taskset -c 1 memcached -u root -l 127.0.0.1 -p "$2" -U 0 -t 1 -m 512 -c 1024 > "${work}/server.log" 2>&1 &
  fi
  server_pid=$!
  wait_port "$2" 60 # a JVM starting on a loaded machine
}

stop_server() { kill "${server_pid}"; wait "${server_pid}" 2>/dev/null || true; server_pid=""; }

bench() { # port server_pid connections ; prints "req/s cores req_per_cpu_s"
  local cpus; cpus="$(printf '0%.0s,' $(seq 1 "$3"))"
  taskset -c 0 "${root}/deploy/wirekv" bench --target "127.0.0.1:$1" --transport tcp --threads "$3" --cpus "${cpus%,}" \
    --outstanding "${outstanding}" --get-ratio 0 --keys 1000000 --key-size 16 --value-size 32 --no-warm-up --timeout 5s \
    --duration "${seconds}s" --warmup 2s --server-pid "$2" ${noreply} --json "${work}/load.json" > "${work}/load.log" 2>&1 || true
  python3 "${root}/deploy/lib/bench-trial.py" "${work}/load.json"
}

declare -A rates per_cpu
for run in $(seq 1 "${runs}"); do
  for conns in ${connections}; do
    for server in ${servers}; do
      port="$(free_port)"
      start_server "${server}" "${port}"
      # taskset and deploy/wirekv exec: the PID started is the server's own (memcached, or the JVM)
      read -r rps cores pcpu <<< "$(bench "${port}" "${server_pid}" "${conns}")"
      [[ "${rps}" == 0 ]] && { echo "bench: no figures; the bench said:" >&2; cat "${work}/load.log" >&2; }
      rates["${server}/${conns}"]+="${rps} "; per_cpu["${server}/${conns}"]+="${pcpu} "
      printf 'run %d  %d conn  %-9s %10s SET/s  %5s cores  %10s SET/server-CPU-s\n' \
        "${run}" "${conns}" "${server}" "${rps}" "${cores}" "${pcpu}"
      stop_server
    done
  done
done

echo
echo "pipelined TCP SETs${noreply:+ without replies} (--outstanding ${outstanding} per connection), server on CPU 1, wirekv bench on CPU 0,"
echo "${runs} runs of ${seconds}s, medians:"
printf '%-26s' ""; for server in ${servers}; do printf ' %12s' "${server}"; done; printf ' %8s\n' "wirekv/memcached"
for conns in ${connections}; do
  for what in rates per_cpu; do
    declare -n table="${what}"
    printf '%-26s' "${conns} conn $([[ ${what} == rates ]] && echo 'SET/s' || echo 'SET/server-CPU-s')"
    for server in ${servers}; do
      printf ' %12.0f' "$(tr ' ' '\n' <<< "${table[${server}/${conns}]}" | grep . | median)"
    done
    m="$(tr ' ' '\n' <<< "${table[memcached/${conns}]}" | grep . | median)"
    w="$(tr ' ' '\n' <<< "${table[wirekv/${conns}]}" | grep . | median)"
    printf ' %8s\n' "$(awk -v a="${w}" -v b="${m}" 'BEGIN { printf (b > 0) ? "%.2fx" : "-", a / b }')"
    unset -n table
  done
done
