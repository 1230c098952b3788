#!/usr/bin/env bash
# Per-core server ceiling with the link taken out (issue 16): one pinned thread (CPU 1) runs the real lcore
# duty cycle of the bypass backends (L2/L3 stack -> protocol -> table -> reply, the writer colocated as with
# --colocate) fed with pre-built request frames from memory and returning replies into a counting sink
# (io.wirekv.benchmarks.ceiling.PerCoreCeiling). Each run is one JVM: the table is filled with one set per key,
# the workload runs --warmup seconds unmeasured, then --seconds measured; a run's figure is the median of its
# per-second replies/s. Prints every run, the median of the runs and ns per request.
#   deploy/bench-ceiling.sh [--runs 3] [--seconds 10] [--warmup 8] [--keys 10000] [--mix get100|get90|set100]
#                           [--multiget 1] [--cpu 1] [--persistence none|async|sync] [--baseline-jar PATH] [--skip-build]
# --multiget N: every get asks for N keys; each hit is its own UDP response, so the figure is then keys/s and
# ns per key (compare with --multiget 1 at the same --keys for the multi-get's gain per key).
# --persistence async|sync: the writer appends every write to its partitions' logs in a fresh directory under
# benchmarks/target/ (the work tree's disk), made and removed per run; the sync and snapshot threads run unpinned
# beside the measured core, so the figure is what the log costs the writer's core.
# --baseline-jar PATH: an A/B in one invocation: every run runs that benchmarks.jar (another build's, copied aside)
# first and this build's right after, on the same CPU; prints both medians and this / base.
# Needs JDK 25; no root, no device. Every run is bounded by `timeout`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; seconds=10; warmup=8; keys=10000; mix=get100; multiget=1; cpu=1; build=1; persistence=none; baseline_jar=""
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --mix) mix="$2"; shift 2 ;;
    --multiget) multiget="$2"; shift 2 ;;
    --cpu) cpu="$2"; shift 2 ;;
    --persistence) persistence="$2"; shift 2 ;;
    --baseline-jar) baseline_jar="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-ceiling: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "${mix}" in
  get100) get_ratio=1 ;;
  get90) get_ratio=0.9 ;;
  set100) get_ratio=0 ;;
  *) echo "bench-ceiling: --mix must be get100, get90 or set100, got '${mix}'" >&2; exit 2 ;;
esac
[[ "${persistence}" =~ ^(none|async|sync)$ ]] || { echo "bench-ceiling: --persistence must be none, async or sync, got '${persistence}'" >&2; exit 2; }
(( runs >= 1 && seconds >= 1 && warmup >= 0 && keys >= 1 && multiget >= 1 && multiget <= 64 )) || {
  echo "bench-ceiling: --runs, --seconds and --keys >= 1, --warmup >= 0, --multiget 1..64" >&2; exit 2; }
[[ -z "${baseline_jar}" || -f "${baseline_jar}" ]] || { echo "bench-ceiling: --baseline-jar ${baseline_jar}: no such file" >&2; exit 2; }
source "${root}/deploy/lib/jdk.sh"
java_home="$(wirekv_find_jdk25)"
jar="${root}/benchmarks/target/benchmarks.jar"
if (( build )) || [[ ! -f "${jar}" ]]; then (cd "${root}" && ./mvnw -q -B -o -pl benchmarks -am -DskipTests package); fi
source "${root}/deploy/lib/bench.sh"
heap=$(( keys > 1000000 ? 4 : 2 ))g

echo "bench-ceiling: --mix ${mix}, --multiget ${multiget}, ${keys} keys of 16 B, values 32 B, one lcore on CPU ${cpu} with its writer," \
  "${runs} run(s) of ${seconds}s after ${warmup}s, persistence ${persistence}, $(date -u +%FT%TZ)"
data=""
trap '[[ -z "${data}" ]] || rm -rf "${data}"' EXIT

measure() { # JAR LABEL RUN: one run of PerCoreCeiling from JAR; prints its line, sets rate
  local run_jar="$1" label="$2" run="$3" log line
  log="$(mktemp)"
  log_args=()
  if [[ "${persistence}" != none ]]; then
    mkdir -p "${root}/benchmarks/target"
    data="$(mktemp -d -p "${root}/benchmarks/target" ceiling-data.XXXXXX)"
    log_args=(--persistence "${persistence}" --data-dir "${data}")
  fi
  timeout -k 10 "$(( seconds + warmup + 180 ))" "${java_home}/bin/java" "${WIREKV_JVM_FLAGS[@]}" -Xms"${heap}" -Xmx"${heap}" \
    -cp "${run_jar}" io.wirekv.benchmarks.ceiling.PerCoreCeiling --keys "${keys}" --get-ratio "${get_ratio}" --multiget "${multiget}" \
    --seconds "${seconds}" --warmup "${warmup}" --cpu "${cpu}" "${log_args[@]}" > "${log}" 2>&1 < /dev/null ||
    { echo "bench-ceiling: ${label} run ${run} failed:" >&2; tail -5 "${log}" >&2; }
  line="$(grep '^ceiling: [0-9]' "${log}" || true)"
  rate="$(awk '{ print $2 }' <<< "${line}")"; rate="${rate:-0}"
  printf '%-4s run %-2d %s\n' "${label}" "${run}" "${line:-no result}"
  rm -f "${log}"
  [[ -z "${data}" ]] || rm -rf "${data}"
  data=""
}

all=(); base=()
for run in $(seq 1 "${runs}"); do
  if [[ -n "${baseline_jar}" ]]; then
    measure "${baseline_jar}" base "${run}"; base+=("${rate}")
  fi
  measure "${jar}" this "${run}"; all+=("${rate}")
done
unit=request; (( multiget > 1 )) && unit=key
report() { # LABEL MEDIAN
  printf '%s median of %d run(s): %.0f %ss/s on one core, %.1f ns/%s (--mix %s, --multiget %d, %d keys)\n' "$1" "${runs}" "$2" \
    "${unit}" "$(awk -v m="$2" 'BEGIN { print (m > 0) ? 1e9 / m : 0 }')" "${unit}" "${mix}" "${multiget}" "${keys}"
}
m="$(printf '%s\n' "${all[@]}" | median)"
if [[ -n "${baseline_jar}" ]]; then
  b="$(printf '%s\n' "${base[@]}" | median)"
  report base "${b}"
  report this "${m}"
  awk -v m="${m}" -v b="${b}" 'BEGIN { printf "this / base: %.3f\n", (b > 0) ? m / b : 0 }'
else
  report this "${m}"
fi
