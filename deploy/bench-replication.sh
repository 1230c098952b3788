#!/usr/bin/env bash
# What replication costs: SET throughput and p99 of a `wirekv serve` primary (persistence async, 1 s) without
# replication, with an async backup and with a sync backup (replication.mode = sync), the backup a second
# `wirekv serve` on loopback (persistence async), side by side and alternately in one run. `wirekv bench` over TCP,
# 100,000 keys of 16 B, 32 B values, --concurrency requests in flight over --connections connections; both servers
# on CPU 0, the load on CPU 1; data on the work tree's disk. Prints every run, medians and the ratios async/none and
# sync/none, and the backup's lag (records and ms, from `wirekv stat --json`) sampled every 0.5 s under the steady
# load (median and maximum) and at the end of each replicated run.
# --netns: two network namespaces joined by a veth (deploy/lib/netns.sh; needs root, iproute2, ethtool): the primary
# and the load in namespace A, the backup in namespace B, so the stream crosses a link, not loopback.
# Both servers run `--colocate` (writer and TCP in the lcore thread; the backup shares CPU 0, or sits beside the load
# with --backup-cpu 1); the load starts with --warmup seconds unmeasured (20 by default: with two servers sharing CPU 0
# the JIT of each still takes a good part of it 15 s into the load).
# --delay MS / --loss PCT (with --netns): that one-way delay and loss on the link, each direction (the TUN relay and
# nf_tables of deploy/lib/netns.sh, as this kernel has no netem; the relay runs unpinned).
# --load-idle: what a generator thread does while it waits for replies (default yield: it looks again at once;
# park sleeps 50 us a time, which the builds before used and which measured the generator's sleeps as much as the
# servers: see deploy/bench-durability.sh).
#   deploy/bench-replication.sh [--runs 3] [--seconds 10] [--warmup 20] [--concurrency 16] [--connections 4]
#                               [--backup-cpu 0|1] [--netns] [--delay MS] [--loss PCT] [--load-idle yield]
#                               [--skip-build] [--help]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3; seconds=10; warmup=20; concurrency=16; connections=4; build=1; backup_cpu=0; netns=0; delay_ms=0; loss_pct=0
load_idle=yield
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --backup-cpu) backup_cpu="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --netns) netns=1; shift ;;
    --delay) delay_ms="$2"; shift 2 ;;
    --loss) loss_pct="$2"; shift 2 ;;
    --load-idle) load_idle="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bench-replication: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ "${load_idle}" =~ ^(spin|yield|park)$ ]] || { echo "bench-replication: --load-idle must be spin, yield or park, got '${load_idle}'" >&2; exit 2; }
for n in "${runs}" "${seconds}" "${warmup}" "${concurrency}" "${connections}"; do
  [[ "${n}" =~ ^[1-9][0-9]*$ ]] || { echo "bench-replication: --runs, --seconds, --warmup, --concurrency and --connections take positive integers" >&2; exit 2; }
