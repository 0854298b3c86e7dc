#!/usr/bin/env python3
"""A tiny pub/sub hub that sends awkward WebSocket framing, to check the bench tool's own client.

  WebSocket on any path subscribes to it; POST to the path (or a WebSocket text message) broadcasts to its
  subscribers. Message i (per path) goes out as:
    i % 4 == 0: one frame, written whole
    i % 4 == 1: three fragments (text, continuation, continuation+FIN) with a ping between them
    i % 4 == 2: one frame, written in 3 pieces with short pauses (partial frames at the reader)
    i % 4 == 3: one frame, preceded by a ping with a 5-byte payload
  GET /stats answers {"messages": {"delivered": n, "dropped": 0}, "pings": n, "pongs_ok": n, ...}.
Client frames are checked: each must be masked; pongs must echo the ping's payload; closes are counted.
POST j (counted over the hub) is answered in one of 7 ways, for the tool's own POST client (RawHttpPublisher):
    j % 7 == 0: 200, Content-Length: 0
    j % 7 == 1: 201 with a 101-byte text body (as nchan), head and body written in 3 pieces with pauses
    j % 7 == 2: 200, chunked: a chunk with an extension, a second chunk, a trailer; written a few bytes at a time
    j % 7 == 3: 100 Continue (not asked for), then 202 with a body
    j % 7 == 4: 200 with Connection: close, then the hub closes
    j % 7 == 5: HTTP/1.0 200 with no length: the body ends with the connection
    j % 7 == 6: 200, then the hub closes the connection while idle, 20 ms later (a keep-alive timeout): the
                next request sent on it is lost and must be sent again on a new connection
  Every answer carries X-PingActors-Nodes: j % 3 (the name in varying case). With --stall N the N-th POST is
  broadcast and never answered: the tool must count it as a post error after its timeout (30 s), not hang.

A check of the tool's own WebSocket client (RawWebSocket), not a benchmark (one Python process):

  python3 bench/PingActors.Bench/check/fraghub.py 18095 &
  PingActors.Bench fanout --url http://127.0.0.1:18095 --stats-url http://127.0.0.1:18095/stats --pid $! \
      --subscribers 50 --messages 200 --size 70001        # also --size 64, 200; ws-publish --channels 5 --clients 4
  curl -s http://127.0.0.1:18095/stats    # pings == pongs_ok, unmasked 0, close_codes {"1000": subscribers}
  PingActors.Bench channels --url http://127.0.0.1:18095 --stats-url http://127.0.0.1:18095/stats --pid $! \
      --channels 20 --subscribers 3 --messages 2000 --publishers 8   # 0 post errors, 0 lost; also --publisher httpclient
  PingActors.Bench fanout ... --publish-url http://127.0.0.1:18095   # post_nodes: about a third each for 0, 1, 2
"""
import asyncio, base64, hashlib, json, os, struct, sys

STALL = int(sys.argv[sys.argv.index("--stall") + 1]) if "--stall" in sys.argv else 0

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
subs = {}  # path -> set of writers
st = {"delivered": 0, "pings": 0, "pongs_ok": 0, "pongs_bad": 0, "unmasked": 0, "closes_from_client": 0,
      "close_codes": {}, "ws_messages_in": 0, "connections": 0, "eof_without_close": 0, "posts": 0,
      "http_connections": 0}
counter = {}


def frame(op, payload, fin=True):
    b0 = (0x80 if fin else 0) | op
    n = len(payload)
    if n <= 125:
        head = struct.pack("!BB", b0, n)
    elif n <= 0xFFFF:
        head = struct.pack("!BBH", b0, 126, n)
    else:
        head = struct.pack("!BBQ", b0, 127, n)
    return head + payload


locks = {}


async def send_message(w, payload, i):
    async with locks.setdefault(w, asyncio.Lock()):
        await send_locked(w, payload, i)


