#!/usr/bin/env bash
# The long failover test (issue 14): two real `wirekv serve` processes with replication.mode = sync and persistence
# sync on data directories under controlplane/target/ (the work tree's disk). 4 connections write random text and
# meta commands through the primary, recording every acknowledged write (the crash test's oracle); each cycle kills
# the primary with SIGKILL at a random moment, promotes the backup with `wirekv promote`, checks every key on the new
# primary, and restarts the killed node as its backup (full sync): the roles alternate. Prints one line per cycle and
# a summary; exits non-zero on any acknowledged write lost, or any value, CAS or key the oracle cannot explain.
# Bounded: no new cycle after --max-minutes minus 2, and the whole run is killed at --max-minutes.
#   deploy/failover-test.sh [--cycles 500] [--max-minutes M] [--seed N] [--skip-build] [--help]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cycles=500; max_minutes=""; seed=""; build=1
while (( $# )); do
  case "$1" in
    --cycles) cycles="$2"; shift 2 ;;
    --max-minutes) max_minutes="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "failover-test: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ "${cycles}" =~ ^[1-9][0-9]*$ ]] || { echo "failover-test: --cycles must be a positive integer, not '${cycles}'" >&2; exit 2; }
# A cycle is the load (up to 0.4 s), a promote, a restart (2-5 s on a busy 2-core machine), the full sync and the
# check: budget 12 s.
if [[ -z "${max_minutes}" ]]; then
  max_minutes=$(( cycles * 12 / 60 + 5 ))
fi
[[ "${max_minutes}" =~ ^[1-9][0-9]*$ ]] || { echo "failover-test: --max-minutes must be a positive integer" >&2; exit 2; }
deadline_seconds=$(( max_minutes * 60 - 120 )); (( deadline_seconds > 60 )) || deadline_seconds=60

cd "${root}"
if (( build )); then ./mvnw -q -B -DskipTests install; fi
mkdir -p controlplane/target
log="${root}/controlplane/target/failover-test-$(date -u +%Y%m%dT%H%M%SZ).log"
: > "${log}"
echo "failover-test: ${cycles} cycles, at most ${max_minutes} min; full log ${log}"
props=(-Dwirekv.failover.cycles="${cycles}" -Dwirekv.failover.deadlineSeconds="${deadline_seconds}")
[[ -n "${seed}" ]] && props+=(-Dwirekv.failover.seed="${seed}")
source "${root}/deploy/lib/long-test.sh"
run_long_test failover-test FailoverCrashTest "${max_minutes}" "${log}" \
  '^(crash test|cycle [0-9]+:|  crash:|  nothing acknowledged|    )' 'FAIL|AssertionFailed|Exception' -- "${props[@]}"
