#!/usr/bin/env bash
# What durability costs (issue 13): SET throughput and p99 of `wirekv serve` with persistence none, async (1 s)
# and sync, against redis-server (Debian's, AOF on: appendfsync always and everysec), data directories on the
# work tree's disk (controlplane/target/, never tmpfs). Each server pinned to CPU 0, the load to CPU 1, 100% SET,
# 100,000 keys of 16 B, 32 B values, --concurrency requests in flight over --connections connections (sockets),
# the same shape for both: `wirekv bench` (TCP and UDP, one generator thread per connection, --idle yield) for
# wirekv, `redis-benchmark -t set -c connections -P concurrency/connections` for redis, each after unmeasured
# load (wirekv: --warmup seconds; redis: a 1 s probe run). The shape matters under sync: the writes in flight, of every connection (a TCP session
# pipelines up to 64), share a sync. The columns alternate within each run; prints every run, the medians and the ratios
# (wirekv sync / redis always, goal >= 2; wirekv async / wirekv none, goal >= 0.9). Needs redis-server and
# redis-benchmark (apt-get install redis-server redis-tools). wirekv runs `--colocate` (writer and TCP in the
# lcore's thread: one thread for the one CPU, as redis) and its load starts with --warmup seconds of unmeasured
# load: C2 still took most of the CPU 3 s into a 1 s warm-up here, and a pinned server shares its CPU with its JIT.
# Until serve has --persistence, the async and sync columns say so and stay empty. --columns picks columns
# (comma-separated, e.g. wirekv-sync,redis-always); --baseline-jar adds a base-<mode> column beside each wirekv one, the same server from that jar (an A/B of a change
# in one run: build the old commit's controlplane/target/wirekv.jar, copy it aside, build the new one).
# --server-args adds arguments to every wirekv server (e.g. "--partitions 1"; word-split).
# --load-idle is what a generator thread does while it waits for replies (default yield: it looks again at once,
# as redis-benchmark's event loop wakes when a reply arrives; park sleeps 50 us a time, which in a round trip of
# 60-80 us measured the generator's sleeps more than the server: the builds before used park).
#   deploy/bench-durability.sh [--runs 3] [--seconds 10] [--warmup 8] [--concurrency 16] [--connections 4]
#                              [--columns LIST] [--baseline-jar PATH] [--server-args ARGS] [--load-idle yield]
#                              [--skip-build] [--help]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; seconds=10; warmup=8; concurrency=16; connections=4; build=1; only=""; baseline_jar=""; server_args=""; load_idle=yield
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --columns) only="$2"; shift 2 ;;
    --baseline-jar) baseline_jar="$2"; shift 2 ;;
    --server-args) server_args="$2"; shift 2 ;;
    --load-idle) load_idle="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-durability: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for n in "${runs}" "${seconds}" "${warmup}" "${concurrency}" "${connections}"; do
  [[ "${n}" =~ ^[1-9][0-9]*$ ]] || { echo "bench-durability: --runs, --seconds, --warmup, --concurrency and --connections take positive integers" >&2; exit 2; }
done
[[ "${load_idle}" =~ ^(spin|yield|park)$ ]] || { echo "bench-durability: --load-idle must be spin, yield or park, got '${load_idle}'" >&2; exit 2; }
(( concurrency % connections == 0 )) || { echo "bench-durability: --concurrency must be a multiple of --connections" >&2; exit 2; }
per_connection=$(( concurrency / connections ))
[[ -z "${baseline_jar}" || -f "${baseline_jar}" ]] || { echo "bench-durability: --baseline-jar ${baseline_jar}: no such file" >&2; exit 2; }
[[ -z "${baseline_jar}" ]] || baseline_jar="$(readlink -f "${baseline_jar}")"
(( $(nproc) >= 2 )) || { echo "bench-durability: needs 2 CPUs (server on 0, load on 1)" >&2; exit 1; }
for tool in redis-server redis-benchmark; do
  command -v "${tool}" >/dev/null || { echo "bench-durability: ${tool} not found: apt-get install redis-server redis-tools" >&2; exit 1; }
