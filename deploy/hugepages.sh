#!/usr/bin/env bash
# Reserves (or releases) hugepages for wirekv and mounts hugetlbfs, idempotently.
# The table, the AF_XDP UMEM and DPDK's mbuf pools use 2 MiB pages; DPDK can also use 1 GiB pages.
#
#   deploy/hugepages.sh [--2m N] [--1g N] [--node LIST|all] [--release] [--persist]
#                       [--no-mount] [--status] [--dry-run] [--help]
#
#   --2m N        have N 2 MiB pages reserved (never lowers an existing larger reservation)
#   --1g N        have N 1 GiB pages reserved (needs CPU support: the pdpe1gb flag)
#   --node LIST   count per NUMA node, for nodes LIST (e.g. 0 or 0,1 or all) through
#                 /sys/devices/system/node/nodeK/hugepages/...; default: N in total, spread by the kernel
#   --release     give pages back: lower the reservation to N (--2m N / --1g N), or to 0 for
#                 both sizes when no size is given; never raises; mounts are left in place
#   --persist     also make it survive a reboot: /etc/sysctl.d/80-wirekv-hugepages.conf (2 MiB),
#                 a boot-time oneshot wirekv-hugepages.service (1 GiB and per-node counts) and the
#                 dev-hugepages1G.mount unit; prints the kernel command line for 1 GiB pages
#   --no-mount    do not mount hugetlbfs (default: /dev/hugepages with pagesize=2M, and
#                 /dev/hugepages1G with pagesize=1G when 1 GiB pages are reserved)
#   --status      print what is reserved, free and mounted, change nothing (the default
#                 when no size and no --release is given)
#   --dry-run     print every command and file write it would do, do none of them
#   --help        this text
#
# After a change it prints what it asked for and what the kernel actually granted: on a
# fragmented machine the kernel may grant fewer pages (it compacts memory and retries once).
# Exit status: 0 done, 1 the kernel granted fewer pages than asked or 1 GiB pages are not
# supported, 2 bad usage. Changes need root; --status and --dry-run do not.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
WIREKV_PROG=hugepages
source "${here}/lib/common.sh"

# Roots of the kernel's and the system's files; tests point them at fake trees.
SYS="${WIREKV_SYSFS:-/sys}"
PROC="${WIREKV_PROCFS:-/proc}"
ETC="${WIREKV_ETC:-/etc}"

want_2m=""; want_1g=""; nodes=""; release=0; persist=0; mount=1; status=0
while (( $# )); do
  case "$1" in
    --2m) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || wk_usage_error "--2m needs a page count"; want_2m="$2"; shift ;;
    --1g) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || wk_usage_error "--1g needs a page count"; want_1g="$2"; shift ;;
    --node) [[ $# -ge 2 ]] || wk_usage_error "--node needs a node list (0, 0,1, all)"; nodes="$2"; shift ;;
    --release) release=1 ;;
    --persist) persist=1 ;;
    --no-mount) mount=0 ;;
    --status) status=1 ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) wk_help "$0"; exit 0 ;;
    *) wk_usage_error "unknown option '$1'" ;;
  esac
  shift
done
if (( release )) && [[ -z "${want_2m}" && -z "${want_1g}" ]]; then want_2m=0; want_1g=0; fi
[[ -z "${want_2m}" && -z "${want_1g}" ]] && status=1

size_dir() { echo "${SYS}/kernel/mm/hugepages/hugepages-$1kB"; }
node_dir() { echo "${SYS}/devices/system/node/node$1/hugepages/hugepages-$2kB"; }
label() { [[ "$1" == 2048 ]] && echo "2 MiB" || echo "1 GiB"; }
all_nodes() {
  local d out=()
  for d in "${SYS}"/devices/system/node/node[0-9]*; do [[ -d "${d}" ]] && out+=("${d##*node}"); done
  echo "${out[*]}"
}

if [[ -n "${nodes}" ]]; then
  if [[ "${nodes}" == all ]]; then
    nodes="$(all_nodes)"
    [[ -n "${nodes}" ]] || wk_die "no NUMA nodes under ${SYS}/devices/system/node; leave out --node"
  else
    nodes="$(wk_expand_cpus "${nodes}")" || wk_usage_error "--node takes a list like 0 or 0,1 or 0-1 or all"
  fi
  for n in ${nodes}; do
    [[ -d "${SYS}/devices/system/node/node${n}" ]] || wk_die "NUMA node ${n} does not exist (nodes here: $(all_nodes))"
  done
