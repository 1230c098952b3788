#!/usr/bin/env bash
# Fuzzes the parsers with Jazzer (coverage-guided, the @FuzzTest targets in dataplane/src/test) and prints,
# per target and in total, the executions run and the crashes found (goal: 0).
#
#   deploy/fuzz.sh [--executions N] [--minutes M] [--target NAME]... [--skip-build]
#
#   --executions N  executions in total, shared equally by the targets (default 100000000, 10^8)
#   --minutes M     instead: M minutes per target (executions then unbounded)
#   --target NAME   fuzz only this target (repeatable): text (RequestProcessorFuzzTest#textAndMetaStream),
#                   udp (#udpDatagram), record (WriteApplierFuzzTest#arbitraryRecord),
#                   frame (NetStackFuzzTest#arbitraryFrame), fragments (NetStackFuzzTest#fragmentSequence)
#
# Targets run one after the other, one JVM each (Jazzer fuzzes one target per JVM). The corpus each grows
# stays in dataplane/.cifuzz-corpus/ (not committed) and the next run starts from it; a crashing input is
# written beside the committed seeds in dataplane/src/test/resources/.../<Class>Inputs/<target>/, where the
# suite replays it from then on. Logs: dataplane/target/fuzz/<target>.log.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

executions=100000000; minutes=""; build=1; chosen=()
while (( $# )); do
  case "$1" in
    --executions) executions="$2"; shift ;;
    --minutes) minutes="$2"; shift ;;
    --target) chosen+=("$2"); shift ;;
    --skip-build) build=0 ;;
    --help|-h) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "fuzz: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

declare -A tests=(
  [text]="RequestProcessorFuzzTest#textAndMetaStream"
  [udp]="RequestProcessorFuzzTest#udpDatagram"
  [record]="WriteApplierFuzzTest#arbitraryRecord"
  [frame]="NetStackFuzzTest#arbitraryFrame"
  [fragments]="NetStackFuzzTest#fragmentSequence"
)
(( ${#chosen[@]} )) || chosen=(text udp record frame fragments)
for t in "${chosen[@]}"; do
  [[ -n "${tests[$t]:-}" ]] || { echo "fuzz: unknown target ${t} (text, udp, record, frame, fragments)" >&2; exit 2; }
done

cd "${root}"
if (( build )); then
  echo "fuzz: building (./mvnw install, tests skipped)"
  ./mvnw -q -B -DskipTests install # online: a fresh machine may lack Jazzer
fi
mkdir -p dataplane/target/fuzz

if [[ -n "${minutes}" ]]; then
  budget=(-Djazzer.max_duration="${minutes}m")
  echo "fuzz: ${#chosen[@]} target(s), ${minutes} minute(s) each"
else
  per_target=$(( executions / ${#chosen[@]} ))
  # an execution bound only: no duration bound overrides the targets' own @FuzzTest(maxDuration)
  budget=(-Djazzer.max_executions="${per_target}" -Djazzer.max_duration=1000000h)
  echo "fuzz: ${#chosen[@]} target(s), ${per_target} executions each"
fi

total_runs=0; total_crashes=0; total_seconds=0
printf '%-8s %14s %9s %11s %8s\n' target executions seconds "exec/s" crashes
for t in "${chosen[@]}"; do
  log="dataplane/target/fuzz/${t}.log"
  start=$(date +%s)
  set +e
  JAZZER_FUZZ=1 nice -n 10 ./mvnw -o -B -pl dataplane surefire:test -Dtest="${tests[$t]}" \
    -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.hooks=true "${budget[@]}" >"${log}" 2>&1
  rc=$?
  set -e
  seconds=$(( $(date +%s) - start ))
  # libFuzzer's closing line: "Done N runs in S second(s)"; a finding ends the run early, without it
  runs=$(grep -oE '^Done [0-9]+ runs' "${log}" | awk '{s += $2} END {print s + 0}' || true)
  if [[ "${runs}" == 0 ]]; then
    runs=$(grep -oE '^#[0-9]+' "${log}" | tail -1 | tr -d '#' || true); runs=${runs:-0}
  fi
  crashes=$(grep -cE '^== Java Exception|FuzzTestFindingException|^==[0-9]+== ERROR' "${log}" || true)
  if (( rc != 0 && crashes == 0 )); then
    crashes=1 # a failure the patterns above missed still counts; see the log
  fi
  fuzz_seconds=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "${log}" | awk '{s += $5} END {print s + 0}' || true)
  (( fuzz_seconds > 0 )) || fuzz_seconds=${seconds}
  printf '%-8s %14d %9d %11d %8d\n' "${t}" "${runs}" "${fuzz_seconds}" $(( runs / fuzz_seconds )) "${crashes}"
  total_runs=$(( total_runs + runs )); total_crashes=$(( total_crashes + crashes ))
  total_seconds=$(( total_seconds + fuzz_seconds ))
  if (( crashes )); then
    echo "fuzz: ${t}: finding, see ${log}; the crashing input is under dataplane/src/test/resources" >&2
  fi
done
printf '%-8s %14d %9d %11d %8d\n' total "${total_runs}" "${total_seconds}" \
  $(( total_runs / (total_seconds > 0 ? total_seconds : 1) )) "${total_crashes}"
echo "fuzz: executions ${total_runs}, crashes ${total_crashes}"
(( total_crashes == 0 ))
