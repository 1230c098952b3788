#!/usr/bin/env bash
# Requests/s of one wirekv server core: `wirekv serve --backend dpdk` over net_memif (1 lcore on CPU 1,
# --colocate so the writer and TCP run in that thread, --idle busy-spin), driven by `wirekv bench
# --backend dpdk` (memif client, 1 thread on CPU 0). All load comes from `wirekv bench`, so every figure
# is measured by the same tool. Runs alternate (A, B, A, B, ...) with the same generator and CPUs:
#   default:           memcached -t 1 (kernel UDP on loopback, CPU 1; bench --backend kernel on CPU 0)
#                      against wirekv dpdk; prints the ratio wirekv/memcached.
#   --compare-jar OLD: wirekv from OLD.jar against wirekv from the current build, both started through
#                      deploy/wirekv (WIREKV_JAR), so both get the launcher's JVM flags; the generator is
#                      always the current build's bench. Prints the ratio new/old.
# Workload: --mix get100 (GETs only), get90 (90% GET / 10% SET) or set100 (SETs only); --keys 10000 of
# 16 B, values of 32 B, closed loop with --outstanding 64 in flight. Every key is stored first, then the
# same load runs --warmup seconds unmeasured (JIT), then --seconds measured. The bench samples the
# server's CPU time (--server-pid): each run prints req/s, server cores used and req/s per server CPU-s.
# Prints every run, the medians and the ratio of medians (and the per-pair ratios).
#   deploy/bench-get-dpdk.sh [--mix get100|get90|set100] [--runs 5] [--seconds 10] [--warmup 8]
#                            [--outstanding 64] [--keys 10000] [--compare-jar OLD.jar] [--server-jar NEW.jar]
#                            [--ceiling] [--idle-share] [--skip-build]
# --server-jar NEW.jar: serve the "new" side from NEW.jar instead of the current build (the generator is still
#   the current build's), e.g. to compare two older builds with one generator.
# --ceiling: also the generator alone, wirekv bench --no-replies on net_null (CPU 0), requests/s sent.
# --idle-share: whether the server or the generator sets the pace. A busy-spinning server always shows a whole
#   core, so each wirekv run also prints the share of the server's time spent in empty polls under the load:
#   its empty polls per second during the measured window (`wirekv stat`, started on CPU 0 as the window opens)
#   over the same rate with no load (1 s before it). Near 0%: the server is the limit; well above: it waits for
#   requests, and the figure is the generator's or the link's.
# Needs root (DPDK's EAL), DPDK 22.11 (net_memif, net_null), memcached (default mode), JDK 25. Every
# process is bounded by `timeout` and stopped by PID; memif sockets and DPDK runtime dirs are removed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=5; seconds=10; warmup=8; outstanding=64; keys=10000; mix=get100; old_jar=""; server_jar=""; ceiling=0; build=1
idle_share=0
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup|--server-warmup) warmup="$2"; shift 2 ;;
    --outstanding|--window) outstanding="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --mix) mix="$2"; shift 2 ;;
    --compare-jar) old_jar="$2"; shift 2 ;;
    --server-jar) server_jar="$2"; shift 2 ;;
    --ceiling) ceiling=1; shift ;;
    --idle-share) idle_share=1; shift ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-get-dpdk: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "${mix}" in
  get100) get_ratio=1 ;;
  get90) get_ratio=0.9 ;;
  set100) get_ratio=0 ;;
  *) echo "bench-get-dpdk: --mix must be get100, get90 or set100, got '${mix}'" >&2; exit 2 ;;
esac
(( runs >= 1 && seconds >= 1 && warmup >= 0 )) || { echo "bench-get-dpdk: --runs and --seconds >= 1, --warmup >= 0" >&2; exit 2; }
(( $(nproc) >= 2 )) || { echo "bench-get-dpdk: needs 2 CPUs (server on 1, load on 0)" >&2; exit 1; }
(( EUID == 0 )) || { echo "bench-get-dpdk: DPDK's EAL needs root" >&2; exit 1; }
tools=(python3); [[ -z "${old_jar}" ]] && tools+=(memcached)
for tool in "${tools[@]}"; do
  command -v "${tool}" >/dev/null || { echo "bench-get-dpdk: ${tool} not found" >&2; exit 1; }
done
new_jar="${root}/controlplane/target/wirekv.jar"
if [[ -n "${old_jar}" ]]; then
  old_jar="$(readlink -f "${old_jar}")"
  [[ -f "${old_jar}" ]] || { echo "bench-get-dpdk: --compare-jar ${old_jar}: no such file" >&2; exit 2; }
  [[ "${old_jar}" != "$(readlink -f "${new_jar}" 2>/dev/null)" ]] || {
    echo "bench-get-dpdk: --compare-jar is the current build's jar; copy the old build's wirekv.jar elsewhere first" >&2; exit 2; }
fi
if (( build )) || [[ ! -f "${new_jar}" ]]; then
  (cd "${root}" && ./mvnw -q -B -o -pl controlplane -am -DskipTests package)
