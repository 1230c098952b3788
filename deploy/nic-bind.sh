#!/usr/bin/env bash
# Binds a NIC to a DPDK-capable driver (vfio-pci) for wirekv's dpdk backend, or gives it back,
# wrapping DPDK's dpdk-devbind.py (Debian's dpdk package installs it as /usr/bin/dpdk-devbind.py).
# Idempotent: a device already on the asked driver is left alone.
#
#   deploy/nic-bind.sh --status
#   deploy/nic-bind.sh --bind IFACE|PCI [--driver DRIVER] [--noiommu] [--force] [--dry-run]
#   deploy/nic-bind.sh --unbind IFACE|PCI [--force] [--dry-run]
#
#   --status          list network devices (PCI address, driver, interface, addresses, default
#                     route) and what dpdk-devbind.py reports; changes nothing (the default)
#   --bind DEV        bind DEV (an interface name like eth1, or a PCI address like 0000:01:00.0)
#                     to DRIVER; loads the driver's module first
#   --driver DRIVER   vfio-pci (default), uio_pci_generic, or a kernel driver (ixgbe, i40e,
#                     mlx5_core, virtio-pci...) to give the device back to the kernel
#   --unbind DEV      unbind DEV from its driver (it then has none until bound again)
#   --noiommu         allow vfio-pci without an IOMMU (enable_unsafe_noiommu_mode: no DMA
#                     isolation; for VMs without a virtual IOMMU)
#   --force           bind or unbind even though the interface has addresses or carries the
#                     default route (you lose that connectivity: never do this over ssh on it)
#   --dry-run         print the commands (modprobe, dpdk-devbind.py) and writes, do none of them
#   --help            this text
#
# It refuses, unless --force, to take an interface that has IP addresses (other than
# link-local) or carries the default route. Mellanox/NVIDIA NICs (mlx4/mlx5) are not bound at
# all: DPDK drives them through the kernel driver (bifurcated). Changes need root.
# Environment: WIREKV_DEVBIND=path overrides where dpdk-devbind.py is looked for.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
WIREKV_PROG=nic-bind
source "${here}/lib/common.sh"

action=status; dev=""; driver=vfio-pci; noiommu=0; force=0
while (( $# )); do
  case "$1" in
    --status) action=status ;;
    --bind) [[ $# -ge 2 ]] || wk_usage_error "--bind needs an interface or PCI address"; action=bind; dev="$2"; shift ;;
    --unbind) [[ $# -ge 2 ]] || wk_usage_error "--unbind needs an interface or PCI address"; action=unbind; dev="$2"; shift ;;
    --driver) [[ $# -ge 2 ]] || wk_usage_error "--driver needs a driver name"; driver="$2"; shift ;;
    --noiommu) noiommu=1 ;;
    --force) force=1 ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) wk_help "$0"; exit 0 ;;
    *) wk_usage_error "unknown option '$1'" ;;
  esac
  shift
done

PCI_RE='^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$'
USERSPACE_DRIVERS=" vfio-pci uio_pci_generic igb_uio "

