#!/usr/bin/env bash
# The garbage-collection soak (issue 16): `wirekv serve` (kernel UDP and TCP, 1 lcore on CPU 0, --colocate) under a
# mixed load for --minutes (default 10) from `wirekv bench` on CPU 1: Zipf 0.99 over --keys keys, values 16-1024 B,
# 80% GETs, one UDP thread and one TCP thread, 32 requests in flight each. The server logs every collection
# (-Xlog:gc with wall-clock times, kept as gc.log in --out); afterwards the script prints the collections during
# the load (goal: none) and the longest pause after the server started serving (goal: at most 10 ms), with the
# load's figures, and exits non-zero when a goal is missed. Bounded: the load stops after --minutes.
#   deploy/soak-gc.sh [--minutes 10] [--keys 100000] [--out DIR] [--skip-build] [--help]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes=10; keys=100000; out=""; build=1
while (( $# )); do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "soak-gc: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for n in "${minutes}" "${keys}"; do
  [[ "${n}" =~ ^[1-9][0-9]*$ ]] || { echo "soak-gc: --minutes and --keys take positive integers" >&2; exit 2; }
done
(( $(nproc) >= 2 )) || { echo "soak-gc: needs 2 CPUs (server on 0, load on 1)" >&2; exit 1; }
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi
source "${root}/deploy/lib/bench.sh"
out="${out:-$(mktemp -d -p "${root}/controlplane/target" soak-gc.XXXXXX)}"
mkdir -p "${out}"
server_pid=""
cleanup() { [[ -n "${server_pid}" ]] && { kill "${server_pid}" 2>/dev/null || true; wait "${server_pid}" 2>/dev/null || true; }; }
trap cleanup EXIT

port="$(free_port)"
WIREKV_JAVA_OPTS="-Xlog:gc:file=${out}/gc.log:time" taskset -c 0 "${root}/deploy/wirekv" serve \
  --instance "soak-gc-$$" --listen 127.0.0.1 --port "${port}" --lcores 1 --cpus 0 --colocate --idle backoff \
  --memory 512m --no-hugepages > "${out}/server.log" 2>&1 &
server_pid=$!
wait_log "${out}/server.log" "serving" 60 "${server_pid}"
serving_at="$(date -u +%Y-%m-%dT%H:%M:%S.%3N)"
echo "soak-gc: serving at ${serving_at} UTC; ${minutes} min of load (Zipf 0.99, ${keys} keys, 16-1024 B, 80% GET), output in ${out}"
taskset -c 1 "${root}/deploy/wirekv" bench --target "127.0.0.1:${port}" --transport udp --threads 1 --tcp-threads 1 \
  --outstanding 32 --get-ratio 0.8 --zipf 0.99 --keys "${keys}" --value-size 16-1024 --duration "${minutes}m" \
  --json "${out}/load.json" > "${out}/load.log" 2>&1 || true
python3 - "${out}/gc.log" "${out}/load.json" "${serving_at}" "$(stat -c %Y "${out}/load.json" 2>/dev/null || echo 0)" \
  "${minutes}" <<'PY'
import json, re, sys, datetime
gc_log, load_json, serving_at, load_end_epoch, minutes = sys.argv[1:6]
serving = datetime.datetime.fromisoformat(serving_at).replace(tzinfo=datetime.timezone.utc)
load_end = datetime.datetime.fromtimestamp(int(load_end_epoch), datetime.timezone.utc)
load_start = load_end - datetime.timedelta(minutes=int(minutes))
events = []
for line in open(gc_log):
    m = re.match(r'\[(\S+?)\].*?(Pause \S+.*?) (\d+M->\d+M\(\d+M\)) ([\d.]+)ms', line)
    if m:
        at = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z")
        events.append((at, m.group(2), float(m.group(4))))
after_start = [e for e in events if e[0] >= serving]
during = [e for e in events if load_start <= e[0] <= load_end]
longest = max((e[2] for e in after_start), default=0.0)
try:
    t = json.load(open(load_json))["trials"][0]
    hits, misses = t["hits"], t["misses"]
    print(f"load: {t['achieved_per_s']:.0f} req/s for {t['elapsed_s']:.0f} s, p99 {t['latency_us']['p99']:.0f} us, "
          f"hit ratio {hits / max(1, hits + misses):.3f}, lost {t['lost']}")
except Exception as ex:
    print(f"load: no report ({ex})")
print(f"collections: {len(events)} in all, {len(after_start)} after serving, {len(during)} during the load "
      f"({load_start:%H:%M:%S}-{load_end:%H:%M:%S} UTC)")
for at, what, ms in after_start:
    print(f"  {at:%H:%M:%S.%f} {what} {ms:.1f} ms")
print(f"longest pause after serving: {longest:.1f} ms (goal <= 10)")
print("soak-gc: " + ("PASS" if not during and longest <= 10 else "FAIL") + " (goal: no collection during the load)")
sys.exit(0 if not during and longest <= 10 else 1)
PY
