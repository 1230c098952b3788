#!/usr/bin/python3
"""A link emulator for two network namespaces, in the style of Mahimahi's delayshell: two TUN devices, a queue.

This kernel has no netem qdisc (CONFIG_NET_SCH_NETEM unset), so delay is made in user space as Mahimahi does: the
relay creates two TUN devices (IFF_TUN | IFF_NO_PI: raw IP packets), the caller moves one into each namespace and
routes the peer's address through it; every packet the relay reads from one device it holds for the one-way delay
(plus a uniform jitter in [-jitter, +jitter], so packets may be reordered, as with netem's jitter) and then writes
to the other device, where the kernel receives it as if from a wire. Loss is not made here: deploy/lib/netns.sh and
NetnsLink drop packets with nf_tables in the namespaces (real kernel drops), on this path and the direct one alike.

  netns-relay.py TUN_A TUN_B --delay MS [--jitter MS] [--limit PACKETS] [--seed N]

Prints "ready" once both devices exist (move and route them then). The devices are not persistent: they vanish,
with the routes through them, when the relay exits. It exits on SIGTERM/SIGINT, when its parent process dies
(its parent PID changes) and when a device it reads disappears (its namespace was deleted); on exit it prints
"relayed N dropped M". A queue over --limit packets (default 10000) drops new packets, like netem's limit.
Runs with Debian's /usr/bin/python3 alone (fcntl, select, os): no packages.
"""
import argparse
import errno
import fcntl
import heapq
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_PACKET = 65536
READS_PER_WAKEUP = 256


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    parser = argparse.ArgumentParser(description="delay IP packets between two TUN devices")
    parser.add_argument("tun_a")
    parser.add_argument("tun_b")
    parser.add_argument("--delay", type=float, required=True, help="one-way delay, ms")
    parser.add_argument("--jitter", type=float, default=0.0, help="uniform jitter, +/- ms (at most the delay)")
    parser.add_argument("--limit", type=int, default=10000, help="packets held at most (more are dropped)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if args.delay < 0 or not 0 <= args.jitter <= args.delay or args.limit < 1:
        parser.error("want delay >= 0, 0 <= jitter <= delay, limit >= 1")

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    parent = os.getppid()
    rng = random.Random(args.seed)
    fd_a = open_tun(args.tun_a)
    fd_b = open_tun(args.tun_b)
    other = {fd_a: fd_b, fd_b: fd_a}
    delay = args.delay / 1000.0
    jitter = args.jitter / 1000.0
    queue = []  # (release time, arrival number, device to write, packet): a heap, earliest release first
    arrivals = relayed = dropped = 0
    print("ready", flush=True)

    while not stop:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, packet = heapq.heappop(queue)
            try:
                os.write(out, packet)
                relayed += 1
            except OSError:
                dropped += 1  # the device is down (a cut link) or its queue is full: lost, as on a wire
        timeout = min(0.5, queue[0][0] - now) if queue else 0.5
        try:
            readable, _, _ = select.select([fd_a, fd_b], [], [], max(0.0, timeout))
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd in readable:
            for _ in range(READS_PER_WAKEUP):
                try:
                    packet = os.read(fd, MAX_PACKET)
                except BlockingIOError:
                    break
                except OSError as ex:
                    if ex.errno in (errno.EBADFD, errno.ENODEV, errno.EIO, errno.EFAULT):
                        print("relay: %s is gone (%s)" % (args.tun_a if fd == fd_a else args.tun_b, ex),
                              file=sys.stderr, flush=True)
                        stop.append(1)
                        break
                    raise
                if len(queue) >= args.limit:
                    dropped += 1
                    continue
                arrivals += 1
                release = now + delay + (rng.uniform(-jitter, jitter) if jitter > 0 else 0.0)
                heapq.heappush(queue, (release, arrivals, other[fd], packet))
        if os.getppid() != parent:
            break
    print("relayed %d dropped %d" % (relayed, dropped), flush=True)


if __name__ == "__main__":
    main()
