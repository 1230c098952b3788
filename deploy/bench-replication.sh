#!/usr/bin/env bash
# What replication costs: SET throughput and p99 of a `wirekv serve` primary (persistence async, 1 s) without
# replication, with an async backup and with a sync backup (replication.mode = sync), the backup a second
# `wirekv serve` on loopback (persistence async), side by side and alternately in one run. `wirekv bench` over TCP,
# 100,000 keys of 16 B, 32 B values, --concurrency requests in flight over --connections connections; both servers
# on CPU 0, the load on CPU 1; data on the work tree's disk. Prints every run, medians and the ratios async/none and
# sync/none, and the backup's lag at the end of each replicated run (records, from `wirekv replication`).
# Loopback, not two network namespaces: the namespace variant is the partition tests' kit (a later work item).
#   deploy/bench-replication.sh [--runs 3] [--seconds 10] [--concurrency 16] [--connections 4] [--skip-build] [--help]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; seconds=10; concurrency=16; connections=4; build=1; backup_cpu=0
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --backup-cpu) backup_cpu="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-replication: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for n in "${runs}" "${seconds}" "${concurrency}" "${connections}"; do
  [[ "${n}" =~ ^[1-9][0-9]*$ ]] || { echo "bench-replication: --runs, --seconds, --concurrency and --connections take positive integers" >&2; exit 2; }
done
(( concurrency % connections == 0 )) || { echo "bench-replication: --concurrency must be a multiple of --connections" >&2; exit 2; }
per_connection=$(( concurrency / connections ))
(( $(nproc) >= 2 )) || { echo "bench-replication: needs 2 CPUs (servers on 0, load on 1)" >&2; exit 1; }
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi

mkdir -p "${root}/controlplane/target"
work="$(mktemp -d -p "${root}/controlplane/target" bench-replication.XXXXXX)"
pids=()
stop_servers() { for p in "${pids[@]}"; do kill "${p}" 2>/dev/null || true; wait "${p}" 2>/dev/null || true; done; pids=(); }
cleanup() { stop_servers; rm -rf "${work}"; }
trap cleanup EXIT
source "${root}/deploy/lib/bench.sh"

wait_port() { # port pid
  for _ in $(seq 1 300); do
    kill -0 "$2" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

serve() { # name port data-dir extra-args...; appends the pid to pids
  local name="$1" port="$2" data="$3" cpu=0; shift 3
  [[ "${name}" == backup ]] && cpu="${backup_cpu}"
  rm -rf "${data}"; mkdir -p "${data}"
  taskset -c "${cpu}" "${root}/deploy/wirekv" serve --instance "bench-repl-${name}-$$" --listen 127.0.0.1 --port "${port}" \
    --lcores 1 --cpus "${cpu}" --tcp-threads 1 --writers 1 --idle backoff --memory 512m --no-hugepages \
    --persistence async --data-dir "${data}" --set persistence.async.interval=1s "$@" > "${work}/${name}.log" 2>&1 &
  pids+=($!)
  wait_port "${port}" "$!" || { echo "bench-replication: ${name} did not start:" >&2; tail -5 "${work}/${name}.log" >&2; return 1; }
}

start_column() { # column; sets primary_port
  primary_port="$(free_port)"
  case "$1" in
    none) serve primary "${primary_port}" "${work}/p" || return 1 ;;
    async|sync)
      local backup_port listen
      backup_port="$(free_port)"; listen="$(free_port)"
      serve backup "${backup_port}" "${work}/b" --replication-role backup --replication-listen "127.0.0.1:${listen}" ||
        return 1
      serve primary "${primary_port}" "${work}/p" --replication-role primary --replication-mode "$1" \
        --replication-peer "127.0.0.1:${listen}" || return 1
      # sync refuses writes until the backup is connected
      for _ in $(seq 1 100); do
        "${root}/deploy/wirekv" replication --instance "bench-repl-primary-$$" 2>/dev/null | grep -q ', connected$' && break
        sleep 0.1
      done ;;
  esac
}

bench() { # port ; prints "req/s p99us"
  taskset -c 1 "${root}/deploy/wirekv" bench --target "127.0.0.1:$1" --transport tcp --threads "${connections}" \
    --idle park --outstanding "${per_connection}" --get-ratio 0 --keys 100000 --key-size 16 --value-size 32 --no-warm-up \
    --warmup 1s --duration "${seconds}s" --json "${work}/load.json" > "${work}/load.log" 2>&1 || true
  python3 - "${work}/load.json" <<'PY'
import json, sys
try:
    t = json.load(open(sys.argv[1]))["trials"][0]
    print(f'{t["achieved_per_s"]:.0f} {t["latency_us"]["p99"]:.0f}')
except Exception:
    print("0 0")
PY
}

columns=(none async sync)
declare -A rps p99
echo "bench-replication: ${runs} runs x ${seconds} s, ${concurrency} in flight over ${connections} connections, TCP SETs; servers on CPU 0, load on CPU 1"
for run in $(seq 1 "${runs}"); do
  for column in "${columns[@]}"; do
    start_column "${column}" || { stop_servers; continue; }
    read -r r p <<< "$(bench "${primary_port}")"
    lag=""
    if [[ "${column}" != none ]]; then
      lag="$("${root}/deploy/wirekv" replication --instance "bench-repl-primary-$$" 2>/dev/null | awk '/^lag/ { print $2 " records, " $4 " ms" }')"
    fi
    stop_servers
    rps["${column}"]+="${r} "; p99["${column}"]+="${p} "
    printf 'run %d  %-6s %9s req/s  p99 %6s us%s\n' "${run}" "${column}" "${r}" "${p}" "${lag:+  backup lag at the end: ${lag}}"
  done
done
echo "medians:"
declare -A med
for column in "${columns[@]}"; do
  med["${column}"]="$(tr ' ' '\n' <<< "${rps[${column}]}" | grep . | median)"
  printf '  %-6s %9.0f req/s  p99 %6.0f us\n' "${column}" "${med[${column}]}" "$(tr ' ' '\n' <<< "${p99[${column}]}" | grep . | median)"
done
awk -v n="${med[none]}" -v a="${med[async]}" -v s="${med[sync]}" \
  'BEGIN { if (n > 0) printf "ratios: async/none %.2f (goal >= 0.90), sync/none %.2f (goal >= 0.50)\n", a / n, s / n }'
