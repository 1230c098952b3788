#!/usr/bin/env bash
# The long crash test (issue 13): kill -9 cycles against a real `wirekv serve --persistence sync|async` on a data
# directory under controlplane/target/ (the work tree's disk), judged by the oracle of acknowledged writes of
# controlplane's DurabilityCrashTest. 4 connections write random text and meta commands; each cycle kills the
# server after a random time (up to --seconds-per-cycle) or a random number of writes, restarts it on the same
# directory and checks every key. Prints one line per cycle and a summary (cycles, acknowledged writes, lost,
# largest async loss window); exits non-zero on any loss under sync, a loss window over interval + 500 ms under
# async, or any value, CAS unique or key that no acknowledged write explains. Bounded: no new cycle after
# --max-minutes minus 2, and the whole run is killed at --max-minutes. --mode none runs the harness's self-test
# instead (2 cycles against serve without persistence: the checker must report the lost writes), which works on
# any build.
#   deploy/crash-test.sh [--cycles 1000] [--mode sync|async|none] [--seconds-per-cycle S] [--max-minutes M] [--seed N] [--skip-build] [--help]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cycles=1000; mode=sync; seconds=""; max_minutes=""; seed=""; build=1
while (( $# )); do
  case "$1" in
    --cycles) cycles="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --seconds-per-cycle) seconds="$2"; shift 2 ;;
    --max-minutes) max_minutes="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "crash-test: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "${mode}" in
  sync) tests=DurabilityCrashTest#shouldLoseNoAcknowledgedWriteAcrossKillsWithSyncPersistence; seconds="${seconds:-0.4}" ;;
  async) tests=DurabilityCrashTest#shouldLoseAtMostTheIntervalWithAsyncPersistence; seconds="${seconds:-2.5}" ;;
  none) tests=CrashHarnessSelfTest#shouldReportLostAcknowledgedWritesWhenTheServerDoesNotPersist; seconds="${seconds:-0.4}" ;;
  *) echo "crash-test: --mode must be sync, async or none, not '${mode}'" >&2; exit 2 ;;
esac
[[ "${cycles}" =~ ^[1-9][0-9]*$ ]] || { echo "crash-test: --cycles must be a positive integer, not '${cycles}'" >&2; exit 2; }
[[ "${seconds}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "crash-test: --seconds-per-cycle must be a number, not '${seconds}'" >&2; exit 2; }
max_load_ms="$(awk -v s="${seconds}" 'BEGIN { printf "%d", s * 1000 }')"
(( max_load_ms >= 30 )) || { echo "crash-test: --seconds-per-cycle must be at least 0.03" >&2; exit 2; }
# A cycle is the load, a restart (2-5 s on a busy 2-core machine) and the check: budget 8 s on top of the load.
if [[ -z "${max_minutes}" ]]; then
  max_minutes="$(awk -v c="${cycles}" -v s="${seconds}" 'BEGIN { printf "%d", c * (s + 8) / 60 + 5 }')"
fi
[[ "${max_minutes}" =~ ^[1-9][0-9]*$ ]] || { echo "crash-test: --max-minutes must be a positive integer" >&2; exit 2; }
deadline_seconds=$(( max_minutes * 60 - 120 )); (( deadline_seconds > 60 )) || deadline_seconds=60

cd "${root}"
if (( build )); then ./mvnw -q -B -DskipTests install; fi
if [[ "${mode}" != none ]] && ! deploy/wirekv serve --help 2>&1 | grep -q -- '--persistence'; then
  echo "crash-test: this build's 'wirekv serve' has no --persistence option (the durability log is not merged yet): nothing to crash-test" >&2
  exit 1
fi

mkdir -p controlplane/target
log="${root}/controlplane/target/crash-test-${mode}-$(date -u +%Y%m%dT%H%M%SZ).log"
: > "${log}"
if [[ "${mode}" == none ]]; then
  echo "crash-test: the harness's self-test (2 cycles, serve without persistence); full log ${log}"
else
  echo "crash-test: ${mode}, ${cycles} cycles, load up to ${seconds} s per cycle, at most ${max_minutes} min; full log ${log}"
fi
props=(-Dwirekv.crash.cycles="${cycles}" -Dwirekv.crash.maxLoadMs="${max_load_ms}" -Dwirekv.crash.deadlineSeconds="${deadline_seconds}")
[[ -n "${seed}" ]] && props+=(-Dwirekv.crash.seed="${seed}")
source "${root}/deploy/lib/long-test.sh"
# progress: the harness's per-cycle lines and findings, as they come
run_long_test crash-test "${tests}" "${max_minutes}" "${log}" \
  '^(crash test|cycle [0-9]+:|  crash:|async \(interval)' 'FAIL|AssertionFailed|Exception|kept at' -- "${props[@]}"
