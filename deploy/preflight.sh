#!/usr/bin/env bash
# Reports what this host has and lacks for each wirekv backend, and a verdict per backend.
# It changes nothing; it runs with or without root (without root it sees less: dmesg, some
# sysfs files, capabilities, and says so).
#
#   deploy/preflight.sh [--json] [--help]
#
#   --json   print one JSON object instead of text (same facts, same verdicts)
#   --help   this text
#
# Facts: kernel and OS, CPUs (count, model, flags DPDK cares about), NUMA nodes, memory,
# hugepages (2 MiB and 1 GiB: reserved, free, hugetlbfs mounts; /proc/meminfo), the memlock
# limit, IOMMU (groups, kernel command line, dmesg when readable), vfio, NICs (driver, PCI
# address, queues, addresses, default route, XDP program attached, native-XDP and AF_XDP
# zero-copy support), DPDK (version, dpdk-testpmd, dpdk-devbind.py, devices bound), libxdp,
# libbpf, clang, bpffs, RDMA devices.
# Verdicts: kernel ok; xdp ok | limited | no; dpdk ok | limited (virtual devices only) | no;
# rdma ok | none (for replication, which is not built yet). Each verdict lists its reasons.
# The XDP and zero-copy columns are a heuristic from the driver's name (lists of the drivers
# the Linux kernel gives native XDP / AF_XDP zero-copy), not a probe: wirekv's `xdp.mode = auto`
# finds out for real at start-up and says which mode it got.
# Exit status: 0 (a report, whatever the verdicts), 2 bad usage.
set -uo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
WIREKV_PROG=preflight
source "${here}/lib/common.sh"

json=0
while (( $# )); do
  case "$1" in
    --json) json=1 ;;
    -h|--help) wk_help "$0"; exit 0 ;;
    *) wk_usage_error "unknown option '$1'" ;;
  esac
  shift
done

# Drivers with native (driver-mode) XDP, and those with AF_XDP zero-copy, in mainline Linux.
# A heuristic: it says what the driver can do on a recent kernel, not what this NIC will do.
XDP_NATIVE=" i40e ice ixgbe ixgbevf igb igc idpf mlx4_en mlx5_core bnxt_en nfp qede virtio_net veth tun ena gve
  sfc sfc_siena nicvf dpaa_eth dpaa2_eth fsl_dpaa2_eth stmmac st_gmac mvneta mvpp2 fec enetc hv_netvsc xen_netfront
  netsec tsnep lan966x_switch bonding cpsw am65_cpsw_nuss rvu_nicpf mtk_eth_soc ionic bcmgenet "
XDP_ZEROCOPY=" i40e ice ixgbe igc igb idpf mlx5_core stmmac st_gmac nfp tsnep dpaa2_eth fsl_dpaa2_eth gve rvu_nicpf "

kernel="$(uname -r)"
kmaj="$(cut -d. -f1 <<< "${kernel}")"; kmin="$(cut -d. -f2 <<< "${kernel}" | tr -dc 0-9)"
kernel_at_least() { (( kmaj > $1 || (kmaj == $1 && ${kmin:-0} >= $2) )); }
os="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")"; os="${os:-unknown}"
root=false; wk_is_root && root=true

# CPUs and NUMA.
cpu_count="$(nproc)"
cpu_online="$(wk_read /sys/devices/system/cpu/online "?")"
cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"; cpu_model="${cpu_model:-unknown}"
cpu_flags="$(awk -F': ' '/^flags/ { print $2; exit }' /proc/cpuinfo)"
has_flag() { [[ " ${cpu_flags} " == *" $1 "* ]]; }
flag_json=""; flag_text=""
for f in sse4_2 avx2 avx512f pdpe1gb; do
  v=false; has_flag "${f}" && v=true
  flag_json+="${flag_json:+, }\"${f}\": ${v}"
  [[ "${v}" == true ]] && flag_text+="${flag_text:+ }${f}"
done
numa_ids=(); numa_json=""; numa_text=""
for d in /sys/devices/system/node/node[0-9]*; do
  [[ -d "${d}" ]] || continue
  id="${d##*node}"
  ncpus="$(wk_read "${d}/cpulist" "?")"
  nmem="$(awk '/MemTotal/ { print $4; exit }' "${d}/meminfo" 2>/dev/null)"; nmem="${nmem:-0}"
  numa_ids+=("${id}")
  numa_json+="${numa_json:+, }{\"id\": ${id}, \"cpus\": $(wk_json_str "${ncpus}"), \"memoryKb\": ${nmem}}"
  numa_text+="${numa_text:+; }node${id}: CPUs ${ncpus}, $(( nmem / 1024 )) MiB"
