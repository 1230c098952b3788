// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * wirekv's XDP program: steers the service's UDP datagrams to the AF_XDP sockets and leaves
 * everything else to the kernel.
 *
 *   IPv4 (optionally behind one 802.1Q / 802.1ad tag), not a fragment, UDP, destination port ==
 *   wirekv_config.port (and destination address == wirekv_config.ipv4, unless that is 0)
 *       -> bpf_redirect_map(&xsks_map, rx_queue_index, XDP_PASS)
 *          (XDP_PASS when no socket is registered for the queue)
 *   a fragment (MF or an offset) of UDP to wirekv_config.ipv4 (not 0): the same redirect; only the first
 *   fragment carries the port, so the lcore's reassembler takes them all and decides on the whole datagram
 *   (fragmented UDP to other ports of this address is lost: it is not given back to the kernel)
 *   anything else (ARP, ICMP, TCP, other ports, IPv6, other fragments) -> XDP_PASS
 *
 * The user space side (io.wirekv.nativebindings.xdp.XdpProgramAttachment) writes wirekv_config
 * after load and puts each queue's socket into xsks_map under its queue id. The per-CPU counters
 * in wirekv_stats are indexed by enum wirekv_xdp_stat (keep in step with XdpProgramAttachment).
 *
 * Built by the Maven build (build-bpf.sh): clang -O2 -g -target bpf. -g keeps BTF, which libxdp
 * needs to read the run configuration below and to run the program behind its dispatcher.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* libxdp's run-configuration section (as <xdp/xdp_helpers.h> defines it; kept here so only the libbpf
 * headers are needed to build). */
#ifndef XDP_RUN_CONFIG
#define _CONCAT(x, y) x##y
#define XDP_RUN_CONFIG(f) _CONCAT(_, f) SEC(".xdp_run_config")
#endif

#define WIREKV_MAX_QUEUES 256

/* Layout shared with XdpProgramAttachment.CONFIG_*: 8 bytes, network byte order fields. */
struct wirekv_xdp_config {
    __u16 port;     /* service UDP port, network byte order; 0: redirect nothing */
    __u16 reserved;
    __u32 ipv4;     /* destination address, network byte order; 0: any */
};

enum wirekv_xdp_stat {
    WIREKV_XDP_REDIRECTED = 0, /* matched, handed to bpf_redirect_map */
    WIREKV_XDP_PASSED = 1,     /* not ours: to the kernel */
    WIREKV_XDP_STAT_COUNT = 2,
};

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, WIREKV_MAX_QUEUES);
    __type(key, __u32);
    __type(value, __u32);
} xsks_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct wirekv_xdp_config);
} wirekv_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, WIREKV_XDP_STAT_COUNT);
    __type(key, __u32);
    __type(value, __u64);
} wirekv_stats SEC(".maps");

struct vlan_hdr {
    __be16 tci;
    __be16 encapsulated_proto;
};

static __always_inline int count(__u32 stat, int action)
{
    __u64 *counter = bpf_map_lookup_elem(&wirekv_stats, &stat);
    if (counter)
        *counter += 1; /* per-CPU slot: no atomic needed */
    return action;
}

SEC("xdp")
int wirekv_xdp(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 zero = 0;

    struct wirekv_xdp_config *config = bpf_map_lookup_elem(&wirekv_config, &zero);
    if (!config || config->port == 0)
        return count(WIREKV_XDP_PASSED, XDP_PASS);

    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return count(WIREKV_XDP_PASSED, XDP_PASS);
    __be16 proto = eth->h_proto;
    void *l3 = eth + 1;
    if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
        struct vlan_hdr *vlan = l3;
        if ((void *)(vlan + 1) > data_end)
            return count(WIREKV_XDP_PASSED, XDP_PASS);
        proto = vlan->encapsulated_proto;
        l3 = vlan + 1;
    }
    if (proto != bpf_htons(ETH_P_IP))
        return count(WIREKV_XDP_PASSED, XDP_PASS);

    struct iphdr *ip = l3;
    if ((void *)(ip + 1) > data_end)
        return count(WIREKV_XDP_PASSED, XDP_PASS);
    if (ip->protocol != IPPROTO_UDP || ip->ihl < 5)
        return count(WIREKV_XDP_PASSED, XDP_PASS);
    if (config->ipv4 != 0 && ip->daddr != config->ipv4)
        return count(WIREKV_XDP_PASSED, XDP_PASS);
    /* Fragments (MF set or an offset): the lcore reassembles those to our own address (a queue's socket sees
     * all of a datagram's fragments as long as RSS hashes fragments by addresses only, as it must: the later
     * fragments carry no ports); without an address to match, the kernel keeps them. */
    if (ip->frag_off & bpf_htons(0x3FFF)) {
        if (config->ipv4 == 0)
            return count(WIREKV_XDP_PASSED, XDP_PASS);
        count(WIREKV_XDP_REDIRECTED, 0);
        return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
    }

    struct udphdr *udp = (void *)ip + ip->ihl * 4;
    if ((void *)(udp + 1) > data_end)
        return count(WIREKV_XDP_PASSED, XDP_PASS);
    if (udp->dest != config->port)
        return count(WIREKV_XDP_PASSED, XDP_PASS);

    count(WIREKV_XDP_REDIRECTED, 0);
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

/* libxdp's run configuration: priority among programs sharing the interface through its dispatcher,
 * and which return codes let the next program run (XDP_PASS: everything not ours continues). */
struct {
    __uint(priority, 20);
    __uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(wirekv_xdp);

char _license[] SEC("license") = "Dual BSD/GPL";
