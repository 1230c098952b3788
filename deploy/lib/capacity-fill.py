#!/usr/bin/env python3
"""Fill a memcached-protocol server with N distinct keys over one TCP connection and print curr_items.

  capacity-fill.py PORT KEYS KEY_BYTES VALUE_BYTES

Sends `set` with noreply in batches of 512 (pipelined), then a plain `set` whose STORED proves every earlier
command was processed, then `stats`; prints `curr_items bytes limit_maxbytes` from the server's stats.
"""
import socket
import sys


def main():
    port, keys, key_bytes, value_bytes = (int(a) for a in sys.argv[1:5])
    value = b"v" * value_bytes
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    batch = 512
    width = key_bytes - 1
    for start in range(0, keys, batch):
        chunks = []
        for i in range(start, min(keys, start + batch)):
            key = b"k" + str(i).zfill(width).encode()
            chunks.append(b"set %s 0 0 %d noreply\r\n%s\r\n" % (key, value_bytes, value))
        sock.sendall(b"".join(chunks))
    sock.sendall(b"set fence 0 0 1\r\nx\r\n")
    read_until(sock, b"STORED\r\n")
    sock.sendall(b"stats\r\n")
    stats = read_until(sock, b"END\r\n").decode()
    values = {}
    for line in stats.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "STAT":
            values[parts[1]] = parts[2]
    print(values.get("curr_items", "0"), values.get("bytes", "0"), values.get("limit_maxbytes", "0"))


def read_until(sock, marker):
    data = b""
    while not data.endswith(marker):
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("capacity-fill: server closed the connection")
        data += chunk
    return data


if __name__ == "__main__":
    main()
