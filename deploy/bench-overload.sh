#!/usr/bin/env bash
# Overload: what one wirekv server, held to a fixed share of one core, serves when offered ten times what it can
# take. wirekv serve --backend dpdk over net_memif (1 lcore on CPU 1, --colocate, --idle busy-spin), driven by
# `wirekv bench --backend dpdk` (memif client, 1 thread on CPU 0). One generator core is no faster than one server
# core, so the server's capacity is cut instead: after an uncapped JIT warm-up its whole JVM goes into a transient
# CPU cgroup (created here, removed on exit) with a CFS quota of --server-cpu percent of one core per --period-ms
# (default 10% per 10 ms), and the generator into another; both get a high CPU weight so other work on the
# machine does not decide the figures. Per run:
#   1. capacity: closed loop, --outstanding (512: enough to keep the capped server busy through each of its
#      quota windows, so capacity is its service rate, not the generator's round trip), --capacity-seconds (after
#      2 s unmeasured), server capped;
#   2. overload: open loop at --factor x that capacity for --seconds (after 3 s unmeasured at the same rate);
#      requests the full memif ring refused are counted `unsent` (the link dropped them, as a NIC's RX ring would);
#   3. recovery: closed loop again, as in 1.
# Measured: offered/s (what the generator tried to send), goodput at the client (replies within --timeout) and at
# the server (replies it sent minus those its TX ring dropped, from `wirekv stat --json` sampled once a second over
# the measured window), goodput / capacity, latency of what was served (p50/p99/max, and the p99 of each second:
# first 5 s, last 5 s, highest), where requests were dropped, the server's RSS and CnC memory gauges before and
# after the overload and after recovery. Prints every run, then medians.
#   deploy/bench-overload.sh [--runs 3] [--seconds 30] [--factor 10] [--server-cpu 10] [--period-ms 10]
#                            [--capacity-seconds 8] [--outstanding 512] [--warmup 5] [--timeout 1s]
#                            [--mix get90|get100|set100] [--keep DIR] [--skip-build] [-h|--help]
# --keep DIR copies every bench log, JSON and counter sample there. --server-cpu 0 runs uncapped (the server on a
# whole core): then one generator core cannot offer 10x.
# Needs root (DPDK's EAL, cgroups), a cgroup v1 `cpu` hierarchy or cgroup v2 with the cpu controller enabled at the
# root, DPDK 22.11 (net_memif), python3, JDK 25. Every process is bounded by `timeout` and stopped by PID; the
# cgroups, memif sockets and DPDK runtime dirs are removed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; seconds=30; factor=10; capacity_seconds=8; warmup=5; mix=get90; build=1; server_cpu=10; period_ms=10
timeout_opt=1s; outstanding=512; keep=""
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --factor) factor="$2"; shift 2 ;;
    --capacity-seconds) capacity_seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --mix) mix="$2"; shift 2 ;;
    --server-cpu) server_cpu="$2"; shift 2 ;;
    --period-ms) period_ms="$2"; shift 2 ;;
    --timeout) timeout_opt="$2"; shift 2 ;;
    --outstanding) outstanding="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-overload: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "${mix}" in
  get100) get_ratio=1 ;;
  get90) get_ratio=0.9 ;;
  set100) get_ratio=0 ;;
  *) echo "bench-overload: --mix must be get100, get90 or set100, got '${mix}'" >&2; exit 2 ;;
esac
(( runs >= 1 && seconds >= 10 && capacity_seconds >= 1 && factor >= 1 && warmup >= 1 )) || {
  echo "bench-overload: --runs, --capacity-seconds, --factor and --warmup must be >= 1, --seconds >= 10" >&2; exit 2; }
(( server_cpu >= 0 && server_cpu <= 100 && period_ms >= 1 && period_ms <= 1000 )) || {
  echo "bench-overload: --server-cpu must be 0-100 (percent of one core; 0 = uncapped), --period-ms 1-1000" >&2; exit 2; }
quota_us=$(( server_cpu * period_ms * 10 ))
(( server_cpu == 0 || quota_us >= 1000 )) || {
  echo "bench-overload: the CFS quota must be >= 1 ms: raise --period-ms (--server-cpu ${server_cpu} x --period-ms ${period_ms} is ${quota_us} us)" >&2; exit 2; }