done
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi

mkdir -p "${root}/controlplane/target"
source "${root}/deploy/lib/bench.sh"
scratch_with_server_cleanup -p "${root}/controlplane/target" bench-durability.XXXXXX
fstype="$(df --output=fstype "${work}" | tail -1)"
[[ "${fstype}" != tmpfs ]] || { echo "bench-durability: ${work} is on tmpfs, where fsync proves nothing" >&2; exit 1; }
persistence=1
"${root}/deploy/wirekv" serve --help 2>&1 | grep -q -- '--persistence' || persistence=0

wait_port() { # port pid
  for _ in $(seq 1 300); do
    kill -0 "$2" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

start_server() { # column port; sets server_pid; fails (with the log's tail) when the server does not come up
  local column="$1" port="$2" data="${work}/data"
  rm -rf "${data}"; mkdir -p "${data}"
  case "${column}" in
    wirekv-*|base-*)
      local jar=""; if [[ "${column}" == base-* ]]; then jar="${baseline_jar}"; fi
      local args=(serve --instance "bench-durability-$$" --listen 127.0.0.1 --port "${port}" --lcores 1 --cpus 0
        --tcp-threads 1 --writers 1 --colocate --idle backoff --memory 512m --no-hugepages)
      # shellcheck disable=SC2206 # word-split on purpose: several arguments in one option
      args+=(${server_args})
      case "${column#*-}" in
        async) args+=(--persistence async --data-dir "${data}" --set persistence.async.interval=1s) ;;
        sync) args+=(--persistence sync --data-dir "${data}") ;;
      esac
      WIREKV_JAR="${jar}" taskset -c 0 "${root}/deploy/wirekv" "${args[@]}" > "${work}/server.log" 2>&1 & ;;
    redis-*)
      taskset -c 0 redis-server --port "${port}" --bind 127.0.0.1 --protected-mode no --save "" --appendonly yes \
        --appendfsync "${column#redis-}" --dir "${data}" --daemonize no > "${work}/server.log" 2>&1 & ;;
  esac
  server_pid=$!
  if ! wait_port "${port}" "${server_pid}"; then
    echo "bench-durability: ${column} did not start:" >&2; tail -5 "${work}/server.log" >&2
    stop_server; return 1
  fi
}

stop_server() { [[ -n "${server_pid}" ]] && { kill "${server_pid}" 2>/dev/null || true; wait "${server_pid}" 2>/dev/null || true; }; server_pid=""; }

bench_wirekv() { # transport port ; prints "req/s p99us"
  taskset -c 1 "${root}/deploy/wirekv" bench --target "127.0.0.1:$2" --transport "$1" --threads "${connections}" \
    --idle "${load_idle}" --outstanding "${per_connection}" --get-ratio 0 --keys 100000 --key-size 16 --value-size 32 --no-warm-up \
    --warmup "${warmup}s" --duration "${seconds}s" --json "${work}/load.json" > "${work}/load.log" 2>&1 || true
  python3 - "${work}/load.json" <<'EOF'
import json, sys
try:
    t = json.load(open(sys.argv[1]))["trials"][0]
    print(f'{t["achieved_per_s"]:.0f} {t["latency_us"]["p99"]:.0f}')
except Exception:
    print("0 0")
EOF
}

bench_redis() { # port ; prints "req/s p99us"; redis-benchmark counts requests, so a 1 s-ish unmeasured run sizes the measured one
  local probe n
  probe="$(taskset -c 1 redis-benchmark -p "$1" -t set -c "${connections}" -P "${per_connection}" -r 100000 -d 32 \
    -n $(( concurrency * 200 )) --csv 2>/dev/null |
    awk -F'"' '$2 == "SET" { printf "%d", $4 }')"
  n=$(( ${probe:-1000} * seconds )); (( n >= 1000 )) || n=1000
  taskset -c 1 redis-benchmark -p "$1" -t set -c "${connections}" -P "${per_connection}" -r 100000 -d 32 -n "${n}" --csv 2>/dev/null |
    awk -F'"' '$2 == "SET" { printf "%d %d\n", $4, $14 * 1000; found = 1 } END { if (!found) print "0 0" }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