fi

# One line per size: reserved, free, surplus, per node, and the mount serving it.
mount_of() {
  awk -v ps="$1" '$3 == "hugetlbfs" {
      size = "2M"; if (match($4, /pagesize=[0-9]+[KMG]/)) size = substr($4, RSTART + 9, RLENGTH - 9)
      if (size == ps) { printf "%s%s", sep, $2; sep = "," } } END { print "" }' "${PROC}/mounts" 2>/dev/null
}
report() {
  local kb="$1" d n per=""
  d="$(size_dir "${kb}")"
  if [[ ! -d "${d}" ]]; then
    wk_say "$(label "${kb}") pages: not supported on this machine (no ${d})"
    return
  fi
  for n in $(all_nodes); do
    per+="${per:+, }node${n} $(wk_read "$(node_dir "${n}" "${kb}")/nr_hugepages" "?")"
  done
  local ps; [[ "${kb}" == 2048 ]] && ps=2M || ps=1G
  local m; m="$(mount_of "${ps}")"
  wk_say "$(label "${kb}") pages: $(wk_read "${d}/nr_hugepages" 0) reserved, $(wk_read "${d}/free_hugepages" 0) free, $(wk_read "${d}/surplus_hugepages" 0) surplus${per:+ (${per})}; hugetlbfs: ${m:-not mounted}"
}

if (( status )) && [[ -z "${want_2m}${want_1g}" ]]; then
  report 2048
  report 1048576
  exit 0
fi

if ! wk_is_root && (( ! DRY_RUN )) && [[ "${SYS}" == /sys ]]; then
  wk_die "changing hugepages needs root (try --dry-run to see what it would do, or --status)"
fi

rc=0
# set_pages KB FILE WANT: raises (or with --release lowers) one nr_hugepages knob to WANT and
# reports what the kernel granted.
set_pages() {
  local kb="$1" file="$2" want="$3" where="$4" have got
  have="$(wk_read "${file}" 0)"
  if (( release )) && (( have <= want )); then
    wk_say "$(label "${kb}") pages${where}: ${have} reserved, nothing to release (asked to go down to ${want})"
    return
  fi
  if (( ! release )) && (( have >= want )); then
    wk_say "$(label "${kb}") pages${where}: ${have} reserved already (asked ${want}), unchanged"
    return
  fi
  wk_sysfs "${want}" "${file}" || true
  (( DRY_RUN )) && return
  got="$(wk_read "${file}" 0)"
  if (( ! release && got < want )); then
    # Fragmented memory: compact and retry once before reporting the shortfall.
    wk_sysfs 1 "${PROC}/sys/vm/compact_memory" || true
    wk_sysfs "${want}" "${file}" || true
    got="$(wk_read "${file}" 0)"
  fi
  wk_say "$(label "${kb}") pages${where}: asked ${want}, kernel granted ${got} (was ${have})"
  if (( ! release && got < want )); then
    wk_warn "the kernel granted only ${got} of ${want} $(label "${kb}") pages${where} (memory is fragmented or short);" \
      "reserve them at boot instead (--persist prints the kernel command line), or free memory and run again"
    rc=1
  fi
  if (( release && got > want )); then
    wk_say "$(label "${kb}") pages${where}: $(( got - want )) still in use; the kernel frees them when their users exit"
  fi
}

reserve() {
  local kb="$1" want="$2" n
  [[ -n "${want}" ]] || return 0
  if [[ ! -d "$(size_dir "${kb}")" ]]; then
    if (( want > 0 )); then
      wk_warn "$(label "${kb}") pages are not supported on this machine (no $(size_dir "${kb}"): the CPU lacks" \
        "the pdpe1gb flag or the kernel was built without them); use 2 MiB pages (--2m)"
      rc=1
    fi
    return 0
  fi
  if [[ -n "${nodes}" ]]; then
    for n in ${nodes}; do set_pages "${kb}" "$(node_dir "${n}" "${kb}")/nr_hugepages" "${want}" " on node${n}"; done
  else
    set_pages "${kb}" "$(size_dir "${kb}")/nr_hugepages" "${want}" ""
  fi
}

