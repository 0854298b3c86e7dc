#!/usr/bin/env python3
# A TCP echo peer for the bridge's idle-memory run: many connections, each echoing what it gets.
#   python3 bench/echo-peer.py 7070
# then the node with pingactors.bridge.backend.host=tcp://127.0.0.1:7070 and
#   PingActors.Bench idle --url http://127.0.0.1:8001 --connections 5000 --channels 1 --pid NODE
# (5,000 pairs: each holds two of the node's descriptors, and the hard limit here is 20,000).
import asyncio, sys, resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE); resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
async def handle(r, w):
    try:
        while data := await r.read(65536):
            w.write(data); await w.drain()
    except Exception: pass
    finally: w.close()
async def main():
    srv = await asyncio.start_server(handle, '127.0.0.1', int(sys.argv[1]), backlog=4096)
    async with srv: await srv.serve_forever()
asyncio.run(main())
