#!/usr/bin/env python3
"""POSTs to paths nobody subscribes to, each path once: what a node keeps of messages no one reads.

    bench/post-flood.py COUNT SIZE CONNECTIONS [PORT]
    bench/post-flood.py 20000 65536 32            # 20,000 POSTs of 64 KiB over 32 keep-alive connections

Each POST goes to /flood-N (N = 0 .. COUNT-1) on 127.0.0.1:PORT (default 8080), one at a time per
connection; prints the rate and how many answers were not 200. Watch the node's RSS (/proc/PID/status)
and /stats (`channel_entities`, `replay_unsubscribed_bytes`) meanwhile (docs/benchmarks-log.md,
"POSTs to paths nobody subscribes to").
"""
import asyncio
import re
import sys
import time


async def worker(port, state, count, body):
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    try:
        while state['next'] < count:
            n = state['next']
            state['next'] += 1
            head = b'POST /flood-%d HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n' % (n, len(body))
            writer.write(head + body)
            await writer.drain()
            headers = await asyncio.wait_for(reader.readuntil(b'\r\n\r\n'), 30)
            lower = headers.lower()
            if b'transfer-encoding: chunked' in lower:
                await asyncio.wait_for(reader.readuntil(b'0\r\n\r\n'), 30)
            elif (m := re.search(rb'content-length: (\d+)', lower)) is not None:
                await asyncio.wait_for(reader.readexactly(int(m.group(1))), 30)
            if not headers.startswith(b'HTTP/1.1 200'):
                state['not_ok'] += 1
    finally:
        writer.close()


async def main():
    if len(sys.argv) < 4:
        print(__doc__)
        sys.exit(2)
    count, size, connections = (int(a) for a in sys.argv[1:4])
    port = int(sys.argv[4]) if len(sys.argv) > 4 else 8080
    state = {'next': 0, 'not_ok': 0}
    started = time.monotonic()
    await asyncio.gather(*(worker(port, state, count, b'x' * size) for _ in range(connections)))
    took = time.monotonic() - started
    print(f'{count} POSTs of {size} bytes in {took:.1f} s = {count / took:.0f}/s, not 200: {state["not_ok"]}')


asyncio.run(main())
