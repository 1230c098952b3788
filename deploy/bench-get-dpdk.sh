#!/usr/bin/env bash
# GET service rate of one server core: wirekv's dpdk backend over net_memif against memcached -t 1
# over kernel UDP on loopback, alternately (memcached, wirekv, memcached, wirekv, ...), each server's
# serving thread on CPU 1 and its load on CPU 0.
#   memcached: memcached -t 1 -U PORT -l 127.0.0.1 (taskset -c 1), driven by wirekv's own load generator
#              (deploy/wirekv demo --target: 1 UDP thread, --in-flight 32, GETs only, keys stored first),
#              then by memcaslap -U -c 16 (90% get / 10% set); the better of the two is the baseline.
#   wirekv:    deploy/wirekv serve --backend dpdk (memif server side, 1 lcore on CPU 1, --colocate so
#              writer and TCP run in that same thread, --idle busy-spin), driven by
#              io.wirekv.benchmarks.packetio.MemifGetGenerator (memif client, pinned to CPU 0: ARP,
#              preload by set, then get frames with --window requests outstanding).
# Also measures the generator's own ceilings, so a generator limit is not read as a server limit:
#   echo:      the same generator and window against dpdk-testpmd --forward-mode=macswap as the memif
#              server (a peer that answers every frame at once): the memif round-trip ceiling;
#   net_null:  the generator open loop (--window 0 --no-rx) on net_null: frames it can build and send.
# Prints every run, the medians and the ratio wirekv/memcached (target: >= 10x).
#   deploy/bench-get-dpdk.sh [--runs 5] [--seconds 10] [--warmup 2] [--server-warmup 8] [--window 64] [--keys 10000]
#                            [--server wirekv|testpmd] [--no-ceiling] [--skip-build]
# --server-warmup: seconds of GET load before wirekv is measured (its JIT takes ~3 s to reach steady
# state here: the first second serves ~40 k GET/s, the fourth ~1.2 M); --warmup applies to the echo.
# --server testpmd replaces wirekv by the testpmd echo (to test the generator without the appliance).
# Needs root, dpdk (dpdk-testpmd), memcached, JDK 25. Every run is bounded by `timeout`; every process
# it starts it stops by PID.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=5; seconds=10; warmup=2; server_warmup=8; window=64; keys=10000; server=wirekv; ceiling=1; build=1
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --server-warmup) server_warmup="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;
    --no-ceiling) ceiling=0; shift ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-get-dpdk: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ "${server}" == wirekv || "${server}" == testpmd ]] || { echo "bench-get-dpdk: --server wirekv|testpmd" >&2; exit 2; }
(( $(nproc) >= 2 )) || { echo "bench-get-dpdk: needs 2 CPUs (server on 1, load on 0)" >&2; exit 1; }
(( EUID == 0 )) || { echo "bench-get-dpdk: DPDK's EAL needs root" >&2; exit 1; }
for tool in dpdk-testpmd memcached python3; do
  command -v "${tool}" >/dev/null || { echo "bench-get-dpdk: ${tool} not found" >&2; exit 1; }
done
source "${root}/deploy/lib/jdk.sh"
java_home="$(wirekv_find_jdk25)"
jar="${root}/benchmarks/target/benchmarks.jar"
if (( build )) || [[ ! -f "${jar}" || ! -f "${root}/controlplane/target/wirekv.jar" ]]; then
  (cd "${root}" && ./mvnw -q -B -o -pl controlplane,benchmarks -am -DskipTests package)
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    if kill -0 "${pid}" 2>/dev/null; then kill -TERM "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true; fi
  done
  rm -rf "${work}"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
