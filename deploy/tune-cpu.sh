#!/usr/bin/env bash
# Tunes CPUs and interrupts for wirekv's lcores, idempotently: keeps device interrupts and
# unbound kernel work off the lcore CPUs, sets the cpufreq governor to performance on them, and
# prints the kernel command line that isolates them (it never edits the bootloader).
#
#   deploy/tune-cpu.sh --cpus LIST [--housekeeping LIST] [--no-irq] [--no-governor] [--dry-run]
#   deploy/tune-cpu.sh --reset [--dry-run]
#
#   --cpus LIST          the lcore CPUs, as in wirekv's `cpus` key (e.g. 2,3 or 2-5)
#   --housekeeping LIST  CPUs for interrupts and the rest of the system (default: every online
#                        CPU that is not an lcore; at least one is needed)
#   --no-irq             leave IRQ affinity alone (/proc/irq/*/smp_affinity_list)
#   --no-governor        leave the cpufreq governor alone
#   --reset              give every IRQ and unbound workqueue all online CPUs again
#   --dry-run            print each write (file and value) it would do, do none of them
#   --help               this text
#
# What it does, in order:
#   1. prints the kernel command line for the lcores (isolcpus=managed_irq,domain,LIST
#      nohz_full=LIST rcu_nocbs=LIST irqaffinity=HOUSEKEEPING), which parts are already active
#      (/proc/cmdline), and the GRUB line to put in /etc/default/grub (then update-grub, reboot);
#   2. writes the housekeeping CPUs to /proc/irq/N/smp_affinity_list for every IRQ (some IRQs
#      refuse: per-CPU and kernel-managed ones; they are counted, not fatal), to
#      /proc/irq/default_smp_affinity and to /sys/devices/virtual/workqueue/cpumask;
#   3. sets scaling_governor to performance on the lcore CPUs where cpufreq exists;
#   4. says whether irqbalance runs (it would move IRQs back) and how to disable it.
# IRQ affinity and the governor do not survive a reboot; run it from a boot-time unit or use
# the kernel command line. Changes need root; --dry-run does not.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
WIREKV_PROG=tune-cpu
source "${here}/lib/common.sh"

# Roots of the kernel's files; tests point them at fake trees.
SYS="${WIREKV_SYSFS:-/sys}"
PROC="${WIREKV_PROCFS:-/proc}"

cpus=""; hk=""; irq=1; governor=1; reset=0
while (( $# )); do
  case "$1" in
    --cpus) [[ $# -ge 2 ]] || wk_usage_error "--cpus needs a CPU list"; cpus="$2"; shift ;;
    --housekeeping) [[ $# -ge 2 ]] || wk_usage_error "--housekeeping needs a CPU list"; hk="$2"; shift ;;
    --no-irq) irq=0 ;;
    --no-governor) governor=0 ;;
    --reset) reset=1 ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) wk_help "$0"; exit 0 ;;
    *) wk_usage_error "unknown option '$1'" ;;
  esac
  shift
done
(( reset )) || [[ -n "${cpus}" ]] || wk_usage_error "--cpus LIST is required (the lcore CPUs, e.g. --cpus 2,3)"
if ! wk_is_root && (( ! DRY_RUN )) && [[ "${PROC}" == /proc ]]; then
  wk_die "changing IRQ affinity and governors needs root (try --dry-run to see what it would do)"
fi

online="$(wk_expand_cpus "$(wk_read "${SYS}/devices/system/cpu/online" "0-$(( $(nproc --all) - 1 ))")")"
in_list() { [[ " $2 " == *" $1 "* ]]; }