reserve 2048 "${want_2m}"
reserve 1048576 "${want_1g}"

# ensure_mount DIR PAGESIZE: mounts hugetlbfs at DIR unless a hugetlbfs of that page size is there.
ensure_mount() {
  local dir="$1" ps="$2"
  if awk -v d="${dir}" '$2 == d && $3 == "hugetlbfs" { found = 1 } END { exit !found }' "${PROC}/mounts" 2>/dev/null; then
    wk_say "hugetlbfs already mounted at ${dir}"
    return
  fi
  wk_run mkdir -p "${dir}"
  wk_run mount -t hugetlbfs -o "pagesize=${ps}" nodev "${dir}"
}
if (( mount && ! release )); then
  count_now() { local d; d="$(size_dir "$1")"; [[ -d "${d}" ]] && wk_read "${d}/nr_hugepages" 0 || echo 0; }
  if [[ -n "${want_2m}" ]] && (( want_2m > 0 || $(count_now 2048) > 0 )); then ensure_mount /dev/hugepages 2M; fi
  if [[ -n "${want_1g}" && -d "$(size_dir 1048576)" ]] && (( want_1g > 0 || $(count_now 1048576) > 0 )); then
    ensure_mount /dev/hugepages1G 1G
  fi
fi

if (( persist )); then
  if [[ -n "${want_2m}" && -z "${nodes}" ]]; then
    wk_write_file "${ETC}/sysctl.d/80-wirekv-hugepages.conf" <<EOF
# Written by wirekv deploy/hugepages.sh: 2 MiB hugepages for wirekv, reserved early at boot.
vm.nr_hugepages = ${want_2m}
EOF
  fi
  args=()
  [[ -n "${want_2m}" && -n "${nodes}" ]] && args+=(--2m "${want_2m}")
  [[ -n "${want_1g}" ]] && args+=(--1g "${want_1g}")
  if (( ${#args[@]} )) && (( ! release )); then
    [[ -n "${nodes}" ]] && args+=(--node "$(wk_join_cpus "${nodes}")")
    wk_write_file "${ETC}/systemd/system/wirekv-hugepages.service" <<EOF
# Written by wirekv deploy/hugepages.sh: reserves hugepages at boot, before wirekv starts.
[Unit]
Description=wirekv hugepage reservation
DefaultDependencies=no
After=local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${here}/hugepages.sh ${args[*]}

[Install]
WantedBy=multi-user.target
EOF
  fi
  if [[ -n "${want_1g}" ]] && (( want_1g > 0 )); then
    wk_write_file "${ETC}/systemd/system/dev-hugepages1G.mount" <<EOF
# Written by wirekv deploy/hugepages.sh: hugetlbfs with 1 GiB pages for DPDK.
[Unit]
Description=Huge Pages File System (1 GiB pages)
DefaultDependencies=no
ConditionPathExists=/sys/kernel/mm/hugepages/hugepages-1048576kB

[Mount]
What=hugetlbfs
Where=/dev/hugepages1G
Type=hugetlbfs
Options=pagesize=1G

[Install]
WantedBy=sysinit.target
EOF
    wk_say "1 GiB pages are only reliably available when reserved at boot; add to the kernel command line"
    wk_say "  (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub and reboot):"
    wk_say "  default_hugepagesz=2M hugepagesz=1G hugepages=${want_1g} hugepagesz=2M hugepages=${want_2m:-0}"
  fi
  units=()
  [[ -f "${ETC}/systemd/system/wirekv-hugepages.service" || ( ${DRY_RUN} -eq 1 && ${#args[@]} -gt 0 ) ]] && (( ! release )) \
    && units+=(wirekv-hugepages.service)
  [[ -n "${want_1g}" ]] && (( want_1g > 0 )) && units+=(dev-hugepages1G.mount)
  if (( ${#units[@]} )); then
    if [[ -d /run/systemd/system && "${ETC}" == /etc ]]; then
      wk_run systemctl daemon-reload
      wk_run systemctl enable "${units[@]}"
    else
      wk_say "systemd is not running here: enable later with: systemctl daemon-reload && systemctl enable ${units[*]}"
    fi
  fi
fi

(( DRY_RUN )) || { report 2048; report 1048576; }
exit "${rc}"
