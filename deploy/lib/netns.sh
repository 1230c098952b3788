# shellcheck shell=bash
# Network namespaces for the demo and the bench scripts (the tests' Java kits, TestNetwork and NetnsLink, do the
# same). Source it; every function needs root and iproute2 (ip, tc) and ethtool; delay needs /dev/net/tun and
# Debian's /usr/bin/python3, loss nft (nftables): deploy/install-deps.sh installs them.
#
# A namespace with one end of a veth pair, the other end on the host, each with an address on one /24
# (omit both addresses for a pair without IP, e.g. for AF_XDP frames built by hand):
#   wirekv_veth_namespace NS HOST_END PEER_END [HOST_IP PEER_IP]
#   wirekv_veth_namespace_delete NS HOST_END         # kills what runs in NS (by PID), deletes NS and the pair
#
# Two namespaces joined by a veth pair (each end named as its namespace, 15 characters at most), on a /30:
#   wirekv_netns_link NS_A NS_B IP_A IP_B
#   wirekv_netns_cut NS_A NS_B / wirekv_netns_heal NS_A NS_B   # both ends down / up (with a delay's TUN devices)
#   wirekv_netns_delay NS_A NS_B DELAY_MS [JITTER_MS]          # each direction (a round trip: twice the delay)
#   wirekv_netns_loss NS_A NS_B PERCENT                        # each direction, at random (0: none)
#   wirekv_netns_clear NS_A NS_B                               # no more delay, loss or qdisc
#   wirekv_netns_delete NS...                                  # kills what runs inside (by PID), deletes them
# This kernel has no netem (sch_netem), so delay and loss are made as NetnsLink makes them. Loss: an nf_tables table
# (inet wirekvlink) in each namespace drops that share of the packets arriving from the other end (numgen random):
# real kernel drops. Delay: deploy/lib/netns-relay.py, a Mahimahi-style relay in this shell's namespace holding each
# packet for the delay between two TUN devices, one moved into each namespace with a /32 route to the other end's
# address through it (the veth's /30 stays; the addresses do not change). The relay is a child of the calling
# shell and exits when that shell does (or on wirekv_netns_clear/_delete); its devices and routes go with it.

wirekv_veth_namespace() {
  local ns="$1" host="$2" peer="$3" host_ip="${4:-}" peer_ip="${5:-}"
  ip netns add "${ns}"
  ip link add "${host}" type veth peer name "${peer}"
  ip link set "${peer}" netns "${ns}"
  if [[ -n "${host_ip}" ]]; then ip addr add "${host_ip}/24" dev "${host}"; fi
  ip link set "${host}" up
  if [[ -n "${peer_ip}" ]]; then ip netns exec "${ns}" ip addr add "${peer_ip}/24" dev "${peer}"; fi
  ip netns exec "${ns}" ip link set "${peer}" up
  ip netns exec "${ns}" ip link set lo up
  # A veth leaves UDP checksums to a NIC that does not exist; a real wire carries them complete.
  ip netns exec "${ns}" ethtool -K "${peer}" tx off >/dev/null
}

wirekv_veth_namespace_delete() {
  local ns="$1" host="$2"
  wirekv_netns_delete "${ns}"
  ip link delete "${host}" 2>/dev/null || true   # gone with the namespace unless it never moved there
}

wirekv_netns_link() {
  local a="$1" b="$2" ip_a="$3" ip_b="$4" ns ip
  ip netns add "${a}"
  ip netns add "${b}"
  ip link add "${a}" netns "${a}" type veth peer name "${b}" netns "${b}"
  for ns in "${a}" "${b}"; do
    if [[ "${ns}" == "${a}" ]]; then ip="${ip_a}"; else ip="${ip_b}"; fi
    ip -n "${ns}" addr add "${ip}/30" dev "${ns}"
    ip -n "${ns}" link set "${ns}" up
    ip -n "${ns}" link set lo up
    ip netns exec "${ns}" ethtool -K "${ns}" tx off >/dev/null
  done
}

# The delay relay of each link, by its namespace A: "PID TUN_A TUN_B".
declare -gA WIREKV_NETNS_RELAY=()
WIREKV_NETNS_RELAYS_MADE=0

wirekv_netns_cut() {
  local ns
  for ns in "$1" "$2"; do ip -n "${ns}" link set "${ns}" down; done
  if [[ -n "${WIREKV_NETNS_RELAY[$1]:-}" ]]; then
    local -a relay
    read -r -a relay <<<"${WIREKV_NETNS_RELAY[$1]}"
    ip -n "$1" link set "${relay[1]}" down
    ip -n "$2" link set "${relay[2]}" down
  fi
}

wirekv_netns_heal() {
  local ns
  for ns in "$1" "$2"; do ip -n "${ns}" link set "${ns}" up; done
  if [[ -n "${WIREKV_NETNS_RELAY[$1]:-}" ]]; then _wirekv_netns_route_relay "$1" "$2"; fi
}

# the IPv4 address of namespace NS on its veth end (named as NS)
_wirekv_netns_address() { ip -n "$1" -4 -o addr show dev "$1" | awk '{ split($4, a, "/"); print a[1]; exit }'; }