async def send_locked(w, payload, i):
    mode = i % 4
    try:
        if mode == 0:
            w.write(frame(1, payload))
        elif mode == 1:
            a, b = len(payload) // 3, 2 * len(payload) // 3
            st["pings"] += 1
            w.write(frame(1, payload[:a], fin=False) + frame(9, b"frag") + frame(0, payload[a:b], fin=False) + frame(0, payload[b:], fin=True))
        elif mode == 2:
            f = frame(1, payload)
            cuts = [1, 3, len(f) // 2]
            prev = 0
            for c in cuts + [len(f)]:
                if c > prev:
                    w.write(f[prev:c])
                    await w.drain()
                    await asyncio.sleep(0.001)
                prev = c
        else:
            st["pings"] += 1
            w.write(frame(9, b"hello") + frame(1, payload))
        st["delivered"] += 1
    except Exception:
        pass


async def broadcast(path, payload):
    i = counter.get(path, 0)
    counter[path] = i + 1
    for w in list(subs.get(path, ())):
        await send_message(w, payload, i)


async def read_frames(r, w, path):
    pending_pings = []
    while True:
        try:
            h = await r.readexactly(2)
        except asyncio.IncompleteReadError:
            st["eof_without_close"] += 1
            return
        b0, b1 = h
        op = b0 & 0x0F
        if not b1 & 0x80:
            st["unmasked"] += 1
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", await r.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", await r.readexactly(8))[0]
        key = await r.readexactly(4) if b1 & 0x80 else b"\0\0\0\0"
        data = bytearray(await r.readexactly(n))
        for k in range(n):
            data[k] ^= key[k & 3]
        if op == 0xA:
            if bytes(data) in (b"frag", b"hello"):
                st["pongs_ok"] += 1
            else:
                st["pongs_bad"] += 1
        elif op == 0x8:
            st["closes_from_client"] += 1
            code = struct.unpack("!H", bytes(data[:2]))[0] if n >= 2 else 1005
            st["close_codes"][str(code)] = st["close_codes"].get(str(code), 0) + 1
            async with locks.setdefault(w, asyncio.Lock()):
                w.write(frame(8, bytes(data[:2])))
                await w.drain()
            w.close()
            return
        elif op in (1, 2):
            st["ws_messages_in"] += 1
            if n > 0:
                await broadcast(path, bytes(data))


async def read_head(r, w):
    """The next request's method, path and headers (names lower-cased); None once the client is gone."""
    try:
        head = await r.readuntil(b"\r\n\r\n")
    except Exception:
        w.close()
        return None
    lines = head.decode("latin1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    hdr = {}
    for l in lines[1:]:
        if ":" in l:
            k, v = l.split(":", 1)
            hdr[k.strip().lower()] = v.strip()
    return method, path, hdr


async def handle(r, w):
    request = await read_head(r, w)
    if request is None:
        return
    method, path, hdr = request
    if hdr.get("upgrade", "").lower() == "websocket":
        acc = base64.b64encode(hashlib.sha1(hdr["sec-websocket-key"].encode() + GUID).digest()).decode()
        w.write(f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {acc}\r\n\r\n".encode())
        await w.drain()
        st["connections"] += 1
        subs.setdefault(path, set()).add(w)
        try:
            await read_frames(r, w, path)
        finally:
            subs[path].discard(w)
        return
    # plain HTTP, keep-alive
    st["http_connections"] += 1
    while True:
        body = b""
        if "content-length" in hdr:
            body = await r.readexactly(int(hdr["content-length"]))
        if method == "GET" and path == "/stats":
            out = json.dumps({"messages": {"delivered": st["delivered"], "dropped": 0}, **st}).encode()
            w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(out) + out)
        elif method == "POST":
            await broadcast(path, body)
            st["posts"] += 1
            if st["posts"] == STALL:
                await r.read()  # never answered; until the client gives up and closes
                w.close()
                return
            if not await answer_post(w, st["posts"] - 1):
                return
        else:
            w.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        await w.drain()
        request = await read_head(r, w)
        if request is None:
            return
        method, path, hdr = request


async def write_pieces(w, data, cuts):
    prev = 0
    for c in list(cuts) + [len(data)]:
        if c > prev:
            w.write(data[prev:c])
            await w.drain()
            await asyncio.sleep(0.001)
        prev = c


async def answer_post(w, j):
    """Answers POST j (see the docstring); False when the connection is closed after it."""
    nodes = b"%s: %d\r\n" % ([b"X-PingActors-Nodes", b"x-pingactors-nodes", b"X-PINGACTORS-NODES"][j % 3], j % 3)
    mode = j % 7
    if mode == 0:
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + nodes + b"\r\n")
    elif mode == 1:
        text = b"queued messages: 0\nlast requested: -1 sec. ago\nactive subscribers: 5\nlast message id: 1795627270:0\n"
        text = text.ljust(101, b"x")
        a = b"HTTP/1.1 201 Created\r\nServer: fraghub\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n" % len(text) + nodes + b"Connection: keep-alive\r\n\r\n" + text
        await write_pieces(w, a, [20, len(a) - 50])
    elif mode == 2:
        a = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + nodes + b"\r\n"
             + b"3;ext=1\r\nOK\n\r\n" + b"A\r\n0123456789\r\n" + b"0\r\nX-Trailer: 1\r\n\r\n")
        await write_pieces(w, a, range(7, len(a), 7))
    elif mode == 3:
        w.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await w.drain()
        w.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 3\r\n" + nodes + b"\r\nok\n")
    elif mode == 4:
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n" + nodes + b"\r\nOK\n")
        await w.drain()
        w.close()
        return False
    elif mode == 5:
        w.write(b"HTTP/1.0 200 OK\r\n" + nodes + b"\r\nOK\n")
        await w.drain()
        w.close()
        return False
    else:
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + nodes + b"\r\n")
        await w.drain()
        await asyncio.sleep(0.02)
        w.close()
        return False
    return True


async def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 18095
    srv = await asyncio.start_server(handle, "127.0.0.1", port, limit=1 << 24)
    async with srv:
        await srv.serve_forever()

asyncio.run(main())
