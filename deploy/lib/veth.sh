# shellcheck shell=bash
# The test network of the demo and the comparison: a private namespace holding one end of a veth pair,
# the other end on the host, each with an address on one /24. Source it, then:
#   wirekv_veth_namespace NS HOST_END PEER_END HOST_IP PEER_IP
# The caller deletes the namespace and the host end on exit (deleting either end deletes both).

wirekv_veth_namespace() {
  local ns="$1" host="$2" peer="$3" host_ip="$4" peer_ip="$5"
  ip netns add "${ns}"
  ip link add "${host}" type veth peer name "${peer}"
  ip link set "${peer}" netns "${ns}"
  ip addr add "${host_ip}/24" dev "${host}"
  ip link set "${host}" up
  ip netns exec "${ns}" ip addr add "${peer_ip}/24" dev "${peer}"
  ip netns exec "${ns}" ip link set "${peer}" up
  ip netns exec "${ns}" ip link set lo up
  # A veth leaves UDP checksums to a NIC that does not exist; a real wire carries them complete.
  ip netns exec "${ns}" ethtool -K "${peer}" tx off >/dev/null
}
