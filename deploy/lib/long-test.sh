# The long kill -9 runs (crash-test.sh, failover-test.sh) share this: one surefire test bounded in time, its progress
# lines shown as they come, and a verdict. Source after `cd "${root}"`; the caller names itself, the test, the
# progress lines to show and the failure lines to quote.

# Runs TEST through surefire with the -D properties after `--`, killed after MAX_MINUTES, its output in LOG; shows
# the lines matching PROGRESS while it runs; on failure quotes the lines matching FAILURES and exits 1; otherwise
# checks that the harness printed its summary and says PASSED.
run_long_test() { # name test max_minutes log progress-regex failures-regex -- -Dprop=value...
  local name="$1" test="$2" max_minutes="$3" log="$4" progress="$5" failures="$6" status=0 mvn_pid
  shift 7
  timeout --kill-after=30s "${max_minutes}m" ./mvnw -o -B -pl controlplane surefire:test \
    -Dsurefire.failIfNoSpecifiedTests=false -Dtest="${test}" "$@" > "${log}" 2>&1 &
  mvn_pid=$!
  tail -n +1 --pid="${mvn_pid}" -f "${log}" | grep --line-buffered -E "${progress}" || true
  wait "${mvn_pid}" || status=$?
  if (( status == 124 || status == 137 )); then
    echo "${name}: stopped after ${max_minutes} min (timeout)" >&2
  fi
  if (( status != 0 )); then
    grep -E "${failures}" "${log}" | head -20 >&2 || true
    echo "${name}: FAILED (exit ${status}); full log ${log} (rerun with the printed seed: --seed N)" >&2
    exit 1
  fi
  grep -q 'crash test summary' "${log}" ||
    { echo "${name}: no summary in the test output (was the test skipped?)" >&2; tail -30 "${log}" >&2; exit 1; }
  echo "${name}: PASSED"
}
