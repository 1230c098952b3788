#!/usr/bin/env bash
# Installs what wirekv needs on a Debian 12 machine, idempotently: Debian packages that are
# missing, a JDK 25 check, and (as root) UDP socket buffer limits of 8 MiB and a small
# hugepage reservation (128 x 2 MiB) for the tests. --dry-run prints what it would change.
#   deploy/install-deps.sh [--dry-run] [--no-hugepages]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${here}/lib/jdk.sh"

dry_run=0
hugepages=1
for arg in "$@"; do
  case "${arg}" in
    --dry-run) dry_run=1 ;;
    --no-hugepages) hugepages=0 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option '${arg}' (try --help)" >&2; exit 2 ;;
  esac
done

run() { if (( dry_run )); then echo "would run: $*"; else "$@"; fi; }

# Packages: build (unzip unpacks the Maven that ./mvnw downloads: without it the wrapper fetches the
# .tar.gz, which the pinned SHA-256 does not match; gcc/pkg-config for native code), the oracle and
# real clients for tests (memcached, libmemcached-tools), the pool kit's proxy (nutcracker: twemproxy,
# deploy/pool/ and its test), network tools.
packages=(unzip curl gcc pkg-config memcached libmemcached-tools nutcracker iproute2 iputils-ping ethtool python3 python3-prometheus-client netcat-openbsd procps
          dpdk dpdk-dev libdpdk-dev libxdp-dev libbpf-dev xdp-tools bpftool clang rdma-core libibverbs-dev ibverbs-providers)
# Real clients the e2e tests drive with Debian's /usr/bin/python3 (PythonClientsTest).
packages+=(python3-pymemcache python3-pylibmc)
# saslpasswd2 writes the Cyrus sasldb that `memcached -S` reads (SaslDifferentialTest's oracle).
packages+=(sasl2-bin)
# promtool (Debian ships it only in the prometheus package): ServeMetricsPromtoolTest lints a live scrape with it.
packages+=(prometheus)
# nft: packet loss on the namespace links (NetnsLink, deploy/lib/netns.sh; this kernel has no netem).
packages+=(nftables)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "${p}" 2>/dev/null | grep -q "install ok installed" || missing+=("${p}")
done
if (( ${#missing[@]} )); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  run apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: Debian packages present"
fi

jdk="$(wirekv_find_jdk25)" || exit 1
echo "install-deps: JDK 25 at ${jdk}"

# UDP servers and load generators need socket buffers larger than Linux's 208 KiB default cap.
if [[ $(id -u) -eq 0 ]]; then
  for limit in rmem_max wmem_max; do
    if (( $(cat /proc/sys/net/core/${limit}) < 8388608 )); then
      run sh -c "echo 8388608 > /proc/sys/net/core/${limit}"
      (( dry_run )) || echo "install-deps: raised net.core.${limit} to 8 MiB"
    fi
  done
fi

if (( hugepages )) && [[ $(id -u) -eq 0 ]]; then
  want=128   # 256 MiB of 2 MiB pages: enough for the tests' hugepage paths
  have="$(cat /proc/sys/vm/nr_hugepages)"
  if (( have < want )); then
    run sh -c "echo ${want} > /proc/sys/vm/nr_hugepages"
    (( dry_run )) || echo "install-deps: reserved $(cat /proc/sys/vm/nr_hugepages) x 2 MiB hugepages (asked ${want})"
  fi
  if ! mountpoint -q /dev/hugepages 2>/dev/null; then
    run mkdir -p /dev/hugepages
    run mount -t hugetlbfs nodev /dev/hugepages || echo "install-deps: could not mount hugetlbfs (continuing without)"
  fi
fi
