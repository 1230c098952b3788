#!/usr/bin/env bash
# The JMH microbenchmark suite (benchmarks/): codec, table, rings, FFM call overhead, AF_XDP ring
# operations, checksums, memory latency, a log append's effect record. Runs with the GC profiler, so every row also shows bytes allocated per
# operation (the hot-path benchmarks must show 0), and writes JMH's JSON.
#
#   deploy/bench-jmh.sh [--long] [--json FILE] [--skip-build] [-- extra JMH options]
#
#   (default)  the quick set: each benchmark once, 1 fork, 1 warm-up and 2 measured 1-second
#              iterations; about 3 minutes. Figures are indicative only (2-core machines are noisy).
#   --long     every benchmark and parameter with the benchmarks' own iteration counts, 3 forks;
#              about 40 minutes.
#   --json F   where to write JMH's JSON (default benchmarks/target/jmh-quick.json or jmh-long.json).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "${root}/deploy/lib/jdk.sh"

mode=quick; json=""; build=1; extra=()
while (( $# )); do
  case "$1" in
    --long) mode=long ;;
    --json) json="$2"; shift ;;
    --skip-build) build=0 ;;
    --help|-h) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bench-jmh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
json="${json:-${root}/benchmarks/target/jmh-${mode}.json}"
java_bin="$(wirekv_find_jdk25)/bin/java"

if (( build )); then
  echo "bench-jmh: building (./mvnw package, tests skipped)"
  (cd "${root}" && ./mvnw -q -B -DskipTests package)
fi

if [[ "${mode}" == quick ]]; then
  # One representative parameter set per benchmark keeps the quick set quick.
  opts=(-f 1 -wi 1 -i 2 -w 1s -r 1s
        -p payloadBytes=512 -p distribution=uniform -p hugepages=true -p megabytes=128
        'CodecBenchmark' 'RingBenchmark' 'FfmCallBenchmark' 'XskRingBenchmark' 'ChecksumBenchmark' 'EffectRecordBenchmark'
        'TableBenchmark.(tableGet|tableSet|chmGet|chmGetPrebuilt)$' 'MemoryLatencyBenchmark')
else
  opts=(-f 3)
fi
echo "bench-jmh: ${mode} set, JSON to ${json}"
"${java_bin}" "${WIREKV_JVM_FLAGS[@]}" -jar "${root}/benchmarks/target/benchmarks.jar" \
  -prof gc -rf json -rff "${json}" "${opts[@]}" "${extra[@]}" \
  | grep -E '^(Benchmark|[a-z.]*[A-Z][A-Za-z]+Benchmark\.)' | grep -vE ':gc\.(alloc\.rate |count|time|churn)' || true
echo "bench-jmh: rows ending in gc.alloc.rate.norm are bytes allocated per operation; JSON in ${json}"