done
mem_total_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"

# Hugepages.
meminfo_value() { awk -v k="$1:" '$1 == k { print $2; exit }' /proc/meminfo; }
mi_total="$(meminfo_value HugePages_Total)"; mi_free="$(meminfo_value HugePages_Free)"
mi_size="$(meminfo_value Hugepagesize)"
hugetlbfs_mounts() {
  awk -v ps="$1" '$3 == "hugetlbfs" {
      size = "2M"; if (match($4, /pagesize=[0-9]+[KMG]/)) size = substr($4, RSTART + 9, RLENGTH - 9)
      if (size == ps) { printf "%s%s", sep, $2; sep = " " } } END { print "" }' /proc/mounts 2>/dev/null
}
hp_json=""; hp_text=()
declare -A hp_free
for spec in "2048:2M:2 MiB" "1048576:1G:1 GiB"; do
  IFS=: read -r kb ps lbl <<< "${spec}"
  d="/sys/kernel/mm/hugepages/hugepages-${kb}kB"
  mounts="$(hugetlbfs_mounts "${ps}")"
  mj=""; for m in ${mounts}; do mj+="${mj:+, }$(wk_json_str "${m}")"; done
  if [[ -d "${d}" ]]; then
    t="$(wk_read "${d}/nr_hugepages" 0)"; f="$(wk_read "${d}/free_hugepages" 0)"
    hp_free[${ps}]="${f}"
    hp_json+="${hp_json:+, }\"${ps}\": {\"supported\": true, \"reserved\": ${t}, \"free\": ${f}, \"mounts\": [${mj}]}"
    hp_text+=("${lbl}: ${t} reserved, ${f} free; hugetlbfs ${mounts:-not mounted}")
  else
    hp_free[${ps}]=0
    hp_json+="${hp_json:+, }\"${ps}\": {\"supported\": false, \"reserved\": 0, \"free\": 0, \"mounts\": [${mj}]}"
    hp_text+=("${lbl}: not supported here (no ${d})")
  fi
done

# memlock (KiB or unlimited), capabilities of this shell.
memlock_soft="$(ulimit -Sl)"; memlock_hard="$(ulimit -Hl)"
cap_eff="$(awk '/^CapEff:/ { print $2 }' /proc/self/status)"

# IOMMU and vfio.
iommu_groups=0
if [[ -d /sys/kernel/iommu_groups ]]; then iommu_groups="$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l)"; fi
cmdline="$(wk_read /proc/cmdline)"
iommu_cmdline=false
[[ " ${cmdline} " =~ \ (intel_iommu=on|amd_iommu=on|iommu=pt|iommu=on)\  ]] && iommu_cmdline=true
if dmesg_out="$(dmesg 2>/dev/null)"; then
  iommu_dmesg="$(grep -iE 'DMAR: IOMMU enabled|AMD-Vi: .*(enabled|Found IOMMU)|Adding to iommu group' <<< "${dmesg_out}" | head -1 | sed 's/^\[[^]]*\] //')"
  iommu_dmesg="${iommu_dmesg:-no IOMMU lines}"
else
  iommu_dmesg="not readable (needs root: kernel.dmesg_restrict)"
fi
if [[ -d /sys/module/vfio_pci ]]; then vfio=loaded
elif modinfo vfio-pci > /dev/null 2>&1; then vfio=available
else vfio=absent; fi
noiommu="$(wk_read /sys/module/vfio/parameters/enable_unsafe_noiommu_mode N)"

# Default routes, for "carries the default route".
routes="$(ip -4 route show default 2>/dev/null; ip -6 route show default 2>/dev/null)"
carries_default() { [[ " ${routes//$'\n'/ } " == *" dev $1 "* ]]; }