# brings the relay's TUN devices up and routes each end's traffic to the other end through its own
_wirekv_netns_route_relay() {
  local a="$1" b="$2" ip_a ip_b
  local -a relay
  read -r -a relay <<<"${WIREKV_NETNS_RELAY[${a}]}"
  ip_a="$(_wirekv_netns_address "${a}")"; ip_b="$(_wirekv_netns_address "${b}")"
  ip -n "${a}" link set "${relay[1]}" up
  ip -n "${b}" link set "${relay[2]}" up
  ip -n "${a}" route replace "${ip_b}/32" dev "${relay[1]}" src "${ip_a}"
  ip -n "${b}" route replace "${ip_a}/32" dev "${relay[2]}" src "${ip_b}"
}

_wirekv_netns_stop_relay() {
  local -a relay=()
  [[ -n "${WIREKV_NETNS_RELAY[$1]:-}" ]] || return 0
  read -r -a relay <<<"${WIREKV_NETNS_RELAY[$1]}"
  kill "${relay[0]}" 2>/dev/null || true
  wait "${relay[0]}" 2>/dev/null || true   # once it has exited its TUN devices and their routes are gone
  unset "WIREKV_NETNS_RELAY[$1]"
}

wirekv_netns_delay() {
  local a="$1" b="$2" delay="$3" jitter="${4:-0}" here tun_a tun_b pid out
  [[ "${delay}" =~ ^[0-9]+$ && "${jitter}" =~ ^[0-9]+$ ]] && (( jitter <= delay )) ||
    { echo "netns: delay '${delay}' ms, jitter '${jitter}' ms: want integers, jitter <= delay" >&2; return 1; }
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  _wirekv_netns_stop_relay "${a}"
  (( delay > 0 )) || return 0
  WIREKV_NETNS_RELAYS_MADE=$(( WIREKV_NETNS_RELAYS_MADE + 1 ))
  tun_a="wkt$$-${WIREKV_NETNS_RELAYS_MADE}a"; tun_b="wkt$$-${WIREKV_NETNS_RELAYS_MADE}b"
  out="$(mktemp)"
  /usr/bin/python3 "${here}/netns-relay.py" "${tun_a}" "${tun_b}" --delay "${delay}" --jitter "${jitter}" \
    >"${out}" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 1 100); do
    if grep -q '^ready' "${out}" || ! kill -0 "${pid}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if ! grep -q '^ready' "${out}"; then
    echo "netns: the delay relay did not start: $(cat "${out}")" >&2
    kill "${pid}" 2>/dev/null || true; wait "${pid}" 2>/dev/null || true; rm -f "${out}"
    return 1
  fi
  rm -f "${out}"   # the relay keeps writing to the unlinked file; nothing reads it
  WIREKV_NETNS_RELAY[${a}]="${pid} ${tun_a} ${tun_b}"
  ip link set "${tun_a}" netns "${a}"
  ip link set "${tun_b}" netns "${b}"
  # not while the link is cut: wirekv_netns_heal routes through the relay then
  if ip -n "${a}" -o link show dev "${a}" | grep -q '[<,]UP[,>]'; then _wirekv_netns_route_relay "${a}" "${b}"; fi
}

wirekv_netns_loss() {
  local a="$1" b="$2" percent="$3" ns peer share match
  share="$(awk -v p="${percent}" 'BEGIN { if (p !~ /^[0-9]+(\.[0-9]+)?$/ || p > 100) exit 1; printf "%d", p * 100 + 0.5 }')" ||
    { echo "netns: loss '${percent}': want a percentage 0..100" >&2; return 1; }
  for ns in "${a}" "${b}"; do
    if (( share == 0 )); then ip netns exec "${ns}" nft delete table inet wirekvlink 2>/dev/null || true; continue; fi
    if [[ "${ns}" == "${a}" ]]; then peer="$(_wirekv_netns_address "${b}")"; else peer="$(_wirekv_netns_address "${a}")"; fi
    match=""
    if (( share < 10000 )); then match="numgen random mod 10000 < ${share}"; fi
    # "table; delete table; table {...}": replaces it in one transaction, whether it existed or not
    printf '%s\n' "table inet wirekvlink" "delete table inet wirekvlink" "table inet wirekvlink {" \
      "  chain ingress {" "    type filter hook prerouting priority raw; policy accept;" \
      "    ip saddr ${peer} ip daddr $(_wirekv_netns_address "${ns}") ${match} counter drop" "  }" "}" |
      ip netns exec "${ns}" nft -f -
  done
}

wirekv_netns_clear() {
  local ns
  _wirekv_netns_stop_relay "$1"
  for ns in "$1" "$2"; do
    ip netns exec "${ns}" nft delete table inet wirekvlink 2>/dev/null || true
    tc -n "${ns}" qdisc del dev "${ns}" root 2>/dev/null || true
  done
}

wirekv_netns_delete() {
  local ns pid
  for ns in "$@"; do
    _wirekv_netns_stop_relay "${ns}"
    # only this run can have started processes in its own namespace
    for pid in $(ip netns pids "${ns}" 2>/dev/null); do kill -KILL "${pid}" 2>/dev/null || true; done
    ip netns delete "${ns}" 2>/dev/null || true   # deletes its veth end, and with it the pair
  done
}
