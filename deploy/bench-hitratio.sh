#!/usr/bin/env bash
# Hit ratio under Zipf, side by side: memcached -m MiB -t 1, memcached given the capacity gain (-m MiB x --gain:
# memcached holding as many items as wirekv, the bar of issue 18's "memcached's hit ratio plus the capacity gain")
# and wirekv --memory MiB (one lcore, writers colocated, as bench-capacity.sh runs it). One load generator for all:
# `wirekv bench` over TCP, one connection, closed loop (--outstanding 64), Zipf θ 0.99 over --keys (10,000,000)
# keys of 16 bytes, --value-size (32) byte values, no bench warm-up (it would SET all 10M keys in key order and
# leave the coldest keys in the cache). Per server and run, three bench invocations, each ending at its request
# count and bounded by --max-seconds (a run where a phase hit it, or where the cache never evicted, is flagged
# NOT COMPARABLE; a loaded machine can send only a few thousand requests a second):
#   fill:    --fill SETs (4,000,000) of the Zipf stream, pipelined without replies (--noreply): the cache fills up
#            and starts evicting (about 800,000 distinct keys, more than either server holds);
#   settle:  --settle requests (2,000,000) of the 90% GET / 10% SET mix, not measured;
#   measure: --requests (2,000,000) of the same mix: hit ratio = hits / (hits + misses) of its GETs.
# Each invocation has its own --seed, so no phase replays the key sequence of an earlier one (a replay would
# find every key an earlier phase SET ahead of it). Then `stats`: curr_items and evictions.
# Workload: the bench has no cache-aside mode (SET on a miss); the plain 90/10 mix is fair for a comparison:
# its request sequence depends only on the seed, never on replies, and the same request count is sent to every
# server, so each server sees the same stream and differs only in what it keeps (capacity and eviction policy).
# Cache-aside would make the SETs follow each server's own misses (more realistic, a feedback this mix lacks).
# Hit ratio hardly depends on CPU speed (same requests for every server): a shared machine is fine for it.
# Prints every run, the medians of the runs (alternating servers), the ratios and whether the goal holds.
#   deploy/bench-hitratio.sh [--runs 3] [--memory 64] [--keys 10000000] [--value-size 32] [--gain 1.35]
#                            [--fill 4000000] [--settle 2000000] [--requests 2000000] [--max-seconds 600] [--skip-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; memory=64; keys=10000000; value_size=32; gain=1.35; fill=4000000; settle=2000000; requests=2000000
max_seconds=600; build=1
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --value-size) value_size="$2"; shift 2 ;;
    --gain) gain="$2"; shift 2 ;;
    --fill) fill="$2"; shift 2 ;;
    --settle) settle="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --max-seconds) max_seconds="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
command -v memcached >/dev/null || { echo "bench: needs memcached (deploy/install-deps.sh installs it)" >&2; exit 1; }
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi

source "${root}/deploy/lib/bench.sh"
scratch_with_server_cleanup

gained="$(awk -v m="${memory}" -v g="${gain}" 'BEGIN { printf "%d", m * g + 0.5 }')"
servers="memcached memcached-gain wirekv"

start_server() { # kind port; memcached-gain is memcached with the capacity gain's budget
  local mib="${memory}" kind="$1"
  if [[ "${kind}" == memcached-gain ]]; then mib="${gained}"; kind=memcached; fi
  start_budget_server "${kind}" "$2" "${mib}" "bench-hit-$$" "${work}/server.log" 60 # a JVM starting on a loaded machine
}

# port requests get_ratio seed [extra bench flags...]: one bounded bench invocation; prints "hits misses lost errors
# sent"
bench() {
  local port="$1" count="$2" ratio="$3" seed="$4"; shift 4
  "${root}/deploy/wirekv" bench --target "127.0.0.1:${port}" --transport tcp --threads 1 --outstanding 64 \
    --keys "${keys}" --key-size 16 --value-size "${value_size}" --zipf 0.99 --get-ratio "${ratio}" --no-warm-up \
    --verify-fraction 0 --timeout 5s --seed "${seed}" --max-requests "${count}" --duration "${max_seconds}s" --quiet \
    --json "${work}/load.json" "$@" > "${work}/load.log" 2>&1 || true
  python3 - "${work}/load.json" <<'EOF'
import json, sys
try:
    t = json.load(open(sys.argv[1]))["trials"][0]
    print(t["hits"], t["misses"], t["lost"], t["errors"], t["sent"])
except Exception:
    print("0 0 0 0 0")
EOF
}