columns=()
for column in wirekv-none wirekv-async wirekv-sync redis-always redis-everysec; do
  if [[ -n "${only}" && ",${only}," != *",${column},"* ]]; then continue; fi
  columns+=("${column}")
  if [[ -n "${baseline_jar}" && "${column}" == wirekv-* ]]; then columns+=("base-${column#wirekv-}"); fi
done
(( ${#columns[@]} )) || { echo "bench-durability: --columns ${only}: none of wirekv-none, wirekv-async, wirekv-sync, redis-always, redis-everysec" >&2; exit 2; }
declare -A results   # "column transport" -> "rps rps ..." and "column transport p99" -> "us us ..."
declare -A failed
for run in $(seq 1 "${runs}"); do
  for column in "${columns[@]}"; do
    if [[ "${column}" =~ ^wirekv-(async|sync)$ ]] && (( ! persistence )); then
      failed["${column}"]="n/a: this build's wirekv serve has no --persistence (the durability log is not merged)"
      continue
    fi
    port="$(free_port)"
    if ! start_server "${column}" "${port}"; then failed["${column}"]="did not start (see above)"; continue; fi
    if [[ "${column}" == redis-* ]]; then transports=(tcp); else transports=(tcp udp); fi
    for transport in "${transports[@]}"; do
      if [[ "${column}" != redis-* ]]; then read -r rps p99 <<< "$(bench_wirekv "${transport}" "${port}")"
      else read -r rps p99 <<< "$(bench_redis "${port}")"; fi
      if [[ "${rps}" == 0 ]]; then
        echo "bench-durability: ${column} ${transport}: no figures; the load's log:" >&2
        tail -5 "${work}/load.log" >&2 2>/dev/null || true
        continue
      fi
      results["${column} ${transport}"]+="${rps} "; results["${column} ${transport} p99"]+="${p99} "
      printf 'run %d  %-15s %-3s %10s req/s  p99 %7s us\n' "${run}" "${column}" "${transport}" "${rps}" "${p99}"
    done
    stop_server
  done
done

med() { tr ' ' '\n' <<< "${results[$1]:-}" | grep . | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0) printf "%.2fx", a / b; else printf "n/a" }'; }

echo
echo "SET 100%, ${concurrency} in flight over ${connections} connections, 16 B keys, 32 B values, server on CPU 0, load on CPU 1, data on ${fstype}," \
  "${runs} runs of ${seconds} s, medians:"
printf '%-16s %12s %10s %12s %10s\n' "" "TCP req/s" "TCP p99 us" "UDP req/s" "UDP p99 us"
for column in "${columns[@]}"; do
  if [[ -n "${failed[${column}]:-}" && -z "${results[${column} tcp]:-}" ]]; then
    printf '%-16s %s\n' "${column}" "${failed[${column}]}"; continue
  fi
  printf '%-16s %12s %10s %12s %10s\n' "${column}" "$(med "${column} tcp")" "$(med "${column} tcp p99")" \
    "$(med "${column} udp")" "$(med "${column} udp p99")"
done
if [[ -n "${baseline_jar}" ]]; then
  for mode in none async sync; do
    [[ -n "${results[wirekv-${mode} tcp]:-}" ]] || continue
    echo "wirekv-${mode} / base-${mode} (req/s): TCP $(ratio "$(med "wirekv-${mode} tcp")" "$(med "base-${mode} tcp")")," \
      "UDP $(ratio "$(med "wirekv-${mode} udp")" "$(med "base-${mode} udp")")"
  done
fi
echo "wirekv sync / redis always (TCP req/s): $(ratio "$(med 'wirekv-sync tcp')" "$(med 'redis-always tcp')") (goal >= 2x)"
echo "wirekv async / wirekv none (req/s): TCP $(ratio "$(med 'wirekv-async tcp')" "$(med 'wirekv-none tcp')")," \
  "UDP $(ratio "$(med 'wirekv-async udp')" "$(med 'wirekv-none udp')") (goal >= 0.90x)"