pci_driver() { local d; d="$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" && basename "${d}" || echo none; }
pci_netdevs() {
  local n
  for n in "/sys/bus/pci/devices/$1"/net/* "/sys/bus/pci/devices/$1"/virtio*/net/*; do
    if [[ -e "${n}" ]]; then basename "${n}"; fi
  done
}
if_addrs() { ip -o addr show dev "$1" 2>/dev/null | awk '$0 !~ / scope link / { printf "%s%s", sep, $4; sep = " " } END { print "" }'; }
if_default_route() {
  local routes
  routes="$(ip -4 route show default 2>/dev/null; ip -6 route show default 2>/dev/null)" || true
  [[ " ${routes//$'\n'/ } " == *" dev $1 "* ]]
}

status() {
  local i pci drv addrs
  echo "network interfaces:"
  for i in /sys/class/net/*; do
    i="$(basename "${i}")"
    [[ "${i}" == lo ]] && continue
    pci="$(wk_pci_of "${i}" || echo "-")"
    drv="$(wk_netdev_driver "${i}")"
    addrs="$(if_addrs "${i}")"
    printf '  %-16s pci %-13s driver %-12s %s%s\n' "${i}" "${pci}" "${drv}" "${addrs:-no addresses}" \
      "$(if if_default_route "${i}"; then echo ", default route"; fi)"
  done
  local devbind
  if devbind="$(wk_find_devbind)"; then
    echo "dpdk-devbind.py (${devbind}) --status-dev net:"
    "${devbind}" --status-dev net 2>/dev/null | sed '/^$/d; s/^/  /' || true
  else
    echo "dpdk-devbind.py: not found (install Debian's dpdk package: deploy/install-deps.sh)"
  fi
  if compgen -G "/sys/kernel/iommu_groups/*" > /dev/null; then
    echo "IOMMU: $(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l) groups (vfio-pci usable)"
  else
    echo "IOMMU: none (vfio-pci needs --noiommu; enable intel_iommu=on or amd_iommu=on iommu=pt on the kernel command line)"
  fi
}

if [[ "${action}" == status ]]; then status; exit 0; fi

# Resolve DEV to a PCI address and the interfaces on it.
if [[ "${dev}" =~ ${PCI_RE} ]]; then
  pci="${dev}"
  [[ "${pci}" =~ ^[0-9a-fA-F]{4}: ]] || pci="0000:${pci}"
  pci="${pci,,}"
  [[ -e "/sys/bus/pci/devices/${pci}" ]] || wk_die "no PCI device ${pci} (see --status)"
  netdevs="$(pci_netdevs "${pci}" | tr '\n' ' ')"
elif [[ -e "/sys/class/net/${dev}" ]]; then
  pci="$(wk_pci_of "${dev}")" || wk_die "${dev} is not a PCI device (driver $(wk_netdev_driver "${dev}")): DPDK binds" \
    "PCI NICs only; for a virtual interface use a DPDK vdev (dpdk.eal.args = --vdev=net_af_xdp0,iface=${dev})" \
    "or the xdp backend (xdp.interface = ${dev})"
  netdevs="${dev}"
else
  wk_die "no interface or PCI device named '${dev}' (see --status)"
fi

current="$(pci_driver "${pci}")"
if [[ "${action}" == bind && "${current}" == "${driver}" ]]; then
  wk_say "${pci} is already bound to ${driver}, unchanged"
  exit 0
fi
if [[ "${action}" == unbind && "${current}" == none ]]; then
  wk_say "${pci} is not bound to any driver, unchanged"
  exit 0
fi
case "${current}/${action}" in
  mlx4_core/bind|mlx5_core/bind)
    if [[ "${USERSPACE_DRIVERS}" == *" ${driver} "* ]]; then
      wk_die "${pci} is a Mellanox/NVIDIA NIC (${current}): DPDK's mlx PMDs run on top of the kernel driver;" \
        "do not bind it, pass it to DPDK as dpdk.eal.args = -a ${pci}"
    fi ;;
esac

# Taking the device away from the kernel: refuse when that would cut this host off.
if [[ "${action}" == unbind || "${USERSPACE_DRIVERS}" == *" ${driver} "* ]]; then
  for i in ${netdevs}; do
    reasons=()
    if_default_route "${i}" && reasons+=("carries the default route")
    a="$(if_addrs "${i}")"
    [[ -n "${a}" ]] && reasons+=("has addresses ${a}")
    if (( ${#reasons[@]} )); then
      if (( force )); then
        wk_warn "${i} (${pci}) $(IFS=';'; echo "${reasons[*]}"); going ahead because of --force"
      else
        wk_die "refusing to ${action} ${i} (${pci}): it $(IFS=';'; echo "${reasons[*]}" | sed 's/;/ and /g')." \
          "Taking it from the kernel cuts that connectivity. Use another NIC, the xdp backend (which keeps" \
          "the kernel's traffic flowing), or --force if you are sure"
      fi
    fi
  done
fi

wk_is_root || (( DRY_RUN )) || wk_die "binding a device needs root (try --dry-run)"
devbind="$(wk_find_devbind)" || wk_die "dpdk-devbind.py not found (install Debian's dpdk package: deploy/install-deps.sh)"

if [[ "${action}" == bind ]]; then
  module="${driver//-/_}"
  if [[ ! -d "/sys/module/${module}" ]]; then
    wk_run modprobe "${driver}" || wk_die "cannot load ${driver}: modprobe failed (is the module built for this kernel?)"
  fi
  if [[ "${driver}" == vfio-pci ]] && ! compgen -G "/sys/kernel/iommu_groups/*" > /dev/null; then
    if (( noiommu )); then
      wk_warn "no IOMMU: enabling vfio's unsafe no-IOMMU mode (no DMA isolation)"
      wk_sysfs 1 /sys/module/vfio/parameters/enable_unsafe_noiommu_mode \
        || wk_die "cannot enable no-IOMMU mode (/sys/module/vfio/parameters/enable_unsafe_noiommu_mode)"
    elif [[ "$(wk_read /sys/module/vfio/parameters/enable_unsafe_noiommu_mode N)" != Y ]]; then
      wk_die "no IOMMU on this host (/sys/kernel/iommu_groups is empty): vfio-pci cannot take ${pci}." \
        "Enable it on the kernel command line (intel_iommu=on or amd_iommu=on, with iommu=pt) and reboot," \
        "or pass --noiommu (unsafe: no DMA isolation; for VMs)"
    fi
  fi
  args=(--bind="${driver}")
else
  args=(-u)
fi
(( force )) && args+=(--force)
wk_run "${devbind}" "${args[@]}" "${pci}"
if (( ! DRY_RUN )); then
  now="$(pci_driver "${pci}")"
  if [[ "${action}" == bind && "${now}" != "${driver}" ]]; then
    wk_die "${pci} is on driver '${now}' after binding, not ${driver} (see dmesg)"
  fi
  wk_say "${pci}: driver ${current} -> ${now}"
fi
