# shellcheck shell=bash
# Network namespaces for the demo and the bench scripts (the tests' Java kits, TestNetwork and NetnsLink, do the
# same). Source it; every function needs root and iproute2 (ip, tc) and ethtool.
#
# A namespace with one end of a veth pair, the other end on the host, each with an address on one /24
# (omit both addresses for a pair without IP, e.g. for AF_XDP frames built by hand):
#   wirekv_veth_namespace NS HOST_END PEER_END [HOST_IP PEER_IP]
#   wirekv_veth_namespace_delete NS HOST_END         # kills what runs in NS (by PID), deletes NS and the pair
#
# Two namespaces joined by a veth pair (each end named as its namespace, 15 characters at most), on a /30:
#   wirekv_netns_link NS_A NS_B IP_A IP_B
#   wirekv_netns_cut NS_A NS_B / wirekv_netns_heal NS_A NS_B        # both ends down / up
#   wirekv_netns_netem NS_A NS_B DELAY_MS [JITTER_MS [LOSS_PERCENT]] # each direction (a round trip: twice the delay)
#   wirekv_netns_clear NS_A NS_B                                    # no more delay or loss
#   wirekv_netns_delete NS...                                       # kills what runs inside (by PID), deletes them
# netem needs the kernel's sch_netem; wirekv_netns_netem says so and returns 1 when it is missing.

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

wirekv_netns_cut() { local ns; for ns in "$1" "$2"; do ip -n "${ns}" link set "${ns}" down; done; }
wirekv_netns_heal() { local ns; for ns in "$1" "$2"; do ip -n "${ns}" link set "${ns}" up; done; }

wirekv_netns_netem() {
  local a="$1" b="$2" delay="$3" jitter="${4:-0}" loss="${5:-0}" ns out
  for ns in "${a}" "${b}"; do
    if ! out="$(tc -n "${ns}" qdisc replace dev "${ns}" root netem delay "${delay}ms" "${jitter}ms" loss "${loss}%" 2>&1)"; then
      echo "netem on ${ns} failed (does this kernel have sch_netem? 'modprobe sch_netem'): ${out}" >&2
      return 1
    fi
  done
}

wirekv_netns_clear() { local ns; for ns in "$1" "$2"; do tc -n "${ns}" qdisc del dev "${ns}" root 2>/dev/null || true; done; }

wirekv_netns_delete() {
  local ns pid
  for ns in "$@"; do
    # only this run can have started processes in its own namespace
    for pid in $(ip netns pids "${ns}" 2>/dev/null); do kill -KILL "${pid}" 2>/dev/null || true; done
    ip netns delete "${ns}" 2>/dev/null || true   # deletes its veth end, and with it the pair
  done
}
