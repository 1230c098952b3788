#!/usr/bin/env bash
# Installs wirekv as a systemd service, idempotently: the launcher, the deploy scripts and
# wirekv.jar under PREFIX (/opt/wirekv), the unit /etc/systemd/system/wirekv@.service, a first
# configuration /etc/wirekv/NAME.conf (from deploy/systemd/wirekv.conf.example; an existing one
# is never overwritten), the capabilities of its backend as the drop-in
# /etc/systemd/system/wirekv@NAME.service.d/backend.conf, the system user `wirekv` and a udev rule
# giving it /dev/vfio/*.
#
#   deploy/install-service.sh [--instance NAME] [--backend kernel|xdp|dpdk] [--prefix DIR] [--jar FILE]
#                             [--as-root] [--enable] [--start] [--destdir DIR] [--dry-run]
#   deploy/install-service.sh --uninstall [--instance NAME] [--prefix DIR] [--dry-run]
#
#   --instance NAME  the configuration to create and enable: /etc/wirekv/NAME.conf (default main)
#   --backend B      the capabilities to grant (deploy/systemd/backend-B.conf; kernel needs none):
#                    default the `backend` of /etc/wirekv/NAME.conf (kernel when it names none)
#   --prefix DIR     where wirekv goes (default /opt/wirekv; the unit's paths follow it)
#   --jar FILE       the wirekv.jar to install (default controlplane/target/wirekv.jar: build it
#                    with ./mvnw -B -DskipTests package)
#   --as-root        run the service as root instead of the `wirekv` user with capabilities
#   --enable         systemctl enable wirekv@NAME (starts at boot)
#   --start          systemctl restart wirekv@NAME now (after --check of the configuration)
#   --destdir DIR    stage everything under DIR (packaging, tests): no user, no systemctl
#   --uninstall      stop and disable wirekv@NAME, remove the unit, NAME's drop-ins, the udev rule and PREFIX;
#                    keeps /etc/wirekv and /var/lib/wirekv
#   --dry-run        print each command and file it would write, do none of them
#   --help           this text
#
# Prepare the host first (deploy/README.md): deploy/preflight.sh, deploy/hugepages.sh,
# deploy/tune-cpu.sh and, for DPDK, deploy/nic-bind.sh. Needs root unless --dry-run or --destdir.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root_dir="$(cd "${here}/.." && pwd)"
WIREKV_PROG=install-service
source "${here}/lib/common.sh"