(( $(nproc) >= 2 )) || { echo "bench-overload: needs 2 CPUs (server on 1, load on 0)" >&2; exit 1; }
(( EUID == 0 )) || { echo "bench-overload: DPDK's EAL and the CPU cgroups need root" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench-overload: python3 not found" >&2; exit 1; }
jar="${root}/controlplane/target/wirekv.jar"
if (( build )) || [[ ! -f "${jar}" ]]; then
  (cd "${root}" && ./mvnw -q -B -o -pl controlplane -am -DskipTests package)
fi

# The CPU cgroups: v1's cpu hierarchy (cpu.cfs_quota_us, cpu.shares) or v2's (cpu.max, cpu.weight).
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
  grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || {
    echo "bench-overload: cgroup v2 without the cpu controller at the root: echo +cpu > /sys/fs/cgroup/cgroup.subtree_control" >&2; exit 1; }
  cg_base=/sys/fs/cgroup; cg_v=2
elif [[ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]]; then
  cg_base=/sys/fs/cgroup/cpu; cg_v=1
else
  echo "bench-overload: no CPU cgroup (neither /sys/fs/cgroup/cpu/cpu.cfs_quota_us nor cgroup v2's cpu controller)" >&2; exit 1
fi
cg_server="${cg_base}/wirekv-overload-$$-server"; cg_gen="${cg_base}/wirekv-overload-$$-gen"
cg_create() { # dir
  mkdir "$1"
  if (( cg_v == 2 )); then echo 10000 > "$1/cpu.weight"; else echo 262144 > "$1/cpu.shares"; fi
}
cg_quota() { # dir quota_us (0 = none)
  if (( cg_v == 2 )); then
    if (( $2 > 0 )); then echo "$2 $(( period_ms * 1000 ))" > "$1/cpu.max"; else echo "max $(( period_ms * 1000 ))" > "$1/cpu.max"; fi
  else
    echo "$(( period_ms * 1000 ))" > "$1/cpu.cfs_period_us"
    if (( $2 > 0 )); then echo "$2" > "$1/cpu.cfs_quota_us"; else echo -1 > "$1/cpu.cfs_quota_us"; fi
  fi
}
cg_remove() { # dir: whatever is left goes back to the root first
  [[ -d "$1" ]] || return 0
  local p
  for p in $(cat "$1/cgroup.procs" 2>/dev/null); do echo "${p}" > "${cg_base}/cgroup.procs" 2>/dev/null || true; done
  rmdir "$1" 2>/dev/null || echo "bench-overload: could not remove $1" >&2
}

work="$(mktemp -d)"
source "${root}/deploy/lib/bench.sh"
pids=()
cleanup() {
  stop_started
  cg_remove "${cg_server}"; cg_remove "${cg_gen}"
  if [[ -n "${keep}" ]]; then mkdir -p "${keep}" && cp -r "${work}"/. "${keep}"/; fi
  rm -rf "${work}"
}
trap cleanup EXIT
cg_create "${cg_server}"; cg_create "${cg_gen}"

rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# Closed-loop rate of a bench JSON's first trial.
achieved() { python3 -c 'import json,sys; print("%.0f" % json.load(open(sys.argv[1]))["trials"][0]["achieved_per_s"])' "$1" 2>/dev/null || echo 0; }

run() { # run number; prints one line of figures (see analyse in ${work}/analyse.py)
  local n="$1" port sock prefix log="${work}/server-$1.log" instance="overload-$$-$1"
  port="$(free_port)"; sock="/run/wirekv-overload-$$-${n}.sock"; prefix="wirekv-overload-$$-${n}"
  timeout -s TERM -k 10 "$(( seconds + 2 * capacity_seconds + 3 * warmup + 400 ))" "${root}/deploy/wirekv" serve \
    --instance "${instance}" --backend dpdk \
    --eal-args "-l 0 --vdev=net_memif0,role=server,socket=${sock} --no-huge -m 512 --no-shconf --file-prefix=${prefix} --no-pci --no-telemetry" \
    --dpdk-device net_memif0 --bypass-address 10.77.0.1 --port "${port}" --lcores 1 --cpus 1 --colocate \
    --idle busy-spin --tcp-threads 1 > "${log}" 2>&1 < /dev/null &
  local pid=$!; pids+=("${pid}")
  wait_log "${log}" "wirekv: serving" 90 "${pid}" || { echo "failed"; return; }
  local jpid; jpid="$(pgrep -P "${pid}" | head -1)"; jpid="${jpid:-${pid}}"
  echo "${jpid}" > "${cg_server}/cgroup.procs" # every thread of the JVM, and any it starts later
  cg_quota "${cg_server}" 0
  bench() { # name duration warmup extra-options...
    local name="$1" duration="$2" wu="$3"; shift 3
    (( wu > 0 )) && set -- --warmup "${wu}s" "$@"
    # the generator joins its cgroup before it execs; each progress line gets the epoch ms it was printed at
    timeout -k 10 "$(( duration + wu + 120 ))" sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "${cg_gen}" \
      taskset -c 0 "${root}/deploy/wirekv" bench \
      --backend dpdk --dpdk-device net_memif0 \
      --eal-args "-l 0 --vdev=net_memif0,role=client,socket=${sock} --no-huge -m 512 --no-pci --no-shconf --file-prefix=${prefix}-gen-${name} --no-telemetry" \
      --bypass-address 10.77.0.2 --target "10.77.0.1:${port}" --threads 1 --cpus 0 --keys 10000 --key-size 16 \
      --value-size 32 --get-ratio "${get_ratio}" --duration "${duration}s" --server-pid "${jpid}" \
      --json "${work}/${name}-${n}.json" "$@" 2>&1 < /dev/null |
      while IFS= read -r line; do printf '%s %s\n' "$(date +%s%3N)" "${line}"; done > "${work}/${name}-${n}.log" ||
      { echo "bench-overload: ${name} bench failed:" >&2; tail -5 "${work}/${name}-${n}.log" >&2; }
    rmdir "/var/run/dpdk/${prefix}-gen-${name}" 2>/dev/null || true
  }
  bench jit "${warmup}" 0 --outstanding 64 # stores every key; the JIT compiles with the whole core
  cg_quota "${cg_server}" "$(( server_cpu > 0 ? quota_us : 0 ))"
  bench capacity "${capacity_seconds}" 2 --no-warm-up --outstanding "${outstanding}"
  local cap; cap="$(achieved "${work}/capacity-${n}.json")"
  local rss0; rss0="$(rss_mib "${jpid}")"
  timeout -k 5 "$(( seconds + 60 ))" "${root}/deploy/wirekv" stat --instance "${instance}" --json --interval 1s \
    --count "$(( seconds + 30 ))" > "${work}/stat-${n}.jsonl" 2>/dev/null &
  local stat_pid=$!; pids+=("${stat_pid}")
  sleep 1
  bench overload "${seconds}" 3 --no-warm-up --rate "$(( cap * factor ))" --timeout "${timeout_opt}"
  sleep 1.5
  kill -TERM "${stat_pid}" 2>/dev/null || true; wait "${stat_pid}" 2>/dev/null || true
  local rss1; rss1="$(rss_mib "${jpid}")"
  bench recovery "${capacity_seconds}" 2 --no-warm-up --outstanding "${outstanding}"
  local rss2; rss2="$(rss_mib "${jpid}")"
  "${root}/deploy/wirekv" stat --instance "${instance}" --json --once > "${work}/stat-after-${n}.json" 2>/dev/null || true
  kill -TERM "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true
  rmdir "/var/run/dpdk/${prefix}" 2>/dev/null || true; rm -f "${sock}"
  python3 "${work}/analyse.py" "${work}" "${n}" "${seconds}" "${cap}" "$(achieved "${work}/recovery-${n}.json")" \
    "${rss0}" "${rss1}" "${rss2}"
}

cat > "${work}/analyse.py" <<'PY'
# One run's figures as "key=value" words: the overload trial, its per-second p99s, the server's counters over the
# measured window (the bench's first to last progress line), the CnC memory gauges.
import json, re, statistics, sys
work, n, seconds, cap, rec, rss0, rss1, rss2 = sys.argv[1:9]
cap, rec = float(cap), float(rec)
out = {}
try:
    t = json.load(open(f"{work}/overload-{n}.json"))["trials"][0]
    l = t["latency_us"]
    attempted = t["sent"] + t["unsent"]
    out.update(offered=attempted / t["elapsed_s"], sent=t["sent"] / t["elapsed_s"], good=t["achieved_per_s"],
               p50=l["p50"], p99=l["p99"], max=l["max"], lost=t["lost"], unsent=t["unsent"], late=t.get("late", 0),
               errors=t["errors"] + t["wrong_answers"])
except Exception as e:
    out.update(offered=0, sent=0, good=0, p50=0, p99=0, max=0, lost=0, unsent=0, late=0, errors=0)
seconds_p99, stamps, measuring = [], [], False
for line in open(f"{work}/overload-{n}.log"):
    measuring |= "measuring now" in line  # the unmeasured warm-up load prints progress lines too
    m = re.match(r"(\d+) \[\s*(\d+)s\] .* p99\s+([\d.]+) us", line)
    if m and measuring:
        stamps.append(int(m.group(1)))
        seconds_p99.append(float(m.group(3)))
out["p99_first5"] = statistics.median(seconds_p99[:5]) if seconds_p99 else 0
out["p99_last5"] = statistics.median(seconds_p99[-5:]) if seconds_p99 else 0
out["p99_worst_s"] = max(seconds_p99) if seconds_p99 else 0
def values(sample):
    v = {}
    for c in sample["counters"]:
        v[c["name"]] = v.get(c["name"], 0) + c["value"]
    return v
samples = []
for line in open(f"{work}/stat-{n}.jsonl"):
    try:
        s = json.loads(line)
        samples.append((s["time_ms"], values(s)))
    except ValueError:
        pass
server = dict(server_good=0, server_rx=0, tx_dropped=0, rx_no_buffer=0)
if stamps and len(samples) >= 2:
    start, end = stamps[0] - 1000, stamps[-1]
    a = min(samples, key=lambda s: abs(s[0] - start))
    b = min(samples, key=lambda s: abs(s[0] - end))
    secs = (b[0] - a[0]) / 1000.0
    if secs > 0:
        d = {k: b[1].get(k, 0) - a[1].get(k, 0) for k in b[1]}
        server = dict(server_good=(d["tx_packets"] - d["tx_dropped"]) / secs, server_rx=d["rx_packets"] / secs,
                      tx_dropped=d["tx_dropped"], rx_no_buffer=d["rx_no_buffer"])
out.update(server)
gauges = ["items", "item_bytes", "retired_not_freed_bytes"]
first = samples[0][1] if samples else {}
try:
    last = values(json.load(open(f"{work}/stat-after-{n}.json")))
except Exception:
    last = {}
out["gauges"] = "/".join(f"{g}:{first.get(g, 0)}->{last.get(g, 0)}" for g in gauges)
out.update(cap=cap, rec=rec, ratio=(out["good"] / cap if cap else 0), server_ratio=(out["server_good"] / cap if cap else 0),
           rss=f"{rss0}/{rss1}/{rss2}", rss_growth=int(rss2) - int(rss0))
print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in out.items()))
PY