stats() { # port: prints "curr_items evictions"
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"stats\r\n")
data = b""
while not data.endswith(b"END\r\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
st = dict(l.split(" ", 2)[1:] for l in data.decode().split("\r\n") if l.startswith("STAT "))
print(st.get("curr_items", 0), st.get("evictions", 0))
EOF
}

declare -A ratios items
for run in $(seq 1 "${runs}"); do
  for server in ${servers}; do
    port="$(free_port)"
    start_server "${server}" "${port}"
    t0=${SECONDS}
    read -r _ _ lost_f errors_f sent_f <<< "$(bench "${port}" "${fill}" 0 1 --noreply)"
    read -r _ _ lost_s _ sent_s <<< "$(bench "${port}" "${settle}" 0.9 2)"
    read -r hits misses lost errors sent <<< "$(bench "${port}" "${requests}" 0.9 3)"
    read -r count evictions <<< "$(stats "${port}")"
    stop_budget_server
    if (( hits + misses == 0 )); then echo "bench: no GETs answered; the bench said:" >&2; cat "${work}/load.log" >&2; exit 1; fi
    ratio="$(awk -v h="${hits}" -v m="${misses}" 'BEGIN { printf "%.4f", h / (h + m) }')"
    ratios["${server}"]+="${ratio} "; items["${server}"]+="${count} "
    printf 'run %d  %-14s hit ratio %.4f (%d hits, %d misses)  %8d items  %9d evictions  lost %d/%d/%d  %3d s\n' \
      "${run}" "${server}" "${ratio}" "${hits}" "${misses}" "${count}" "${evictions}" "${lost_f}" "${lost_s}" "${lost}" \
      $(( SECONDS - t0 ))
    (( lost_f + lost_s + lost + errors_f + errors == 0 )) || echo "  (requests lost or answered with errors: see above)"
    # a phase cut short by --max-seconds, or a cache that never evicted, is not the steady state asked for
    (( sent_f == fill && sent_s == settle && sent == requests )) ||
      echo "  NOT COMPARABLE: a phase hit --max-seconds (sent ${sent_f}/${sent_s}/${sent} of ${fill}/${settle}/${requests})"
    (( evictions > 0 )) || echo "  NOT COMPARABLE: no evictions, the cache never filled (raise --fill)"
  done
done

echo
echo "Zipf 0.99 over ${keys} keys, 16-byte keys, ${value_size}-byte values, 90% GETs, one TCP connection;"
echo "${memory} MiB (memcached-gain: ${gained} MiB = ${memory} x ${gain}); ${runs} runs, medians:"
printf '%-15s %10s %10s\n' server "hit ratio" items
for server in ${servers}; do
  printf '%-15s %10.4f %10.0f\n' "${server}" \
    "$(tr ' ' '\n' <<< "${ratios[${server}]}" | grep . | median)" "$(tr ' ' '\n' <<< "${items[${server}]}" | grep . | median)"
done
m="$(tr ' ' '\n' <<< "${ratios[memcached]}" | grep . | median)"
g="$(tr ' ' '\n' <<< "${ratios[memcached-gain]}" | grep . | median)"
w="$(tr ' ' '\n' <<< "${ratios[wirekv]}" | grep . | median)"
mi="$(tr ' ' '\n' <<< "${items[memcached]}" | grep . | median)"
wi="$(tr ' ' '\n' <<< "${items[wirekv]}" | grep . | median)"
awk -v m="${m}" -v g="${g}" -v w="${w}" -v mi="${mi}" -v wi="${wi}" -v gain="${gain}" 'BEGIN {
  printf "wirekv / memcached: hit ratio %.3fx, items %.3fx (capacity gain of this run; --gain %s)\n", w / m, wi / mi, gain
  printf "goal (wirekv >= memcached with the capacity gain, %.4f): %s (wirekv %.4f, %+.2f points)\n", g,
    (w >= g) ? "holds" : "not met", w, 100 * (w - g) }'
