#!/usr/bin/env python3
"""Switch latency: how long after a redis-cli-style write the proxy routes to the new backend.

Writes frontend:<host> atomically (MULTI, DEL, RPUSH, EXEC) alternating between two backends,
then polls the proxy with X-Debug over one keep-alive connection until x-debug-backend-url names
the new backend. Prints p50/p99/max in milliseconds over N switches, after 20 unmeasured ones.

usage: switch_latency.py PROXY_PORT REDIS_PORT BACKEND_A BACKEND_B [N]
"""
import http.client
import socket
import sys
import time

WARMUP = 20


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_reply(f):
    line = f.readline()
    kind = line[:1]
    if kind == b"*":
        return [read_reply(f) for _ in range(int(line[1:]))]
    if kind == b"$":
        n = int(line[1:])
        return None if n < 0 else f.read(n + 2)[:-2]
    if kind == b"-":
        raise RuntimeError(line.decode().strip())
    return line[1:].strip()


def main():
    proxy_port, redis_port = int(sys.argv[1]), int(sys.argv[2])
    backends = [sys.argv[3], sys.argv[4]]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    host = "switch.bench"
    r = socket.create_connection(("127.0.0.1", redis_port))
    rf = r.makefile("rb")

    def write(backend):
        r.sendall(resp("MULTI") + resp("DEL", "frontend:" + host, "dead:" + host)
                  + resp("RPUSH", "frontend:" + host, "bench", backend) + resp("EXEC"))
        for _ in range(4):
            read_reply(rf)

    conn = http.client.HTTPConnection("127.0.0.1", proxy_port, timeout=5)

    def current():
        conn.request("GET", "/", headers={"Host": host, "X-Debug": "1"})
        res = conn.getresponse()
        res.read()
        return res.getheader("x-debug-backend-url")

    write(backends[0])
    deadline = time.monotonic() + 10
    while current() != backends[0]:
        if time.monotonic() > deadline:
            sys.exit("proxy never routed to " + backends[0])
    # unmeasured switches first, as the throughput runs warm up: the first switches of a process
    # run its notification path cold (33 ms for the very first one here, against 1-2 ms warm)
    samples = []
    for i in range(WARMUP + n):
        target = backends[(i + 1) % 2]
        t0 = time.perf_counter()
        write(target)
        while current() != target:
            if time.perf_counter() - t0 > 10:
                sys.exit("switch %d never seen" % i)
        if i >= WARMUP:
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
    print("switch latency over %d switches: p50 %.2f ms  p99 %.2f ms  max %.2f ms"
          % (n, pick(0.50), pick(0.99), samples[-1]))


if __name__ == "__main__":
    main()
