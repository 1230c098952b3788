#!/usr/bin/env python3
"""A steady SET load with mixed TTLs over one TCP connection; samples how much memory expired items hold.

  expiry-load.py PORT SECONDS RATE KEY_BYTES VALUE_BYTES TTL_MIN TTL_MAX SAMPLE_SECONDS BUDGET_BYTES

Every 10 ms it sends RATE/100 `set ... noreply` of new, distinct keys (never overwritten), each with an
absolute exptime (unix seconds: now + a TTL drawn uniformly from TTL_MIN..TTL_MAX), and counts how many keys
expire in each second. Every SAMPLE_SECONDS it sends `stats` on the same connection, which the server answers
after every earlier set (memcached and wirekv process one connection's commands in order), and computes:

  live      = keys set whose exptime is after the server's own `time` (both servers expire an item when
              their `time` reaches its exptime, so this is the server's own verdict, exactly)
  expired   = curr_items - live: items the server still holds although they have expired
  held      = expired * bytes / curr_items: their bytes in the server's own per-item accounting (`bytes`;
              memcached counts its item header, wirekv its 28-byte header; neither counts chunk rounding)
  held_pct  = held / BUDGET_BYTES * 100

If a server evicted live items, curr_items is lower and `expired` is an underestimate: `evictions` is printed
beside it. Prints one line per sample, then `summary max_pct median_pct evictions sets`.
"""
import random
import socket
import statistics
import sys
import time


def main():
    (port, seconds, rate, key_bytes, value_bytes, ttl_min, ttl_max, sample_s, budget) = (
        int(a) for a in sys.argv[1:10])
    rng = random.Random(18)
    value = b"v" * value_bytes
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    per_tick = max(1, rate // 100)
    expiring = {}  # exptime (unix s) -> keys set with it
    sent = 0
    samples = []
    evictions = 0
    start = time.monotonic()
    next_tick = start
    next_sample = start + sample_s
    end = start + seconds
    width = key_bytes - 1
    while True:
        now_mono = time.monotonic()
        if now_mono >= end:
            break
        if now_mono >= next_sample:
            sample = sample_stats(sock, expiring, budget)
            samples.append(sample["held_pct"])
            evictions = sample["evictions"]
            print("t=%5.1fs sets=%d curr_items=%d live=%d expired=%d held=%d B (%.2f%% of budget) evictions=%d%s"
                  % (now_mono - start, sent, sample["curr_items"], sample["live"], sample["expired"], sample["held"],
                     sample["held_pct"], evictions, sample["extra"]), flush=True)
            next_sample += sample_s
        if now_mono < next_tick:
            time.sleep(max(0.0, min(next_tick, next_sample) - now_mono))
            continue
        next_tick += 0.01
        wall = int(time.time())
        chunks = []
        for _ in range(per_tick):
            exptime = wall + rng.randint(ttl_min, ttl_max)
            expiring[exptime] = expiring.get(exptime, 0) + 1
            key = b"e" + str(sent).zfill(width).encode()
            chunks.append(b"set %s 0 %d %d noreply\r\n%s\r\n" % (key, exptime, value_bytes, value))
            sent += 1
        sock.sendall(b"".join(chunks))
    final = sample_stats(sock, expiring, budget)
    samples.append(final["held_pct"])
    print("summary %.2f %.2f %d %d" % (max(samples), statistics.median(samples), final["evictions"], sent))


def sample_stats(sock, expiring, budget):
    sock.sendall(b"stats\r\n")
    stats = {}
    for line in read_until(sock, b"END\r\n").decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "STAT":
            stats[parts[1]] = parts[2]
    server_time = int(stats["time"])
    items = int(stats["curr_items"])
    live = sum(n for exptime, n in expiring.items() if exptime > server_time)
    expired = items - live
    held = expired * int(stats["bytes"]) // items if items > 0 else 0
    extra = ""
    if "table_ttl_due_bytes" in stats:
        extra = " wirekv: ttl_reclaimed=%s ttl_due_bytes=%s" % (stats["table_ttl_reclaimed"], stats["table_ttl_due_bytes"])
    elif "crawler_reclaimed" in stats:
        extra = " memcached: reclaimed=%s crawler_reclaimed=%s expired_unfetched=%s" % (
            stats.get("reclaimed"), stats.get("crawler_reclaimed"), stats.get("expired_unfetched"))
    return {"curr_items": items, "live": live, "expired": expired, "held": held,
            "held_pct": 100.0 * held / budget, "evictions": int(stats.get("evictions", 0)), "extra": extra}


def read_until(sock, marker):
    data = b""
    while not data.endswith(marker):
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("expiry-load: server closed the connection")
        data += chunk
    return data


if __name__ == "__main__":
    main()