cap_text="server capped at ${server_cpu}% of one core (CFS quota $(( quota_us / 1000 )) ms per ${period_ms} ms, cgroup v${cg_v})"
(( server_cpu == 0 )) && cap_text="server uncapped"
echo "bench-overload: --mix ${mix}, server on CPU 1 (dpdk over memif, --colocate), ${cap_text}, wirekv bench on CPU 0;" \
  "per run: capacity (closed loop, ${outstanding} outstanding, ${capacity_seconds}s), open loop at ${factor}x capacity for ${seconds}s, recovery; $(date -u +%FT%TZ)"
declare -A all
for n in $(seq 1 "${runs}"); do
  line="$(run "${n}")"
  echo "run ${n}: ${line}"
  for word in ${line}; do all["${word%%=*}"]+="${word#*=} "; done
done
echo
med() { printf '%s\n' ${all[$1]:-0} | median; }
printf 'median of %d run(s): capacity %.0f/s; offered %.0f/s (%.1fx), of which the memif link took %.0f/s;' "${runs}" \
  "$(med cap)" "$(med offered)" "$(awk -v o="$(med offered)" -v c="$(med cap)" 'BEGIN { print (c > 0) ? o / c : 0 }')" "$(med sent)"
printf ' goodput %.0f/s at the client (%.3f of capacity), %.0f/s at the server (%.3f);' "$(med good)" "$(med ratio)" \
  "$(med server_good)" "$(med server_ratio)"
printf ' served latency p50 %.0f us, p99 %.0f us (per-second p99: first 5 s %.0f, last 5 s %.0f, worst %.0f); recovery %.0f/s;' \
  "$(med p50)" "$(med p99)" "$(med p99_first5)" "$(med p99_last5)" "$(med p99_worst_s)" "$(med rec)"
printf ' RSS growth %s MiB\n' "$(med rss_growth)"