# NICs.
nics_json=""; nics_text=()
xdp_native_nics=(); xdp_any_nics=(); dpdk_bound=(); dpdk_candidates=(); dpdk_blocked=()
for n in /sys/class/net/*; do
  name="$(basename "${n}")"
  [[ "${name}" == lo || ! -e "${n}" ]] && continue
  drv="$(wk_netdev_driver "${name}")"
  pci="$(wk_pci_of "${name}" || true)"
  state="$(wk_read "${n}/operstate" unknown)"
  mtu="$(wk_read "${n}/mtu" 0)"
  mac="$(wk_read "${n}/address" "")"
  rxq="$(find "${n}/queues" -maxdepth 1 -name 'rx-*' 2>/dev/null | wc -l)"
  combined_max="$(ethtool -l "${name}" 2>/dev/null | awk '/^Pre-set maximums/ { m = 1 } m && /^Combined:/ { print $2; exit }')"
  [[ "${combined_max}" =~ ^[0-9]+$ ]] || combined_max=null
  addrs="$(ip -o addr show dev "${name}" 2>/dev/null | awk '$0 !~ / scope link / { printf "%s%s", sep, $4; sep = " " } END { print "" }')"
  dr=false; carries_default "${name}" && dr=true
  link="$(ip -d link show dev "${name}" 2>/dev/null)"
  xdp_prog="none"
  if [[ "${link}" =~ prog/xdp([a-z]*)\ id\ ([0-9]+) ]]; then xdp_prog="id ${BASH_REMATCH[2]} (xdp${BASH_REMATCH[1]})"; fi
  k="${drv//-/_}"
  if [[ "${XDP_NATIVE}" == *" ${k} "* ]]; then xdp_native=true; else xdp_native=false; fi
  zc=no
  if [[ "${XDP_ZEROCOPY}" == *" ${k} "* ]]; then zc=likely
  elif [[ "${k}" == virtio_net ]]; then kernel_at_least 6 11 && zc="possible (virtio_net has it since about 6.11, if the host supports it)" || zc=no
  fi
  virtual=false; [[ -z "${pci}" ]] && virtual=true
  aj=""; for a in ${addrs}; do aj+="${aj:+, }$(wk_json_str "${a}")"; done
  nics_json+="${nics_json:+, }{\"name\": $(wk_json_str "${name}"), \"driver\": $(wk_json_str "${drv}"), \"pci\": $(wk_json_str "${pci}"), \"virtual\": ${virtual}, \"state\": $(wk_json_str "${state}"), \"mtu\": ${mtu}, \"mac\": $(wk_json_str "${mac}"), \"rxQueues\": ${rxq}, \"combinedQueuesMax\": ${combined_max}, \"addresses\": [${aj}], \"defaultRoute\": ${dr}, \"xdpAttached\": $(wk_json_str "${xdp_prog}"), \"xdpNative\": ${xdp_native}, \"afxdpZeroCopy\": $(wk_json_str "${zc}")}"
  nics_text+=("$(printf '%-14s driver %-11s pci %-13s %-5s mtu %-5s rx queues %s (max %s) %s%s; XDP native %s, zero-copy %s; XDP attached: %s' \
    "${name}" "${drv}" "${pci:--}" "${state}" "${mtu}" "${rxq}" "${combined_max/null/?}" "${addrs:-no addresses}" \
    "$([[ ${dr} == true ]] && echo ', default route')" "$([[ ${xdp_native} == true ]] && echo yes || echo 'no (generic/skb only)')" "${zc}" "${xdp_prog}")")
  [[ "${state}" == up || "${state}" == unknown ]] && xdp_any_nics+=("${name}")
  [[ "${xdp_native}" == true ]] && xdp_native_nics+=("${name}")
  if [[ -n "${pci}" ]]; then
    if [[ "${dr}" == true || -n "${addrs}" ]]; then dpdk_blocked+=("${name}"); else dpdk_candidates+=("${name} (${pci})"); fi
  fi
done
# PCI devices already on a userspace driver (they have no netdev any more).
for drvdir in /sys/bus/pci/drivers/vfio-pci /sys/bus/pci/drivers/uio_pci_generic /sys/bus/pci/drivers/igb_uio; do
  for dev in "${drvdir}"/[0-9a-f]*:*; do [[ -e "${dev}" ]] && dpdk_bound+=("$(basename "${dev}") ($(basename "${drvdir}"))"); done
done

# DPDK.
dpdk_version="$(pkg-config --modversion libdpdk 2>/dev/null || true)"
[[ -n "${dpdk_version}" ]] || dpdk_version="$(dpkg-query -W -f='${Version}' dpdk 2>/dev/null || true)"
dpdk_eal="$(ldconfig -p 2>/dev/null | awk '/librte_eal\.so/ { print $NF; exit }')"
dpdk_testpmd="$(command -v dpdk-testpmd 2>/dev/null || true)"
dpdk_devbind="$(wk_find_devbind || true)"

# XDP toolchain.
libxdp="$(pkg-config --modversion libxdp 2>/dev/null || true)"
[[ -n "${libxdp}" ]] || libxdp="$(ldconfig -p 2>/dev/null | awk '/libxdp\.so\.1 / { print "present"; exit }')"
libbpf="$(pkg-config --modversion libbpf 2>/dev/null || true)"
[[ -n "${libbpf}" ]] || libbpf="$(ldconfig -p 2>/dev/null | awk '/libbpf\.so\.[01] / { print "present"; exit }')"
clang_version="$(clang --version 2>/dev/null | sed -n '1s/.*clang version \([0-9.]*\).*/\1/p')"
bpftool_path="$(command -v bpftool 2>/dev/null || true)"
bpffs=false; awk '$3 == "bpf" { f = 1 } END { exit !f }' /proc/mounts 2>/dev/null && bpffs=true