stop() { # pid [signal]
  kill -"${2:-TERM}" "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
wait_log() { # file pattern timeout_s pid
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { echo "bench-get-dpdk: server exited:" >&2; tail -5 "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "bench-get-dpdk: no '$2' in $1 after $3 s" >&2; return 1
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

generator() { # log warmup args... ; prints median_rps
  local log="$1" wu="$2"; shift 2
  timeout -k 10 "$(( seconds + wu + 90 ))" taskset -c 0 "${java_home}/bin/java" "${WIREKV_JVM_FLAGS[@]}" -Xmx512m \
    -cp "${jar}" io.wirekv.benchmarks.packetio.MemifGetGenerator --cpu 0 --seconds "${seconds}" --warmup "${wu}" \
    --keys "${keys}" "$@" > "${log}" 2>&1 < /dev/null || { echo "bench-get-dpdk: generator failed:" >&2; tail -5 "${log}" >&2; }
  awk '$1 == "median_rps" { print $2 }' "${log}"
}

run_memcached() { # run
  local port log="${work}/memcached-$1.log"
  port="$(free_port)"
  taskset -c 1 memcached -u root -l 127.0.0.1 -p "${port}" -U "${port}" -t 1 -m 256 > "${work}/memcached-server-$1.log" 2>&1 &
  local pid=$!; pids+=("${pid}")
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null && break; sleep 0.1; done
  local ticks0 ticks1 t0 t1
  ticks0="$(cpu_ticks "${pid}")"; t0="$(date +%s.%N)"
  timeout -k 10 "$(( seconds + 90 ))" taskset -c 0 "${root}/deploy/wirekv" demo --target "127.0.0.1:${port}" \
    --duration "${seconds}s" --tcp-threads 0 --udp-threads 1 --in-flight 32 --get-ratio 1 --keys "${keys}" \
    --key-size 16 --value-size 32 --json "${work}/memcached-$1.json" > "${log}" 2>&1 < /dev/null || true
  ticks1="$(cpu_ticks "${pid}")"; t1="$(date +%s.%N)"
  # memcached's CPU use over the run (incl. the load's warm-up): near 100% of one core means the server,
  # not the load generator, is the limit.
  awk -v a="${ticks0}" -v b="${ticks1}" -v t0="${t0}" -v t1="${t1}" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "        memcached CPU %.0f%% of one core (wirekv load)\n", 100 * (b - a) / hz / (t1 - t0) }' >&2
  local demo caslap=0
  demo="$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["udp"]["requests_per_s"]))' "${work}/memcached-$1.json" 2>/dev/null || echo 0)"
  if (( have_caslap )); then
    caslap="$(timeout -k 5 "$(( seconds + 30 ))" taskset -c 0 memcaslap -s "127.0.0.1:${port}" -U -t "${seconds}s" -c 16 -T 1 \
      -F "${work}/caslap.cnf" 2>&1 < /dev/null | awk '/^Run time/ { for (i = 1; i <= NF; i++) if ($i == "TPS:") print $(i+1) }')" || true
  fi
  stop "${pid}"
  echo "${demo:-0} ${caslap:-0}"
}

run_wirekv() { # run
  local port sock prefix log="${work}/wirekv-server-$1.log"
  port="$(free_port)"; sock="/run/wirekv-bench-$$-$1.sock"; prefix="wirekv-bench-srv-$$-$1"
  timeout -s TERM -k 10 "$(( seconds + server_warmup + 180 ))" "${root}/deploy/wirekv" serve --instance "bench-dpdk-$$" --backend dpdk \
    --eal-args "--vdev=net_memif0,role=server,socket=${sock} --no-huge -m 512 --no-shconf --file-prefix=${prefix} -l 0 --no-pci --no-telemetry" \
    --dpdk-device net_memif0 --bypass-address 10.77.0.1 --port "${port}" --lcores 1 --cpus 1 --colocate \
    --idle busy-spin --tcp-threads 1 > "${log}" 2>&1 < /dev/null &
  local pid=$!; pids+=("${pid}")
  local rps=0
  if wait_log "${log}" "wirekv: serving" 90 "${pid}"; then
    local jpid; jpid="$(pgrep -P "${pid}" | head -1)"
    rps="$(generator "${work}/wirekv-gen-$1.log" "${server_warmup}" --vdev "net_memif0,role=client,socket=${sock}" --port "${port}" \
      --window "${window}" --server-pid "${jpid:-${pid}}" --server-thread wirekv-lcore-0)"
    grep -E '^preload|^get phase|^median_server_cpu|^median_rps_per_core' "${work}/wirekv-gen-$1.log" | sed 's/^/        /' >&2 || true
    awk '/^median_rps_per_core/ { print $2 }' "${work}/wirekv-gen-$1.log" > "${work}/wirekv-percore-$1" || true
  fi
  stop "${pid}"
  rmdir "/var/run/dpdk/${prefix}" 2>/dev/null || true
  rm -f "${sock}"
  echo "${rps:-0}"
}

run_echo() { # run ; the generator against dpdk-testpmd macswap as the memif server
  local sock="/run/wirekv-bench-$$-echo-$1.sock" prefix="wirekv-bench-echo-$$-$1" log="${work}/testpmd-$1.log"
  timeout -s INT -k 10 "$(( seconds + warmup + 120 ))" dpdk-testpmd -l 0,1 --no-pci --no-telemetry --in-memory \
    --file-prefix="${prefix}" --vdev="net_memif0,role=server,socket=${sock}" -- --forward-mode=macswap --auto-start \
    --nb-cores=1 --total-num-mbufs=16384 --stats-period=1 > "${log}" 2>&1 < /dev/null &
  local pid=$!; pids+=("${pid}")
  local rps=0
  if wait_log "${log}" "Press enter to exit\|forwards packets on" 60 "${pid}"; then
    rps="$(generator "${work}/echo-gen-$1.log" "${warmup}" --vdev "net_memif0,role=client,socket=${sock}" --loose \
      --dst-mac 02:00:00:00:00:01 --no-preload --window "${window}")"
  fi
  stop "${pid}" INT
  rmdir "/var/run/dpdk/${prefix}" 2>/dev/null || true
  rm -f "${sock}"
  echo "${rps:-0}"
}

have_caslap=0
if command -v memcaslap >/dev/null; then
  have_caslap=1
  # memcaslap: 90% get / 10% set (its gets only ask for keys it has set), 16 B keys, 32 B values.
  printf 'key\n16 16 1\nvalue\n32 32 1\ncmd\n0 0.1\n1 0.9\n' > "${work}/caslap.cnf"
fi

m_all=(); c_all=(); w_all=(); e_all=(); r_all=(); p_all=()
label="wirekv dpdk memif"; [[ "${server}" == testpmd ]] && label="testpmd echo memif"
echo "GET rate, server on CPU 1, load on CPU 0, ${runs} runs of ${seconds}s (wirekv after ${server_warmup}s of warm-up load), window ${window}, ${keys} keys of 16 B, values 32 B, $(date -u +%FT%TZ)"
for run in $(seq 1 "${runs}"); do
  read -r m c <<< "$(run_memcached "${run}")"
  printf 'run %d  memcached -t 1, wirekv load %10s GET/s\n' "${run}" "${m}"
  (( have_caslap )) && printf 'run %d  memcached -t 1, memcaslap   %10s ops/s (90%% get)\n' "${run}" "${c}"
  c_all+=("${c}")
  # The baseline is the better of the two loads in this run (the conservative ratio).
  (( c > m )) && m="${c}"
  if [[ "${server}" == wirekv ]]; then w="$(run_wirekv "${run}")"; else w="$(run_echo "w${run}")"; fi
  printf 'run %d  %-27s %10s GET/s\n' "${run}" "${label}" "${w}"
  if [[ -s "${work}/wirekv-percore-${run}" ]]; then
    pc="$(cat "${work}/wirekv-percore-${run}")"; p_all+=("${pc}")
    printf 'run %d  %-27s %10s GET/s per lcore CPU-second\n' "${run}" "${label}" "${pc}"
  fi
  m_all+=("${m}"); w_all+=("${w}")
  r_all+=("$(awk -v a="${w}" -v b="${m}" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')")
  if (( ceiling )); then
    e="$(run_echo "${run}")"
    printf 'run %d  generator ceiling (echo)    %10s replies/s\n' "${run}" "${e}"
    e_all+=("${e}")
  fi
done

null_tx=""
if (( ceiling )); then
  null_tx="$(timeout -k 10 "$(( seconds + warmup + 60 ))" taskset -c 0 "${java_home}/bin/java" "${WIREKV_JVM_FLAGS[@]}" -Xmx512m \
    -cp "${jar}" io.wirekv.benchmarks.packetio.MemifGetGenerator --cpu 0 --seconds "${seconds}" --warmup "${warmup}" \
    --keys "${keys}" --vdev net_null0 --device net_null0 --window 0 --no-rx --no-preload --dst-mac 02:00:00:00:00:01 \
    2>&1 | awk '/^median_tx_pps/ { print $2 }')"
fi

mm="$(printf '%s\n' "${m_all[@]}" | median)"
wm="$(printf '%s\n' "${w_all[@]}" | median)"
echo
printf '%-32s %14s\n' "" "median GET/s"
printf '%-32s %14s\n' "memcached -t 1, better load" "${mm}"
(( have_caslap )) && printf '%-32s %14s\n' "  of which memcaslap alone" "$(printf '%s\n' "${c_all[@]}" | median)"
printf '%-32s %14s\n' "${label}" "${wm}"
if (( ${#p_all[@]} )); then
  printf '%-32s %14s   (GET/s divided by the lcore thread CPU share, per second)\n' "${label} per lcore CPU-s" \
    "$(printf '%s\n' "${p_all[@]}" | median)"
fi
printf '%-32s %14s\n' "ratio of medians" "$(awk -v a="${wm}" -v b="${mm}" 'BEGIN { printf "%.1fx", (b > 0) ? a / b : 0 }')"
printf '%-32s %14s   (per-pair: %s)\n' "median per-pair ratio" \
  "$(printf '%s\n' "${r_all[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1fx", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')" "${r_all[*]}"
if (( ceiling )); then
  printf '%-32s %14s\n' "generator ceiling, testpmd echo" "$(printf '%s\n' "${e_all[@]}" | median)"
  printf '%-32s %14s   (frames/s sent, open loop, no RX)\n' "generator ceiling, net_null" "${null_tx:-0}"
fi