fi

work="$(mktemp -d)"
source "${root}/deploy/lib/bench.sh"
pids=()
cleanup() {
  stop_started
  rm -rf "${work}"
}
trap cleanup EXIT

stop() { # pid
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# One `wirekv bench` (the current build) on CPU 0; prints "req/s cores req_per_cpu_s lost errors wrong" from its JSON.
bench() { # name server_pid bench-options...
  local name="$1" spid="$2"; shift 2
  local json="${work}/${name}.json" log="${work}/${name}-bench.log"
  WIREKV_JAR="${new_jar}" timeout -k 10 "$(( seconds + warmup + 120 ))" taskset -c 0 "${root}/deploy/wirekv" bench \
    --threads 1 --cpus 0 --outstanding "${outstanding}" --keys "${keys}" --key-size 16 --value-size 32 \
    --get-ratio "${get_ratio}" --duration "${seconds}s" --warmup "${warmup}s" --server-pid "${spid}" --json "${json}" \
    "$@" > "${log}" 2>&1 < /dev/null || { echo "bench-get-dpdk: ${name}: bench failed:" >&2; tail -5 "${log}" >&2; }
  python3 "${root}/deploy/lib/bench-trial.py" "${json}" --outcomes
}

# empty_poll_rate JAR INSTANCE SECONDS: the server's empty polls per second over SECONDS (all its ports), from the
# `wirekv stat` of the server's own build (its CnC layout).
empty_poll_rate() {
  local jar="$1"; shift
  WIREKV_JAR="${jar}" taskset -c 0 "${root}/deploy/wirekv" stat --instance "$1" --once --interval "$2s" --json \
    2>/dev/null | python3 -c 'import json, sys
rates = [c.get("rate", 0) for line in sys.stdin for c in json.loads(line)["counters"] if c["name"] == "empty_polls"]
print(int(sum(rates)) if rates else 0)' || echo 0
}

run_wirekv() { # label jar run ; wirekv serve --backend dpdk over memif, the bench as the memif client
  local label="$1" jar="$2" run="$3"
  local port sock prefix log="${work}/wirekv-${label}-${run}-server.log"
  port="$(free_port)"; sock="/run/wirekv-bench-$$-${label}-${run}.sock"; prefix="wirekv-bench-srv-$$-${label}-${run}"
  WIREKV_JAR="${jar}" timeout -s TERM -k 10 "$(( seconds + warmup + 240 ))" "${root}/deploy/wirekv" serve \
    --instance "bench-dpdk-$$-${label}-${run}" --backend dpdk \
    --eal-args "-l 0 --vdev=net_memif0,role=server,socket=${sock} --no-huge -m 512 --no-shconf --file-prefix=${prefix} --no-pci --no-telemetry" \
    --dpdk-device net_memif0 --bypass-address 10.77.0.1 --port "${port}" --lcores 1 --cpus 1 --colocate \
    --idle busy-spin --tcp-threads 1 > "${log}" 2>&1 < /dev/null &
  local pid=$!; pids+=("${pid}")
  local result="0 0 0 0 0 0" idle="-" instance="bench-dpdk-$$-${label}-${run}"
  if wait_log "${log}" "wirekv: serving" 90 "${pid}"; then
    local jpid; jpid="$(pgrep -P "${pid}" | head -1)"
    local idle_rate=0 sampler=""
    if (( idle_share )); then
      idle_rate="$(empty_poll_rate "${jar}" "${instance}" 1)"
      ( sleep "${warmup}"; empty_poll_rate "${jar}" "${instance}" "$(( seconds > 2 ? seconds - 1 : 1 ))" \
        > "${work}/${instance}.loaded" ) &
      sampler=$!
    fi
    result="$(bench "wirekv-${label}-${run}" "${jpid:-${pid}}" --backend dpdk --dpdk-device net_memif0 \
      --eal-args "-l 0 --vdev=net_memif0,role=client,socket=${sock} --no-huge -m 512 --no-pci --no-shconf --file-prefix=${prefix}-gen --no-telemetry" \
      --bypass-address 10.77.0.2 --target "10.77.0.1:${port}")"
    if [[ -n "${sampler}" ]]; then
      wait "${sampler}" || true
      idle="$(awk -v l="$(cat "${work}/${instance}.loaded" 2>/dev/null || echo 0)" -v i="${idle_rate}" \
        'BEGIN { printf "%.0f%%", (i > 0) ? 100 * l / i : 0 }')"
    fi
  fi
  stop "${pid}"
  rmdir "/var/run/dpdk/${prefix}" "/var/run/dpdk/${prefix}-gen" 2>/dev/null || true
  rm -f "${sock}"
  echo "${result} ${idle}"
}

run_memcached() { # run ; memcached -t 1 over kernel UDP on loopback
  local port log="${work}/memcached-$1-server.log"
  port="$(free_port)"
  taskset -c 1 memcached -u root -l 127.0.0.1 -p "${port}" -U "${port}" -t 1 -m 256 > "${log}" 2>&1 &
  local pid=$!; pids+=("${pid}")
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null && break; sleep 0.1; done
  echo "$(bench "memcached-$1" "${pid}" --backend kernel --target "127.0.0.1:${port}") -"
  stop "${pid}"
}

if [[ -n "${old_jar}" ]]; then
  a_label=old; b_label=new; a_name="wirekv old (${old_jar##*/})"; b_name="wirekv new (current build)"
  [[ -z "${server_jar}" ]] || b_name="wirekv new (${server_jar##*/})"
else
  a_label=memcached; b_label=wirekv; a_name="memcached -t 1, kernel UDP"; b_name="wirekv dpdk over memif"
fi
echo "bench-get-dpdk: --mix ${mix} (get ratio ${get_ratio}), server on CPU 1, wirekv bench on CPU 0, ${runs} run(s) of" \
  "${seconds}s after ${warmup}s of unmeasured load, ${outstanding} outstanding, ${keys} keys of 16 B, values 32 B, $(date -u +%FT%TZ)"
printf '%-6s %-32s %14s %7s %16s %8s %7s %6s %s\n' "" "server" "req/s" "cores" "req/server-CPU-s" "lost" "errors" "wrong" \
  "$( (( idle_share )) && echo "server idle" )"
a_all=(); b_all=(); a_cpu=(); b_cpu=(); ratios=()
for run in $(seq 1 "${runs}"); do
  if [[ -n "${old_jar}" ]]; then a="$(run_wirekv old "${old_jar}" "${run}")"; else a="$(run_memcached "${run}")"; fi
  read -r ar ac ap al ae aw ai <<< "${a}"
  printf 'run %-2d %-32s %14s %7s %16s %8s %7s %6s %s\n' "${run}" "${a_name}" "${ar}" "${ac}" "${ap}" "${al}" "${ae}" "${aw}" \
    "$( (( idle_share )) && echo "${ai}" )"
  b="$(run_wirekv "${b_label}" "${server_jar:-${new_jar}}" "${run}")"
  read -r br bc bp bl be bw bi <<< "${b}"
  printf 'run %-2d %-32s %14s %7s %16s %8s %7s %6s %s\n' "${run}" "${b_name}" "${br}" "${bc}" "${bp}" "${bl}" "${be}" "${bw}" \
    "$( (( idle_share )) && echo "${bi}" )"
  a_all+=("${ar}"); b_all+=("${br}"); a_cpu+=("${ap}"); b_cpu+=("${bp}")
  ratios+=("$(awk -v a="${br}" -v b="${ar}" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }')")
done

am="$(printf '%s\n' "${a_all[@]}" | median)"; bm="$(printf '%s\n' "${b_all[@]}" | median)"
apm="$(printf '%s\n' "${a_cpu[@]}" | median)"; bpm="$(printf '%s\n' "${b_cpu[@]}" | median)"
echo
printf '%-34s %14s %18s\n' "median of ${runs} run(s), --mix ${mix}" "req/s" "req/server-CPU-s"
printf '%-34s %14.0f %18.0f\n' "${a_name}" "${am}" "${apm}"
printf '%-34s %14.0f %18.0f\n' "${b_name}" "${bm}" "${bpm}"
printf '%-34s %14s %18s   (per-pair req/s ratios: %s)\n' "ratio ${b_label}/${a_label}" \
  "$(awk -v a="${bm}" -v b="${am}" 'BEGIN { printf "%.3fx", (b > 0) ? a / b : 0 }')" \
  "$(awk -v a="${bpm}" -v b="${apm}" 'BEGIN { printf "%.3fx", (b > 0) ? a / b : 0 }')" "${ratios[*]}"

if (( ceiling )); then
  prefix="wirekv-bench-null-$$"
  log="${work}/ceiling.log"
  WIREKV_JAR="${new_jar}" timeout -k 10 "$(( seconds + warmup + 60 ))" taskset -c 0 "${root}/deploy/wirekv" bench \
    --backend dpdk --dpdk-device net_null0 \
    --eal-args "-l 0 --vdev=net_null0,no-rx=1 --no-huge -m 256 --no-pci --no-shconf --file-prefix=${prefix} --no-telemetry" \
    --bypass-address 192.0.2.1 --target 192.0.2.2:11211 --no-replies --cpus 0 --get-ratio "${get_ratio}" \
    --value-size 32 --keys "${keys}" --duration "${seconds}s" --warmup "${warmup}s" --json "${work}/ceiling.json" \
    > "${log}" 2>&1 < /dev/null || { echo "bench-get-dpdk: ceiling run failed:" >&2; tail -5 "${log}" >&2; }
  rmdir "/var/run/dpdk/${prefix}" 2>/dev/null || true
  printf '%-34s %14s   (wirekv bench --no-replies on net_null, requests/s sent)\n' "generator ceiling, one core" \
    "$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["trials"][0]["offered_per_s"]))' "${work}/ceiling.json" 2>/dev/null || echo 0)"
fi