# RDMA.
rdma_devs=()
for d in /sys/class/infiniband/*; do [[ -e "${d}" ]] && rdma_devs+=("$(basename "${d}")"); done
if command -v ibv_devices > /dev/null 2>&1; then
  ibv="$(ibv_devices 2>&1 | awk 'NR > 2 { printf "%s%s", sep, $1; sep = " " } END { print "" }')"; ibv="${ibv:-no devices}"
else
  ibv="ibv_devices not installed (Debian package ibverbs-utils)"
fi
libibverbs="$(ldconfig -p 2>/dev/null | awk '/libibverbs\.so\.1 / { print "present"; exit }')"

rmem_max="$(wk_read /proc/sys/net/core/rmem_max 0)"

# Verdicts.
v_kernel=ok; r_kernel=("UDP sockets with recvmmsg/sendmmsg work on any Linux")
if (( rmem_max < 8388608 )); then r_kernel+=("net.core.rmem_max is ${rmem_max} bytes: raise it to 8 MiB (deploy/install-deps.sh does) or bursts drop"); fi
memlock_note=""
if [[ "${root}" != true && "${memlock_soft}" != unlimited ]] && ! (( (16#${cap_eff:-0} >> 14) & 1 )); then
  memlock_note="memlock limit ${memlock_soft} KiB and no CAP_IPC_LOCK: wirekv locks its memory; run it with LimitMEMLOCK=infinity and CAP_IPC_LOCK (deploy/systemd/wirekv@.service does)"
  r_kernel+=("${memlock_note}")
fi

v_xdp=ok; r_xdp=()
if ! kernel_at_least 5 4; then v_xdp=no; r_xdp+=("kernel ${kernel} is older than 5.4 (AF_XDP need_wakeup)"); fi
[[ -n "${libxdp}" ]] || { v_xdp=no; r_xdp+=("libxdp missing (Debian: libxdp1 / libxdp-dev)"); }
[[ -n "${libbpf}" ]] || { v_xdp=no; r_xdp+=("libbpf missing (Debian: libbpf1 / libbpf-dev)"); }
[[ -n "${clang_version}" ]] || r_xdp+=("clang missing: needed only to build wirekv's XDP program from source")
if (( ${#xdp_any_nics[@]} == 0 )); then
  v_xdp=no; r_xdp+=("no network interface other than lo")
elif (( ${#xdp_native_nics[@]} == 0 )); then
  [[ "${v_xdp}" == ok ]] && v_xdp=limited
  r_xdp+=("no interface with a native-XDP driver (heuristic): generic (skb) mode only, copy mode, slower")
else
  r_xdp+=("native XDP (heuristic, by driver): ${xdp_native_nics[*]}")
fi
# Capabilities this shell holds (CapEff bits): CAP_NET_ADMIN 12, CAP_NET_RAW 13, CAP_IPC_LOCK 14,
# CAP_SYS_ADMIN 21, CAP_PERFMON 38, CAP_BPF 39.
has_cap() { (( (16#${cap_eff:-0} >> $1) & 1 )); }
if [[ "${root}" != true ]]; then
  if has_cap 12 && has_cap 13 && has_cap 14 && { has_cap 39 || has_cap 21; }; then
    r_xdp+=("not root, but this process holds CAP_NET_ADMIN, CAP_NET_RAW, CAP_IPC_LOCK and CAP_BPF/CAP_SYS_ADMIN: enough")
  else
    r_xdp+=("needs root, or CAP_NET_ADMIN, CAP_NET_RAW, CAP_IPC_LOCK and CAP_BPF with CAP_PERFMON (CAP_SYS_ADMIN before kernel 5.8); deploy/systemd/wirekv@.service grants them")
  fi
fi
[[ "${memlock_soft}" == unlimited ]] || kernel_at_least 5 11 \
  || r_xdp+=("memlock limit ${memlock_soft} KiB: raise it (LimitMEMLOCK=infinity): kernels before 5.11 charge BPF maps and UMEM to it")
[[ "${bpffs}" == true ]] || r_xdp+=("bpffs not mounted at /sys/fs/bpf (libxdp mounts it or falls back; mount -t bpf bpf /sys/fs/bpf to be sure)")

v_dpdk=ok; r_dpdk=()
if [[ -z "${dpdk_version}" || -z "${dpdk_eal}" ]]; then
  v_dpdk=no; r_dpdk+=("DPDK not installed (Debian: dpdk, libdpdk-dev; deploy/install-deps.sh)")
else
  r_dpdk+=("DPDK ${dpdk_version}")
fi
if [[ -n "${mi_size}" ]] && (( ${hp_free[2M]:-0} + ${hp_free[1G]:-0} == 0 )); then
  [[ "${v_dpdk}" == ok ]] && v_dpdk=limited
  r_dpdk+=("no free hugepages: reserve some (deploy/hugepages.sh --2m 1024) or run DPDK with --no-huge (tests only)")
fi
if (( ${#dpdk_bound[@]} )); then
  r_dpdk+=("bound for DPDK: ${dpdk_bound[*]}")
else
  phys_ok=0
  if (( ${#dpdk_candidates[@]} )); then
    if (( iommu_groups > 0 )) || [[ "${noiommu}" == Y ]]; then
      phys_ok=1; r_dpdk+=("bindable NICs (no addresses, no default route): ${dpdk_candidates[*]}; bind with deploy/nic-bind.sh --bind")
    else
      r_dpdk+=("bindable NICs ${dpdk_candidates[*]}, but no IOMMU (enable intel_iommu=on/amd_iommu=on, or nic-bind.sh --noiommu)")
    fi
  fi
  if (( ${#dpdk_blocked[@]} )); then
    r_dpdk+=("PCI NICs in use by the kernel (addresses or the default route; not bound): ${dpdk_blocked[*]}")
  fi
  if (( ! phys_ok )) && [[ "${v_dpdk}" != no ]]; then
    v_dpdk=limited
    r_dpdk+=("no NIC for DPDK's PCI drivers: only virtual devices (net_af_xdp, net_af_packet, net_memif, net_tap, net_ring)")
  fi
fi
(( iommu_groups > 0 )) || r_dpdk+=("IOMMU: no groups (vfio-pci needs one, or no-IOMMU mode)")
[[ -z "${memlock_note}" ]] || r_dpdk+=("${memlock_note}; vfio pins DMA memory against it")
[[ "${vfio}" != absent ]] || r_dpdk+=("vfio-pci module not available for this kernel")

if (( ${#rdma_devs[@]} )); then
  v_rdma=ok; r_rdma=("RDMA devices: ${rdma_devs[*]}")
  [[ -n "${libibverbs}" ]] || { v_rdma=none; r_rdma+=("libibverbs missing (Debian: libibverbs1, rdma-core)"); }
else
  v_rdma=none; r_rdma=("no RDMA devices (/sys/class/infiniband is empty)")
fi

reasons_json() { local out="" r; for r in "$@"; do out+="${out:+, }$(wk_json_str "${r}")"; done; echo "[${out}]"; }
list_json() { local out="" r; for r in "$@"; do [[ -n "${r}" ]] && out+="${out:+, }$(wk_json_str "${r}")"; done; echo "[${out}]"; }

if (( json )); then
  cat <<EOF
{
  "host": {"kernel": $(wk_json_str "${kernel}"), "os": $(wk_json_str "${os}"), "root": ${root}, "capEff": $(wk_json_str "${cap_eff}")},
  "cpu": {"count": ${cpu_count}, "online": $(wk_json_str "${cpu_online}"), "model": $(wk_json_str "${cpu_model}"), "flags": {${flag_json}}},
  "numa": {"nodes": [${numa_json}]},
  "memory": {"totalKb": ${mem_total_kb}},
  "hugepages": {${hp_json}, "meminfo": {"total": ${mi_total:-0}, "free": ${mi_free:-0}, "sizeKb": ${mi_size:-0}}},
  "memlock": {"soft": $(wk_json_str "${memlock_soft}"), "hard": $(wk_json_str "${memlock_hard}"), "unit": "KiB"},
  "iommu": {"groups": ${iommu_groups}, "kernelCmdline": ${iommu_cmdline}, "dmesg": $(wk_json_str "${iommu_dmesg}"), "vfioPci": $(wk_json_str "${vfio}"), "noiommuMode": $([[ ${noiommu} == Y ]] && echo true || echo false)},
  "nics": [${nics_json}],
  "dpdk": {"version": $(wk_json_str "${dpdk_version}"), "eal": $(wk_json_str "${dpdk_eal}"), "testpmd": $(wk_json_str "${dpdk_testpmd}"), "devbind": $(wk_json_str "${dpdk_devbind}"), "bound": $(list_json "${dpdk_bound[@]}")},
  "xdp": {"libxdp": $(wk_json_str "${libxdp}"), "libbpf": $(wk_json_str "${libbpf}"), "clang": $(wk_json_str "${clang_version}"), "bpftool": $(wk_json_str "${bpftool_path}"), "bpffs": ${bpffs}},
  "rdma": {"devices": $(list_json "${rdma_devs[@]}"), "ibvDevices": $(wk_json_str "${ibv}"), "libibverbs": $(wk_json_str "${libibverbs}")},
  "verdicts": {
    "kernel": {"status": "${v_kernel}", "reasons": $(reasons_json "${r_kernel[@]}")},
    "xdp": {"status": "${v_xdp}", "reasons": $(reasons_json "${r_xdp[@]}")},
    "dpdk": {"status": "${v_dpdk}", "reasons": $(reasons_json "${r_dpdk[@]}")},
    "rdma": {"status": "${v_rdma}", "reasons": $(reasons_json "${r_rdma[@]}")}
  }
}
EOF
  exit 0
fi

echo "host: kernel ${kernel}, ${os}, $([[ ${root} == true ]] && echo "running as root" || echo "not root (some facts hidden: dmesg, capabilities)")"
echo "cpu: ${cpu_count} CPUs (online ${cpu_online}), ${cpu_model}; flags: ${flag_text:-none of sse4_2 avx2 avx512f pdpe1gb}"
echo "numa: ${#numa_ids[@]} node(s): ${numa_text:-none reported}"
echo "memory: $(( mem_total_kb / 1024 )) MiB"
for l in "${hp_text[@]}"; do echo "hugepages ${l}"; done
echo "hugepages /proc/meminfo: HugePages_Total ${mi_total:-?}, HugePages_Free ${mi_free:-?}, Hugepagesize ${mi_size:-?} kB"
echo "memlock: soft ${memlock_soft}, hard ${memlock_hard} (KiB)"
echo "iommu: ${iommu_groups} groups; kernel command line $([[ ${iommu_cmdline} == true ]] && echo "enables it" || echo "does not enable it"); dmesg: ${iommu_dmesg}; vfio-pci ${vfio}; no-IOMMU mode ${noiommu}"
if (( ${#nics_text[@]} )); then for l in "${nics_text[@]}"; do echo "nic: ${l}"; done; else echo "nic: none besides lo"; fi
echo "dpdk: ${dpdk_version:-not installed}; eal ${dpdk_eal:-missing}; dpdk-testpmd ${dpdk_testpmd:-missing}; dpdk-devbind.py ${dpdk_devbind:-missing}; bound: ${dpdk_bound[*]:-none}"
echo "xdp: libxdp ${libxdp:-missing}; libbpf ${libbpf:-missing}; clang ${clang_version:-missing}; bpftool ${bpftool_path:-missing}; bpffs $([[ ${bpffs} == true ]] && echo mounted || echo "not mounted")"
echo "rdma: devices ${rdma_devs[*]:-none}; ibv_devices: ${ibv}; libibverbs ${libibverbs:-missing}"
echo "(NIC XDP/zero-copy columns are a heuristic from the driver name; wirekv finds out for real at start-up)"
for b in kernel xdp dpdk rdma; do
  v="v_${b}"; declare -n rs="r_${b}"
  echo "verdict ${b}: ${!v}"
  for r in "${rs[@]}"; do echo "  - ${r}"; done
  unset -n rs
done
