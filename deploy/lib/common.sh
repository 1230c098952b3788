# shellcheck shell=bash
# Shared helpers for wirekv's deploy scripts (hugepages.sh, nic-bind.sh, tune-cpu.sh,
# preflight.sh, install-service.sh). Source it; set WIREKV_PROG to the script's short name and
# DRY_RUN=0/1 before calling the helpers.
#
# Dry-run contract: every change a script makes goes through one of
#   wk_run CMD...        -> "would run: CMD..."
#   wk_sysfs VALUE FILE  -> "would write: VALUE > FILE"      (sysfs/procfs knobs)
#   wk_write_file FILE   -> "would write: FILE" + the content, indented by 4 spaces
# so that --dry-run prints exactly what a real run would do and nothing else changes.

WIREKV_PROG="${WIREKV_PROG:-wirekv}"
DRY_RUN="${DRY_RUN:-0}"

wk_say() { echo "${WIREKV_PROG}: $*"; }
wk_warn() { echo "${WIREKV_PROG}: warning: $*" >&2; }
wk_die() { echo "${WIREKV_PROG}: $*" >&2; exit 1; }
wk_usage_error() { echo "${WIREKV_PROG}: $* (try --help)" >&2; exit 2; }

# Prints the comment block at the top of the calling script (after the shebang) as its help.
wk_help() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$1"
}

wk_is_root() { [[ $(id -u) -eq 0 ]]; }

wk_run() {
  if (( DRY_RUN )); then
    echo "would run: $*"
  else
    "$@"
  fi
}

# wk_sysfs VALUE FILE: writes VALUE into a kernel knob; returns the write's status.
wk_sysfs() {
  local value="$1" file="$2"
  if (( DRY_RUN )); then
    echo "would write: ${value} > ${file}"
    return 0
  fi
  { echo "${value}" > "${file}"; } 2>/dev/null
}

# wk_write_file FILE [MODE] < CONTENT: writes CONTENT to FILE unless it is already there
# (idempotent); says "unchanged" when it was.
wk_write_file() {
  local file="$1" mode="${2:-0644}" content
  content="$(cat)"
  if [[ -f "${file}" ]] && [[ "$(cat "${file}")" == "${content}" ]]; then
    wk_say "${file} unchanged"
    return 0
  fi
  if (( DRY_RUN )); then
    echo "would write: ${file}"
    printf '%s\n' "${content}" | sed 's/^/    /'
    return 0
  fi
  mkdir -p "$(dirname "${file}")"
  printf '%s\n' "${content}" > "${file}.wirekv-tmp"
  chmod "${mode}" "${file}.wirekv-tmp"
  mv -f "${file}.wirekv-tmp" "${file}"
  wk_say "wrote ${file}"
}

# Reads a one-line kernel file, or prints the fallback ($2, default empty) when unreadable.
wk_read() {
  local v
  if v="$(cat "$1" 2>/dev/null)"; then echo "${v}"; else echo "${2:-}"; fi
}

# wk_expand_cpus "2-5,8" -> "2 3 4 5 8"; fails on bad syntax.
wk_expand_cpus() {
  local part lo hi list=()
  local IFS=','
  for part in $1; do
    if [[ "${part}" =~ ^[0-9]+$ ]]; then
      list+=("${part}")
    elif [[ "${part}" =~ ^([0-9]+)-([0-9]+)$ ]]; then
      lo="${BASH_REMATCH[1]}"; hi="${BASH_REMATCH[2]}"
      (( lo <= hi )) || return 1
      while (( lo <= hi )); do list+=("${lo}"); lo=$((lo + 1)); done
    else
      return 1
    fi
  done
  (( ${#list[@]} )) || return 1
  local IFS=" "; echo "${list[*]}"
}

# wk_join_cpus "0 1 2 4" -> "0-2,4" (the kernel's list format).
wk_join_cpus() {
  local cpu start=-1 prev=-1 out=""
  for cpu in $(tr ' ' '\n' <<< "$1" | sort -n | uniq); do
    if (( start < 0 )); then
      start=${cpu}
    elif (( cpu != prev + 1 )); then
      out+="$( (( start == prev )) && echo "${start}" || echo "${start}-${prev}"),"
      start=${cpu}
    fi
    prev=${cpu}
  done
  (( start < 0 )) && return 0
  out+="$( (( start == prev )) && echo "${start}" || echo "${start}-${prev}")"
  echo "${out}"
}

# Online CPUs as a space-separated list.
wk_online_cpus() {
  wk_expand_cpus "$(wk_read /sys/devices/system/cpu/online "0-$(( $(nproc --all) - 1 ))")"
}

# wk_json_str STRING -> a JSON string literal (quotes, backslashes and control characters escaped).
wk_json_str() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\t'/\\t}"
  s="${s//$'\r'/\\r}"
  s="$(printf '%s' "${s}" | tr -d '\000-\037')"
  printf '"%s"' "${s}"
}

# Finds DPDK's dpdk-devbind.py (Debian's dpdk package puts it in /usr/bin); WIREKV_DEVBIND overrides.
wk_find_devbind() {
  local c
  for c in "${WIREKV_DEVBIND:-}" "$(command -v dpdk-devbind.py 2>/dev/null)" /usr/bin/dpdk-devbind.py \
           /usr/sbin/dpdk-devbind.py /usr/local/bin/dpdk-devbind.py /usr/share/dpdk/usertools/dpdk-devbind.py; do
    if [[ -n "${c}" && -x "${c}" ]]; then echo "${c}"; return 0; fi
  done
  return 1
}

# wk_pci_of IFACE -> the interface's PCI address (e.g. 0000:01:00.0), the nearest PCI device
# above it in sysfs (virtio NICs sit one level below theirs); fails when it has none.
wk_pci_of() {
  local dev
  dev="$(readlink -f "/sys/class/net/$1/device" 2>/dev/null)" || return 1
  [[ -n "${dev}" ]] || return 1
  while [[ "${dev}" != "/" && "${dev}" != "/sys" ]]; do
    if [[ "$(basename "${dev}")" =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$ ]]; then
      basename "${dev}"
      return 0
    fi
    dev="$(dirname "${dev}")"
  done
  return 1
}

# wk_netdev_driver IFACE -> the kernel driver serving the interface (virtio_net, ixgbe, veth...).
wk_netdev_driver() {
  local d
  d="$(readlink "/sys/class/net/$1/device/driver" 2>/dev/null)" && { basename "${d}"; return 0; }
  d="$(ethtool -i "$1" 2>/dev/null | awk -F': ' '/^driver:/ {print $2}')"
  [[ -n "${d}" ]] && { echo "${d}"; return 0; }
  echo "none"
}
