#!/usr/bin/env python3
"""Opens N keep-alive HTTP connections to the proxy, one request each, then holds them idle.

usage: idle_clients.py PORT HOST_HEADER N HOLD_SECONDS
Prints how many connections are open and idle, then sleeps HOLD_SECONDS so memory can be read.
"""
import socket
import sys
import time

port, host, n, hold = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
request = ("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode()
conns = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    if not data.startswith(b"HTTP/1.1 200"):
        sys.exit("connection %d: %r" % (i, data[:60]))
    conns.append(s)
print("%d idle keep-alive connections open" % len(conns), flush=True)
time.sleep(hold)
