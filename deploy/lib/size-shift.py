#!/usr/bin/env python3
"""A workload whose item size changes: fill a memcached-protocol server with SMALL keys of 32-byte values, then write
LARGE other keys of 1 KiB values, twice over, all over one TCP connection (pipelined `set ... noreply`); print how
many of the large keys the server holds at the end, and its curr_items.

  size-shift.py PORT SMALL LARGE
"""
import socket, sys, time
port, small, large = (int(a) for a in sys.argv[1:4])
sock = socket.create_connection(("127.0.0.1", port))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def read_until(marker):
    data = b""
    while not data.endswith(marker):
        data += sock.recv(1 << 20)
    return data
def fill(prefix, n, size):
    v = b"v" * size
    for start in range(0, n, 256):
        sock.sendall(b"".join(b"set %s%09d 0 0 %d noreply\r\n%s\r\n" % (prefix, i, size, v) for i in range(start, min(n, start + 256))))
    sock.sendall(b"set fence 0 0 1\r\nx\r\n"); read_until(b"STORED\r\n")
fill(b"s", small, 32)
for _ in range(2):
    fill(b"L", large, 1024)
held = 0
for start in range(0, large, 100):
    keys = b" ".join(b"L%09d" % i for i in range(start, min(large, start + 100)))
    sock.sendall(b"get " + keys + b"\r\n")
    held += read_until(b"END\r\n").count(b"VALUE ")
sock.sendall(b"stats\r\n")
st = read_until(b"END\r\n").decode()
items = [l.split()[2] for l in st.splitlines() if l.startswith("STAT curr_items ")][0]
print(held, items)