done
[[ "${delay_ms}" =~ ^[0-9]+$ && "${loss_pct}" =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
  { echo "bench-replication: --delay takes whole ms, --loss a percentage" >&2; exit 2; }
if [[ "${delay_ms}" != 0 || "${loss_pct}" != 0 ]] && (( ! netns )); then
  echo "bench-replication: --delay and --loss need --netns (they impair the link between the namespaces)" >&2; exit 2
fi
(( concurrency % connections == 0 )) || { echo "bench-replication: --concurrency must be a multiple of --connections" >&2; exit 2; }
per_connection=$(( concurrency / connections ))
(( $(nproc) >= 2 )) || { echo "bench-replication: needs 2 CPUs (servers on 0, load on 1)" >&2; exit 1; }
if (( build )); then (cd "${root}" && ./mvnw -q -B -DskipTests package); fi

mkdir -p "${root}/controlplane/target"
work="$(mktemp -d -p "${root}/controlplane/target" bench-replication.XXXXXX)"
pids=()
stop_servers() { local pid; for pid in "${pids[@]}"; do kill "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true; done; pids=(); }
# host_of NAME: the address NAME (primary, backup) listens on; in_ns NAME: sets ns_prefix to the command prefix that
# runs a command where NAME runs (`ip netns exec` execs it: $! of a command started with it is the command's PID)
ns_a="wkvbr-$$a"; ns_b="wkvbr-$$b"
host_of() { if (( netns )); then if [[ "$1" == backup ]]; then echo 10.213.254.2; else echo 10.213.254.1; fi; else echo 127.0.0.1; fi; }
in_ns() {
  ns_prefix=()
  if (( netns )); then if [[ "$1" == backup ]]; then ns_prefix=(ip netns exec "${ns_b}"); else ns_prefix=(ip netns exec "${ns_a}"); fi; fi
}
cleanup() { stop_servers; if (( netns )); then wirekv_netns_delete "${ns_a}" "${ns_b}"; fi; rm -rf "${work}"; }
trap cleanup EXIT
source "${root}/deploy/lib/bench.sh"
if (( netns )); then
  source "${root}/deploy/lib/netns.sh"
  (( EUID == 0 )) || { echo "bench-replication: --netns needs root (network namespaces)" >&2; exit 1; }
  wirekv_netns_link "${ns_a}" "${ns_b}" "$(host_of primary)" "$(host_of backup)"
  wirekv_netns_delay "${ns_a}" "${ns_b}" "${delay_ms}"
  wirekv_netns_loss "${ns_a}" "${ns_b}" "${loss_pct}"
fi

wait_port() { # name port pid
  for _ in $(seq 1 300); do
    kill -0 "$3" 2>/dev/null || return 1
    in_ns "$1"
    if "${ns_prefix[@]}" bash -c "exec 3<>/dev/tcp/$(host_of "$1")/$2" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

serve() { # name port data-dir extra-args...; appends the pid to pids
  local name="$1" port="$2" data="$3" cpu=0; shift 3
  [[ "${name}" == backup ]] && cpu="${backup_cpu}"
  rm -rf "${data}"; mkdir -p "${data}"
  in_ns "${name}"
  "${ns_prefix[@]}" taskset -c "${cpu}" "${root}/deploy/wirekv" serve --instance "bench-repl-${name}-$$" \
    --listen "$(host_of "${name}")" --port "${port}" \
    --lcores 1 --cpus "${cpu}" --tcp-threads 1 --writers 1 --colocate --idle backoff --memory 512m --no-hugepages \
    --persistence async --data-dir "${data}" --set persistence.async.interval=1s "$@" > "${work}/${name}.log" 2>&1 &
  pids+=($!)
  wait_port "${name}" "${port}" "$!" || { echo "bench-replication: ${name} did not start:" >&2; tail -5 "${work}/${name}.log" >&2; return 1; }
}

start_column() { # column; sets primary_port
  primary_port="$(free_port)"
  case "$1" in
    none) serve primary "${primary_port}" "${work}/p" || return 1 ;;
    async|sync)
      local backup_port listen
      backup_port="$(free_port)"; listen="$(free_port)"
      serve backup "${backup_port}" "${work}/b" --replication-role backup --replication-listen "$(host_of backup):${listen}" ||
        return 1
      serve primary "${primary_port}" "${work}/p" --replication-role primary --replication-mode "$1" \
        --replication-peer "$(host_of backup):${listen}" || return 1
      # sync refuses writes until the backup is connected
      for _ in $(seq 1 100); do
        "${root}/deploy/wirekv" replication --instance "bench-repl-primary-$$" 2>/dev/null | grep -q ', connected$' && break
        sleep 0.1
      done ;;
  esac
}

lag_now() { # "records ms" of the primary's replication lag
  "${root}/deploy/wirekv" replication --instance "bench-repl-primary-$$" 2>/dev/null | awk '/^lag/ { print $2, $4 }'
}

bench() { # port column; prints "req/s p99us", and the lag sampled under load into ${work}/lag
  : > "${work}/lag"
  in_ns primary
  "${ns_prefix[@]}" taskset -c 1 "${root}/deploy/wirekv" bench --target "$(host_of primary):$1" --transport tcp \
    --threads "${connections}" --idle "${load_idle}" --outstanding "${per_connection}" --get-ratio 0 --keys 100000 --key-size 16 \
    --value-size 32 --no-warm-up --warmup "${warmup}s" --duration "${seconds}s" --json "${work}/load.json" \
    > "${work}/load.log" 2>&1 &
  local load=$! sampler=""
  if [[ "$2" != none ]]; then
    # one sampling JVM for the whole run, started during the warm-up (a `wirekv replication` per sample would start
    # a JVM every 0.5 s beside the servers), sampling every 0.5 s from the CnC file; samples of the warm-up dropped
    taskset -c 1 "${root}/deploy/wirekv" stat --instance "bench-repl-primary-$$" --json --interval 500ms \
      --count $(( (warmup + seconds) * 2 )) > "${work}/stat.jsonl" 2>/dev/null &
    sampler=$!
  fi
  wait "${load}" || true
  if [[ -n "${sampler}" ]]; then
    kill "${sampler}" 2>/dev/null || true; wait "${sampler}" 2>/dev/null || true
    python3 - "${work}/stat.jsonl" "${warmup}" > "${work}/lag" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    try:
        sample = json.loads(line)
    except ValueError:
        continue
    values = {c["name"]: c["value"] for c in sample.get("counters", [])}
    if "repl_lag_records" in values:
        rows.append((sample["time_ms"], values["repl_lag_records"], values.get("repl_lag_ms", 0)))
start = rows[0][0] if rows else 0
for t, records, ms in rows:
    if t - start >= float(sys.argv[2]) * 1000 - 1000:  # the sampler starts about 1 s into the warm-up
        print(records, ms)
PY
  fi
  python3 - "${work}/load.json" <<'PY'
import json, sys
try:
    t = json.load(open(sys.argv[1]))["trials"][0]
    print(f'{t["achieved_per_s"]:.0f} {t["latency_us"]["p99"]:.0f}')
except Exception:
    print("0 0")
PY
}

columns=(none async sync)
declare -A rps p99
for column in "${columns[@]}"; do rps["${column}"]=""; p99["${column}"]=""; done # a column that never started
where="loopback"; (( netns )) && where="namespaces ${ns_a} (primary, load) and ${ns_b} (backup) over a veth, \
${delay_ms} ms delay and ${loss_pct}% loss each way"
echo "bench-replication: ${runs} runs x ${seconds} s, ${concurrency} in flight over ${connections} connections, TCP SETs; primary on CPU 0, backup on CPU ${backup_cpu}, load on CPU 1; ${where}"
for run in $(seq 1 "${runs}"); do
  for column in "${columns[@]}"; do
    start_column "${column}" || { stop_servers; continue; }
    read -r r p <<< "$(bench "${primary_port}" "${column}")"
    lag=""
    if [[ "${column}" != none ]]; then
      read -r lr lm <<< "$(lag_now)"
      lag="$(awk '{ print $1 }' "${work}/lag" | median)/$(awk '{ print $1 }' "${work}/lag" | sort -g | tail -1) records, \
$(awk '{ print $2 }' "${work}/lag" | median)/$(awk '{ print $2 }' "${work}/lag" | sort -g | tail -1) ms (median/max under load); \
at the end ${lr:-?} records, ${lm:-?} ms"
    fi
    stop_servers
    rps["${column}"]+="${r} "; p99["${column}"]+="${p} "
    printf 'run %d  %-6s %9s req/s  p99 %6s us%s\n' "${run}" "${column}" "${r}" "${p}" "${lag:+  lag ${lag}}"
  done
done
echo "medians:"
declare -A med
for column in "${columns[@]}"; do
  med["${column}"]="$(tr ' ' '\n' <<< "${rps[${column}]}" | grep . | median)"
  printf '  %-6s %9.0f req/s  p99 %6.0f us\n' "${column}" "${med[${column}]}" "$(tr ' ' '\n' <<< "${p99[${column}]}" | grep . | median)"
done
awk -v n="${med[none]}" -v a="${med[async]}" -v s="${med[sync]}" \
  'BEGIN { if (n > 0) printf "ratios: async/none %.2f (goal >= 0.90), sync/none %.2f (goal >= 0.50)\n", a / n, s / n }'