instance=main; backend=""; prefix=/opt/wirekv; jar=""; as_root=0; enable=0; start=0; destdir=""; uninstall=0
while (( $# )); do
  case "$1" in
    --instance) [[ $# -ge 2 ]] || wk_usage_error "--instance needs a name"; instance="$2"; shift ;;
    --backend) [[ $# -ge 2 ]] || wk_usage_error "--backend needs kernel, xdp or dpdk"; backend="$2"; shift ;;
    --prefix) [[ $# -ge 2 ]] || wk_usage_error "--prefix needs a directory"; prefix="$2"; shift ;;
    --jar) [[ $# -ge 2 ]] || wk_usage_error "--jar needs a file"; jar="$2"; shift ;;
    --as-root) as_root=1 ;;
    --enable) enable=1 ;;
    --start) start=1 ;;
    --destdir) [[ $# -ge 2 ]] || wk_usage_error "--destdir needs a directory"; destdir="$2"; shift ;;
    --uninstall) uninstall=1 ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) wk_help "$0"; exit 0 ;;
    *) wk_usage_error "unknown option '$1'" ;;
  esac
  shift
done
[[ "${instance}" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || wk_usage_error "--instance must be letters, digits, '.', '_', '-' (at most 64)"
[[ -z "${backend}" || "${backend}" =~ ^(kernel|xdp|dpdk)$ ]] || wk_usage_error "--backend must be kernel, xdp or dpdk"
[[ "${prefix}" == /* ]] || wk_usage_error "--prefix must be an absolute path"
if [[ -n "${destdir}" ]]; then destdir="$(mkdir -p "${destdir}" && cd "${destdir}" && pwd)"; fi
if ! wk_is_root && (( ! DRY_RUN )) && [[ -z "${destdir}" ]]; then
  wk_die "installing a service needs root (try --dry-run, or --destdir DIR to stage it)"
fi
systemd_live=0
[[ -z "${destdir}" && -d /run/systemd/system ]] && systemd_live=1
unit="wirekv@${instance}.service"
D="${destdir}"
dropin_dir="${D}/etc/systemd/system/${unit}.d"

systemctl_or_note() {
  if (( systemd_live )); then
    wk_run systemctl "$@"
  elif [[ -z "${destdir}" ]]; then
    wk_say "systemd is not running here; later: systemctl $*"
  fi
}

if (( uninstall )); then
  systemctl_or_note disable --now "${unit}"
  for f in "${D}/etc/systemd/system/wirekv@.service" "${dropin_dir}/backend.conf" "${D}/etc/udev/rules.d/70-wirekv-vfio.rules"; do
    if [[ -e "${f}" ]]; then wk_run rm -f "${f}"; fi
  done
  if [[ -d "${dropin_dir}" ]]; then wk_run rmdir --ignore-fail-on-non-empty "${dropin_dir}"; fi
  if [[ -d "${D}${prefix}" ]]; then wk_run rm -rf "${D}${prefix}"; fi
  systemctl_or_note daemon-reload
  wk_say "kept ${D}/etc/wirekv and ${D}/var/lib/wirekv (remove them by hand if you want)"
  exit 0
fi

# install_file SRC DST MODE: copies unless DST already has the same bytes.
install_file() {
  local src="$1" dst="$2" mode="$3"
  if [[ -f "${dst}" ]] && cmp -s "${src}" "${dst}"; then
    echo "unchanged: ${dst}"
    return
  fi
  wk_run install -D -m "${mode}" "${src}" "${dst}"
  (( DRY_RUN )) || echo "installed: ${dst}"
}

# 1. Files under PREFIX.
jar="${jar:-${root_dir}/controlplane/target/wirekv.jar}"
if [[ ! -f "${jar}" ]]; then
  if (( DRY_RUN )); then
    wk_warn "${jar} does not exist yet (build it: ./mvnw -B -DskipTests package)"
  else
    wk_die "${jar} not found: build it first with ./mvnw -B -DskipTests package (or pass --jar FILE)"
  fi
fi
install_file "${jar}" "${D}${prefix}/lib/wirekv.jar" 0644
for s in wirekv hugepages.sh nic-bind.sh tune-cpu.sh preflight.sh install-service.sh install-deps.sh; do
  if [[ -f "${here}/${s}" ]]; then install_file "${here}/${s}" "${D}${prefix}/deploy/${s}" 0755; fi
done
for s in "${here}"/lib/*.sh; do install_file "${s}" "${D}${prefix}/deploy/lib/$(basename "${s}")" 0644; done
install_file "${here}/README.md" "${D}${prefix}/deploy/README.md" 0644
install_file "${here}/systemd/wirekv.conf.example" "${D}${prefix}/deploy/systemd/wirekv.conf.example" 0644
for s in "${here}"/systemd/backend-*.conf; do install_file "${s}" "${D}${prefix}/deploy/systemd/$(basename "${s}")" 0644; done

# 2. The unit, with this prefix and user.
unit_text="$(sed -e "s#/opt/wirekv#${prefix}#g" "${here}/systemd/wirekv@.service")"
if (( as_root )); then
  unit_text="$(sed -e 's/^User=wirekv$/User=root/' -e 's/^Group=wirekv$/Group=root/' <<< "${unit_text}")"
fi
wk_write_file "${D}/etc/systemd/system/wirekv@.service" <<< "${unit_text}"

# 3. The first configuration (never overwritten: it is the operator's from now on).
conf="${D}/etc/wirekv/${instance}.conf"
if [[ -e "${conf}" ]]; then
  wk_say "kept existing ${conf}"
else
  wk_run install -D -m 0640 "${here}/systemd/wirekv.conf.example" "${conf}"
  wk_say "created ${conf} from the example: edit the lines marked EDIT, then check it with" \
    "${prefix}/deploy/wirekv serve --config /etc/wirekv/${instance}.conf --check"
fi

# 3b. The backend's capabilities: a drop-in for this instance (the unit itself grants the kernel backend's).
conf_backend() { sed -n 's/^[[:space:]]*backend[[:space:]]*=[[:space:]]*\([a-z]*\).*/\1/p' "$1" | tail -n 1; }
if [[ -z "${backend}" ]]; then
  # the configuration's (a dry run has not copied the example yet); without the key, wirekv's default
  if [[ -f "${conf}" ]]; then backend="$(conf_backend "${conf}")"; else backend="$(conf_backend "${here}/systemd/wirekv.conf.example")"; fi
  [[ -n "${backend}" ]] || backend=kernel
fi
if [[ "${backend}" == kernel ]]; then
  if [[ -e "${dropin_dir}/backend.conf" ]]; then wk_run rm -f "${dropin_dir}/backend.conf"; fi
  wk_say "backend kernel: no capabilities beyond the unit's (CAP_NET_BIND_SERVICE)"
else
  wk_write_file "${dropin_dir}/backend.conf" < "${here}/systemd/backend-${backend}.conf"
  wk_say "backend ${backend}: capabilities from ${dropin_dir}/backend.conf"
fi

# 4. The service user, and its access to vfio devices (DPDK).
if (( ! as_root )); then
  if [[ -n "${destdir}" ]]; then
    wk_say "staging: not creating the wirekv user (useradd --system wirekv on the target)"
  elif ! id wirekv > /dev/null 2>&1; then
    wk_run useradd --system --user-group --no-create-home --home-dir /var/lib/wirekv --shell /usr/sbin/nologin wirekv
  else
    wk_say "user wirekv exists"
  fi
  wk_write_file "${D}/etc/udev/rules.d/70-wirekv-vfio.rules" <<'EOF'
# Written by wirekv deploy/install-service.sh: the wirekv service user may open vfio groups (DPDK).
SUBSYSTEM=="vfio", GROUP="wirekv", MODE="0660"
EOF
  if [[ -z "${destdir}" ]]; then
    if [[ -d /run/udev ]]; then
      wk_run udevadm control --reload-rules
      wk_run udevadm trigger --subsystem-match=vfio
    fi
    if [[ -e "${conf}" ]] || (( DRY_RUN )); then wk_run chgrp wirekv "${conf}"; fi
  fi
fi

# 5. systemd.
systemctl_or_note daemon-reload
(( enable )) && systemctl_or_note enable "${unit}"
if (( start )); then
  wk_run env WIREKV_JAR="${prefix}/lib/wirekv.jar" "${prefix}/deploy/wirekv" serve --config "/etc/wirekv/${instance}.conf" --check
  systemctl_or_note restart "${unit}"
  (( systemd_live )) && wk_say "status: systemctl status ${unit}; log: journalctl -u ${unit}"
fi
wk_say "done: ${unit} serves /etc/wirekv/${instance}.conf$( [[ -n "${destdir}" ]] && echo " (staged under ${destdir})")"