# hex_mask "0 1 5" -> "23": the kernel's cpumask format, 32-bit groups joined by commas.
hex_mask() {
  local cpu groups=() g out="" i
  for cpu in $1; do
    g=$((cpu / 32))
    groups[g]=$(( ${groups[g]:-0} | (1 << (cpu % 32)) ))
  done
  local top=$(( ${#groups[@]} ? $(printf '%s\n' "${!groups[@]}" | sort -n | tail -1) : 0 ))
  for (( i = top; i >= 0; i-- )); do
    if (( i == top )); then out+="$(printf '%x' "${groups[i]:-0}")"; else out+=",$(printf '%08x' "${groups[i]:-0}")"; fi
  done
  echo "${out}"
}
# canonical_mask "00000000,00000023" -> "23" (for comparing what the kernel prints with ours).
canonical_mask() { local m="${1//,/}"; m="$(sed 's/^0*//' <<< "${m}")"; echo "${m:-0}"; }

if (( reset )); then
  lcores=""; hkl="${online}"
else
  lcores="$(wk_expand_cpus "${cpus}")" || wk_usage_error "--cpus '${cpus}' is not a CPU list like 2,3 or 2-5"
  for c in ${lcores}; do in_list "${c}" "${online}" || wk_die "CPU ${c} is not online (online: $(wk_join_cpus "${online}"))"; done
  if [[ -n "${hk}" ]]; then
    hkl="$(wk_expand_cpus "${hk}")" || wk_usage_error "--housekeeping '${hk}' is not a CPU list"
    for c in ${hkl}; do
      in_list "${c}" "${lcores}" && wk_die "CPU ${c} is both an lcore and a housekeeping CPU"
      in_list "${c}" "${online}" || wk_die "housekeeping CPU ${c} is not online"
    done
  else
    hkl=""
    for c in ${online}; do in_list "${c}" "${lcores}" || hkl+="${hkl:+ }${c}"; done
  fi
  [[ -n "${hkl}" ]] || wk_die "--cpus $(wk_join_cpus "${lcores}") takes every online CPU; leave at least one for" \
    "interrupts and the system (online: $(wk_join_cpus "${online}"))"
fi
L="$(wk_join_cpus "${lcores}")"
H="$(wk_join_cpus "${hkl}")"

# 1. Kernel command line guidance.
if (( ! reset )); then
  wk_say "lcore CPUs ${L}; housekeeping CPUs ${H}"
  params=("isolcpus=managed_irq,domain,${L}" "nohz_full=${L}" "rcu_nocbs=${L}" "irqaffinity=${H}")
  cmdline=" $(wk_read "${PROC}/cmdline") "
  missing=()
  for p in "${params[@]}"; do
    if [[ "${cmdline}" == *" ${p} "* ]]; then wk_say "kernel command line: ${p} active"; else missing+=("${p}"); fi
  done
  if (( ${#missing[@]} )); then
    wk_say "kernel command line: missing ${missing[*]}"
    grub_now="$(sed -n 's/^GRUB_CMDLINE_LINUX_DEFAULT="\(.*\)"$/\1/p' /etc/default/grub 2>/dev/null | tail -1 || true)"
    grub_now="$(sed -E 's/(^| )(isolcpus|nohz_full|rcu_nocbs|irqaffinity)=[^ ]*//g; s/^ +//' <<< "${grub_now}")"
    wk_say "put this line in /etc/default/grub, then run update-grub and reboot (this script never edits it):"
    echo "GRUB_CMDLINE_LINUX_DEFAULT=\"${grub_now:+${grub_now} }${params[*]}\""
  fi
  [[ -e "${SYS}/devices/system/cpu/nohz_full" ]] \
    || wk_say "note: this kernel has no ${SYS}/devices/system/cpu/nohz_full (built without NO_HZ_FULL): nohz_full has no effect"
  wk_say "wirekv configuration: lcores = $(wc -w <<< "${lcores}"), cpus = ${L}, idle = busy-spin"
fi

# 2. IRQs and unbound workqueues onto the housekeeping CPUs.
if (( irq )); then
  changed=0; same=0; refused=0
  for d in "${PROC}"/irq/[0-9]*; do
    [[ -f "${d}/smp_affinity_list" ]] || continue
    cur="$(wk_read "${d}/smp_affinity_list")"
    if [[ -n "${cur}" ]] && [[ "$(wk_join_cpus "$(wk_expand_cpus "${cur}" || echo x)")" == "${H}" ]]; then
      same=$((same + 1)); continue
    fi
    if wk_sysfs "${H}" "${d}/smp_affinity_list"; then changed=$((changed + 1)); else refused=$((refused + 1)); fi
  done
  mask="$(hex_mask "${hkl}")"
  if [[ -f "${PROC}/irq/default_smp_affinity" ]]; then
    if [[ "$(canonical_mask "$(wk_read "${PROC}/irq/default_smp_affinity")")" == "$(canonical_mask "${mask}")" ]]; then
      same=$((same + 1))
    elif wk_sysfs "${mask}" "${PROC}/irq/default_smp_affinity"; then changed=$((changed + 1)); else refused=$((refused + 1)); fi
  fi
  wq="${SYS}/devices/virtual/workqueue/cpumask"
  if [[ -f "${wq}" ]]; then
    if [[ "$(canonical_mask "$(wk_read "${wq}")")" == "$(canonical_mask "${mask}")" ]]; then
      wk_say "unbound workqueues already on CPUs ${H}"
    elif wk_sysfs "${mask}" "${wq}"; then
      (( DRY_RUN )) || wk_say "unbound workqueues moved to CPUs ${H}"
    else
      wk_warn "could not set ${wq}"
    fi
  fi
  if (( DRY_RUN )); then
    wk_say "IRQ affinity: would set ${changed} to CPUs ${H}, ${same} already there"
  else
    wk_say "IRQ affinity: ${changed} set to CPUs ${H}, ${same} already there, ${refused} refused (per-CPU or kernel-managed IRQs)"
  fi
fi

# 3. cpufreq governor on the lcores.
if (( governor && ! reset )); then
  found=0
  for c in ${lcores}; do
    g="${SYS}/devices/system/cpu/cpu${c}/cpufreq/scaling_governor"
    [[ -f "${g}" ]] || continue
    found=1
    cur="$(wk_read "${g}")"
    if [[ "${cur}" == performance ]]; then
      wk_say "CPU ${c}: governor performance already"
    elif grep -qw performance "${SYS}/devices/system/cpu/cpu${c}/cpufreq/scaling_available_governors" 2>/dev/null; then
      wk_sysfs performance "${g}" || wk_warn "CPU ${c}: could not set the performance governor"
      (( DRY_RUN )) || wk_say "CPU ${c}: governor ${cur} -> $(wk_read "${g}")"
    else
      wk_say "CPU ${c}: governor ${cur}; performance is not offered by this cpufreq driver"
    fi
  done
  (( found )) || wk_say "cpufreq: not present on the lcore CPUs (a VM, or frequency managed by firmware); nothing to set"
fi

# 4. irqbalance would undo step 2.
if (( irq )); then
  if pidof irqbalance > /dev/null 2>&1; then
    wk_say "irqbalance is running and will move IRQs back onto the lcores: stop it with"
    wk_say "  systemctl disable --now irqbalance"
    wk_say "  or keep it and ban the lcores: IRQBALANCE_BANNED_CPULIST=${L:-<lcores>} in /etc/default/irqbalance, then systemctl restart irqbalance"
  else
    wk_say "irqbalance: not running (good: nothing moves IRQs back)"
  fi
fi
