#!/usr/bin/env bash
# Side-by-side UDP benchmark on loopback: wirekv (kernel backend, one lcore) against memcached
# (-t 1), each server pinned to CPU 0 and the load to CPU 1, the same workload for both:
# 90% GET / 10% SET, 16-byte keys, 32-byte values. Two load generators: memcaslap -U
# (libmemcached-tools) and wirekv's built-in load. Prints every run, the medians and ratios.
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

work="$(mktemp -d)"
server_pid=""
cleanup() { [[ -n "${server_pid}" ]] && kill "${server_pid}" 2>/dev/null && wait "${server_pid}" 2>/dev/null; rm -rf "${work}"; }
trap cleanup EXIT

cat > "${work}/caslap.cnf" <<'CNF'
key
16 16 1
value
32 32 1
cmd
0 0.1
1 0.9
CNF

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: server on port $1 did not come up" >&2; return 1
}

start_server() { # kind port
  if [[ "$1" == wirekv ]]; then
    taskset -c 0 "${root}/deploy/wirekv" serve --instance "bench-vs-$$" --listen 127.0.0.1 --port "$2" --lcores 1 --cpus 0 \
      --tcp-threads 1 --writers 1 --colocate --idle backoff --memory 256m > "${work}/server.log" 2>&1 &
  else
    taskset -c 0 memcached -u root -l 127.0.0.1 -p "$2" -U "$2" -t 1 -m 256 > "${work}/server.log" 2>&1 &
  fi
  server_pid=$!
  wait_port "$2"
}

stop_server() { kill "${server_pid}"; wait "${server_pid}" 2>/dev/null || true; server_pid=""; }

caslap_tps() { # port
  taskset -c 1 memcaslap -s "127.0.0.1:$1" -U -t "${seconds}s" -c "${concurrency}" -T 1 -F "${work}/caslap.cnf" \
    | awk '/^Run time/ { for (i = 1; i <= NF; i++) if ($i == "TPS:") print $(i+1) }'
}

builtin_tps() { # port
  taskset -c 1 "${root}/deploy/wirekv" demo --target "127.0.0.1:$1" --duration "${seconds}s" --tcp-threads 0 \
    --udp-threads 1 --in-flight "${concurrency}" --get-ratio 0.9 --key-size 16 --value-size 32 \
    --json "${work}/load.json" > "${work}/load.log" 2>&1
  python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["udp"]["requests_per_s"]))' "${work}/load.json"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

declare -A results
for run in $(seq 1 "${runs}"); do
  for server in memcached wirekv; do
    port="$(free_port)"
    start_server "${server}" "${port}"
    for load in memcaslap builtin; do
      if [[ "${load}" == memcaslap ]]; then tps="$(caslap_tps "${port}")"; else tps="$(builtin_tps "${port}")"; fi
      results["${server}-${load}"]+="${tps:-0} "
      printf 'run %d  %-9s  %-9s  %10s req/s\n' "${run}" "${server}" "${load}" "${tps:-0}"
    done
    stop_server
  done
done

echo
echo "UDP on loopback, server on CPU 0, load on CPU 1, ${runs} runs of ${seconds}s, median req/s:"
printf '%-10s %12s %12s %8s\n' load memcached wirekv ratio
for load in memcaslap builtin; do
  m="$(tr ' ' '\n' <<< "${results[memcached-${load}]}" | grep . | median)"
  w="$(tr ' ' '\n' <<< "${results[wirekv-${load}]}" | grep . | median)"
  printf '%-10s %12s %12s %8s\n' "${load}" "${m}" "${w}" "$(awk -v a="${w}" -v b="${m}" 'BEGIN { printf (b > 0) ? "%.2fx" : "n/a", a / b }')"
done
