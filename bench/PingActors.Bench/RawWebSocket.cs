using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace PingActors.Bench;

/// <summary>
/// A small RFC 6455 client over a bare <see cref="Socket"/>, for the receiving side of the load tool: one
/// receive loop per socket reads what the kernel has into a fixed buffer and parses every complete frame in
/// it, handing each whole text or binary message to an <see cref="ISink"/> as a span of that buffer (no copy,
/// no allocation). Only a message that is fragmented, or larger than the buffer, is assembled in a buffer
/// rented for it. Server frames must be unmasked; client frames (data, pong, close) are masked, sent under
/// one lock per socket. No subprotocols; permessage-deflate only when asked (<c>--deflate</c>), and only without
/// server context takeover (<see cref="Inflater"/>).
/// </summary>
internal sealed class RawWebSocket
{
    /// <summary>What a receive loop reports to.</summary>
    internal interface ISink
    {
        /// <summary>A complete text or binary message; <paramref name="now"/> is when its last bytes were read.</summary>
        void OnMessage(ReadOnlySpan<byte> message, long now);

        /// <summary>The receive loop ended (once).</summary>
        void OnEnd(End end);
    }

    internal enum End
    {
        /// <summary>The server sent a close frame first (answered).</summary>
        ClosedByServer,

        /// <summary>We sent a close frame first and the server answered it.</summary>
        ClosedByUs,

        /// <summary>TCP ended without a close frame.</summary>
        Eof,

        /// <summary>A socket error or a protocol violation.</summary>
        Error,
    }

    /// <summary>
    /// The receive buffer of each socket, kept for its whole life: 40 MiB for 10,000 sockets. 4 KiB holds
    /// about 50 fan-out messages of 64 B, more than one read brings here (see the receive loop for what else
    /// was measured).
    /// </summary>
    public const int BufferSize = 4096;

    /// <summary>The largest message assembled; a longer one ends the connection (a broken length field).</summary>
    private const int MaxMessage = 64 * 1024 * 1024;

    private static ReadOnlySpan<byte> AcceptGuid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    private readonly Socket _socket;
    private readonly Inflater? _inflater;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[] _buffer;
    private int _start; // unparsed bytes are _buffer[_start.._end]
    private int _end;

    // A message being assembled: fragmented, or one frame larger than the buffer.
    private byte[]? _message;
    private int _messageLength;
    private bool _assembling;
    private long _payloadLeft; // of a frame larger than the buffer, still to come
    private bool _payloadFin;
    private bool _compressed; // the message being read came with RSV1

    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ISink? _sink;
    private SocketAsyncEventArgs? _args;
    private int _closeSent; // Interlocked: 0 not yet, 1 as an answer or after a protocol error, 2 by CloseAsync
    private volatile bool _closeReceived;
    private volatile bool _closing; // CloseAsync was called
    private bool _failing; // Fail sent a close frame and disposes the socket after it

    private RawWebSocket(Socket socket, byte[] buffer, int start, int end, Inflater? inflater)
    {
        _socket = socket;
        _inflater = inflater;
        _buffer = buffer;
        _start = start;
        _end = end;
    }

    /// <summary>
    /// Bytes read from the socket since the handshake: the WebSocket frames as they came over TCP (headers and
    /// payloads, compressed or not), not TCP/IP's own. Written by the receive loop only; read with Volatile.
    /// </summary>
    public long BytesReceived;

    /// <summary>The close status the server sent, or 0.</summary>
    public int CloseStatus { get; private set; }

    /// <summary>
    /// The opening handshake on a connected socket: GET with a random Sec-WebSocket-Key, then a 101 answer with
    /// the matching Sec-WebSocket-Accept. Bytes after the answer's head (frames sent at once) are kept.
    /// Takes ownership of the socket (disposed on failure).
    /// </summary>
    /// <param name="bufferSize">The receive buffer; larger than <see cref="BufferSize"/> for large messages, which are
    /// then handed over from it without being assembled (bridge-echo's 64 KiB).</param>
    /// <param name="inflater">Offers permessage-deflate and inflates compressed messages with it; null: no offer.</param>
    /// <param name="headers">More request header lines, each ending in CRLF (send's WSaaS clients: an Authorization).</param>
    public static async Task<RawWebSocket> HandshakeAsync(Socket socket, string host, string pathAndQuery, CancellationToken ct, int bufferSize = BufferSize, Inflater? inflater = null, string headers = "")
    {
        var buffer = GC.AllocateUninitializedArray<byte>(Math.Max(BufferSize, bufferSize));
        try
        {
            Span<byte> nonce = stackalloc byte[16];
            RandomNumberGenerator.Fill(nonce);
            var key = Convert.ToBase64String(nonce);
            var request = Encoding.ASCII.GetBytes(
                $"GET {pathAndQuery} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{headers}" +
                (inflater is null ? "" : "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n") + "\r\n");
            await SendAllAsync(socket, request, ct).ConfigureAwait(false);

            var read = 0;
            int headEnd;
            while ((headEnd = buffer.AsSpan(0, read).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (read == buffer.Length)
                {
                    throw new IOException("WebSocket handshake: answer head larger than 4 KiB");
                }

                var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException(read == 0 ? "WebSocket handshake: connection closed without an answer" : $"WebSocket handshake: connection closed after '{FirstLine(buffer.AsSpan(0, read))}'");
                }

                read += n;
            }

            headEnd += 4;
            CheckAnswer(buffer.AsSpan(0, headEnd), key, inflater is not null);
            return new RawWebSocket(socket, buffer, headEnd, read, inflater);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string FirstLine(ReadOnlySpan<byte> head)
    {
        var eol = head.IndexOf("\r\n"u8);
        return Encoding.ASCII.GetString(eol < 0 ? head[..Math.Min(head.Length, 200)] : head[..eol]);
    }

    private static void CheckAnswer(ReadOnlySpan<byte> head, string key, bool deflate)
    {
        var status = FirstLine(head);
        if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new IOException($"WebSocket handshake: the server answered '{status}' instead of 101");
        }

        Span<byte> accept = stackalloc byte[28];
        Span<byte> hash = stackalloc byte[20];
        var input = Encoding.ASCII.GetBytes(key + Encoding.ASCII.GetString(AcceptGuid));
        SHA1.HashData(input, hash);
        Base64.EncodeToUtf8(hash, accept, out _, out var written);
        var upgrade = false;
        var connection = false;
        var accepted = false;
        var extension = false;
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim((byte)' ');
            var value = line[(colon + 1)..].Trim((byte)' ').Trim((byte)'\t');
            if (Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
            {
                upgrade = Ascii.EqualsIgnoreCase(value, "websocket"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                connection = Encoding.ASCII.GetString(value).Contains("upgrade", StringComparison.OrdinalIgnoreCase);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Accept"u8))
            {
                accepted = value.SequenceEqual(accept[..written]);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Extensions"u8) && !value.IsEmpty)
            {
                var answer = Encoding.ASCII.GetString(value);
                if (!deflate || !answer.StartsWith("permessage-deflate", StringComparison.OrdinalIgnoreCase) || !answer.Contains("server_no_context_takeover", StringComparison.OrdinalIgnoreCase))
                {
                    throw new IOException($"WebSocket handshake: the server chose an extension we did not offer ({answer})");
                }

                extension = true;
            }
        }

        if (deflate && !extension)
        {
            throw new IOException("WebSocket handshake: permessage-deflate offered but not accepted (is pingactors.hub.deflate.enabled on?)");
        }

        if (!upgrade || !connection || !accepted)
        {
            throw new IOException($"WebSocket handshake: 101 without {(!accepted ? "the right Sec-WebSocket-Accept" : !upgrade ? "Upgrade: websocket" : "Connection: Upgrade")}");
        }
    }

    /// <summary>Starts the receive loop; the sink gets every message, then the end.</summary>
    public void Start(ISink sink)
    {
        _sink = sink;
        _args = new SocketAsyncEventArgs();
        _args.Completed += (_, e) => ReceiveLoop(e);
        _args.SetBuffer(_buffer, 0, _buffer.Length);
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.First(), this, preferLocal: false);
    }

    // The receive loop is a SocketAsyncEventArgs per socket: ReceiveAsync(args) == false is a synchronous
    // completion (loop on), true means the Completed callback runs it later, on the runtime's epoll thread
    // (Program.cs turns inline socket completions on). Measured against `await socket.ReceiveAsync(Memory)`
    // (a ValueTask on the socket's own cached args) with inline completions, Baseline, fanout 1,000 x 1,000
    // and channels 2,000 x 5: 1.7 against 2.3-2.9 us of tool CPU per delivery in fanout, 8.9-9.4 against
    // 10.0-10.2 in channels (2 runs each; docs/benchmarks.md). With thread-pool completions the two were
    // alike (4.9-6.3 against 5.1-5.4 us). The buffer is fixed, 4 KiB: renting a 64 KiB pooled one only
    // while data is there (a zero-byte receive first, so one more recv(MSG_PEEK) per wake-up, and a copy of
    // any partial frame) measured no leaner (fanout 3.1-4.2 us, channels 8.9-10.1), nor did a fixed 16 KiB.
    private void First()
    {
        var end = End.Error;
        if (_end > _start && !Parse(_sink!, Stopwatch.GetTimestamp(), ref end))
        {
            Finish(end);
            return;
        }

        Receive(_args!);
    }

    /// <summary>Issues receives until one pends (its completion calls <see cref="ReceiveLoop"/>) or the loop ends.</summary>
    private void Receive(SocketAsyncEventArgs e)
    {
        if (ReceiveDoneAtOnce(e))
        {
            ReceiveLoop(e);
        }
    }

    /// <summary>
    /// Issues one receive into the free end of the buffer: true if it completed at once (its result is in
    /// <paramref name="e"/>); false if it pends (its completion calls <see cref="ReceiveLoop"/>) or failed (the loop has ended).
    /// </summary>
    private bool ReceiveDoneAtOnce(SocketAsyncEventArgs e)
    {
        try
        {
            e.SetBuffer(_end, _buffer.Length - _end);
            return !_socket.ReceiveAsync(e);
        }
        catch (Exception)
        {
            Finish(EndAfterError());
            return false;
        }
    }

    private void ReceiveLoop(SocketAsyncEventArgs e)
    {
        var end = End.Error;
        while (true)
        {
            if (e.SocketError != SocketError.Success)
            {
                Finish(EndAfterError());
                return;
            }

            if (e.BytesTransferred == 0)
            {
                Finish(_closeReceived ? EndAfterError() : End.Eof);
                return;
            }

            _end += e.BytesTransferred;
            Volatile.Write(ref BytesReceived, BytesReceived + e.BytesTransferred);
            if (!Parse(_sink!, Stopwatch.GetTimestamp(), ref end))
            {
                Finish(end);
                return;
            }

            if (!ReceiveDoneAtOnce(e))
            {
                return;
            }
        }
    }

    /// <summary>After a close frame, the end of TCP (or an error) is a clean close; before one, an error.</summary>
    private End EndAfterError() => !_closeReceived ? End.Error : Volatile.Read(ref _closeSent) == 2 ? End.ClosedByUs : End.ClosedByServer;

    private void Finish(End end)
    {
        if (_message is not null)
        {
            ArrayPool<byte>.Shared.Return(_message);
            _message = null;
        }

        if (!_failing)
        {
            _socket.Dispose(); // the server ended TCP, or it broke: nothing more to send
        }

        _args?.Dispose();
        _sink!.OnEnd(end);
        _done.TrySetResult();
    }

    /// <summary>
    /// Handles every complete frame in the buffer, then moves a partial one to its front. False when the
    /// loop must stop (protocol error); a close frame does not stop it: the server ends TCP after it.
    /// </summary>
    private bool Parse(ISink sink, long now, ref End end)
    {
        var buffer = _buffer;
        while (true)
        {
            if (_payloadLeft > 0)
            {
                // The payload of a frame larger than the buffer: into the message, as far as it came.
                var take = (int)Math.Min(_payloadLeft, _end - _start);
                Append(buffer.AsSpan(_start, take));
                _start += take;
                _payloadLeft -= take;
                if (_payloadLeft > 0)
                {
                    break;
                }

                if (_payloadFin)
                {
                    DeliverAssembled(sink, now);
                }

                continue;
            }

            var avail = _end - _start;
            if (avail < 2)
            {
                break;
            }

            var b0 = buffer[_start];
            var b1 = buffer[_start + 1];
            var fin = (b0 & 0x80) != 0;
            var opcode = b0 & 0x0F;
            // RSV1 marks a compressed message, on its first frame only, when permessage-deflate was agreed.
            var rsv = b0 & 0x70;
            if ((rsv != 0 && (rsv != 0x40 || _inflater is null || opcode is not (1 or 2))) || (b1 & 0x80) != 0)
            {
                return Fail(ref end, 1002); // reserved bits, or a masked server frame
            }

            long length = b1 & 0x7F;
            var head = 2;
            if (length == 126)
            {
                if (avail < 4)
                {
                    break;
                }

                length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(_start + 2));
                head = 4;
            }
            else if (length == 127)
            {
                if (avail < 10)
                {
                    break;
                }

                var l64 = BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan(_start + 2));
                if (l64 > MaxMessage)
                {
                    return Fail(ref end, 1009);
                }

                length = (long)l64;
                head = 10;
            }

            if (opcode >= 8)
            {
                if (!fin || length > 125)
                {
                    return Fail(ref end, 1002);
                }

                if (avail < head + length)
                {
                    break;
                }

                var payload = buffer.AsSpan(_start + head, (int)length);
                _start += head + (int)length;
                switch (opcode)
                {
                    case 0x9: // ping: answer with the same payload
                        if (Volatile.Read(ref _closeSent) == 0)
                        {
                            _ = SendFrameAsync(0xA, payload, CancellationToken.None).AsTask();
                        }

                        break;
                    case 0xA: // pong
                        break;
                    case 0x8:
                        CloseStatus = payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
                        _closeReceived = true;
                        if (Interlocked.CompareExchange(ref _closeSent, 1, 0) == 0)
                        {
                            // Echo the status (RFC 6455 5.5.1); the server then ends TCP, which ends the loop.
                            _ = SendCloseAsync(payload.Length >= 2 ? CloseStatus : 1000);
                        }

                        break;
                    default:
                        return Fail(ref end, 1002);
                }

                continue;
            }

            if (opcode == 0 ? !_assembling : opcode is not (1 or 2) || _assembling)
            {
                return Fail(ref end, 1002); // a continuation out of place, an unknown opcode, or a new message inside one
            }

            if (opcode != 0)
            {
                _compressed = rsv != 0;
            }

            if (avail >= head + length)
            {
                var payload = buffer.AsSpan(_start + head, (int)length);
                _start += head + (int)length;
                if (fin && !_assembling)
                {
                    // The common case: straight from the receive buffer.
                    sink.OnMessage(_compressed ? _inflater!.Inflate(payload) : payload, now);
                }
                else
                {
                    _assembling = true;
                    if (_messageLength + payload.Length > MaxMessage)
                    {
                        return Fail(ref end, 1009);
                    }

                    Append(payload);
                    if (fin)
                    {
                        DeliverAssembled(sink, now);
                    }
                }

                continue;
            }

            if (head + length <= buffer.Length)
            {
                break; // fits once the rest arrives
            }

            // Larger than the buffer: stream its payload into the message buffer.
            if (_messageLength + length > MaxMessage)
            {
                return Fail(ref end, 1009);
            }

            _assembling = true;
            _start += head;
            _payloadLeft = length;
            _payloadFin = fin;
            Reserve((int)(_messageLength + length));
        }

        // Keep the partial frame at the front, so the next read has the rest of the buffer.
        var left = _end - _start;
        if (left == 0)
        {
            _start = _end = 0;
        }
        else if (_start > 0)
        {
            buffer.AsSpan(_start, left).CopyTo(buffer);
            _start = 0;
            _end = left;
        }

        return true;
    }

    private void DeliverAssembled(ISink sink, long now)
    {
        var message = _message.AsSpan(0, _messageLength);
        sink.OnMessage(_compressed ? _inflater!.Inflate(message) : message, now);
        _assembling = false;
        _messageLength = 0;
        if (_message!.Length > 64 * 1024)
        {
            ArrayPool<byte>.Shared.Return(_message); // keep a small one for the next fragmented message
            _message = null;
        }
    }

    private void Reserve(int size)
    {
        if (_message is null || _message.Length < size)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(size, 2 * _messageLength));
            if (_message is not null)
            {
                _message.AsSpan(0, _messageLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_message);
            }

            _message = bigger;
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        Reserve(_messageLength + data.Length);
        data.CopyTo(_message.AsSpan(_messageLength));
        _messageLength += data.Length;
    }

    /// <summary>A protocol violation by the server: a close frame with the status, then the socket goes.</summary>
    private bool Fail(ref End end, int status)
    {
        end = End.Error;
        _failing = true;
        if (Interlocked.CompareExchange(ref _closeSent, 1, 0) == 0)
        {
            _ = SendCloseAsync(status).ContinueWith(_ => _socket.Dispose(), TaskScheduler.Default);
        }
        else
        {
            _socket.Dispose();
        }

        return false;
    }

    private Task SendCloseAsync(int status, CancellationToken ct = default)
    {
        Span<byte> s = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)status);
        return SendFrameAsync(0x8, s, ct).AsTask();
    }

    /// <summary>Sends one text message (masked), under the socket's send lock.</summary>
    public ValueTask SendTextAsync(ReadOnlySpan<byte> payload, CancellationToken ct = default) => SendFrameAsync(0x1, payload, ct);

    /// <summary>Sends one binary message (masked), under the socket's send lock.</summary>
    public ValueTask SendBinaryAsync(ReadOnlySpan<byte> payload, CancellationToken ct = default) => SendFrameAsync(0x2, payload, ct);

    /// <summary>
    /// One final frame, masked with a fresh random key, built in a pooled buffer before the send lock is taken
    /// (so the payload span may be reused at once).
    /// </summary>
    private ValueTask SendFrameAsync(int opcode, ReadOnlySpan<byte> payload, CancellationToken ct)
    {
        var head = payload.Length <= 125 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var total = head + 4 + payload.Length;
        var frame = ArrayPool<byte>.Shared.Rent(total);
        frame[0] = (byte)(0x80 | opcode);
        switch (head)
        {
            case 2:
                frame[1] = (byte)(0x80 | payload.Length);
                break;
            case 4:
                frame[1] = 0x80 | 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                frame[1] = 0x80 | 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
                break;
        }

        var key = frame.AsSpan(head, 4);
        RandomNumberGenerator.Fill(key);
        Mask(payload, frame.AsSpan(head + 4, payload.Length), key);
        return SendLockedAsync(frame, total, ct);
    }

    private async ValueTask SendLockedAsync(byte[] frame, int length, CancellationToken ct)
    {
        try
        {
            await _sendLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await SendAllAsync(_socket, frame.AsMemory(0, length), ct).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (!data.IsEmpty)
        {
            var n = await socket.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
            data = data[n..];
        }
    }

    /// <summary>dst = src XOR the 4-byte key repeated, 8 bytes at a time.</summary>
    private static void Mask(ReadOnlySpan<byte> src, Span<byte> dst, ReadOnlySpan<byte> key)
    {
        Span<byte> twice = stackalloc byte[8];
        key.CopyTo(twice);
        key.CopyTo(twice[4..]);
        var k8 = MemoryMarshal.Read<ulong>(twice);
        var i = 0;
        for (; i + 8 <= src.Length; i += 8)
        {
            MemoryMarshal.Write(dst[i..], MemoryMarshal.Read<ulong>(src[i..]) ^ k8);
        }

        for (; i < src.Length; i++)
        {
            dst[i] = (byte)(src[i] ^ key[i & 3]);
        }
    }

    /// <summary>
    /// The closing handshake from our side: a close frame (1000), then up to <paramref name="timeout"/> for the
    /// server's answer and its end of TCP; the socket is disposed in any case.
    /// </summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        _closing = true;
        try
        {
            if (Interlocked.CompareExchange(ref _closeSent, 2, 0) == 0)
            {
                using var cts = new CancellationTokenSource(timeout);
                await SendCloseAsync(1000, cts.Token).ConfigureAwait(false); // normal closure
            }

            await _done.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
        finally
        {
            _socket.Dispose();
        }
    }

    /// <summary>Drops the connection without a closing handshake.</summary>
    public void Abort()
    {
        _closing = true;
        _socket.Dispose();
    }

    /// <summary>Whether <see cref="CloseAsync"/> or <see cref="Abort"/> was called.</summary>
    public bool Closing => _closing;

    /// <summary>Closes every socket (close frame, answer awaited up to 2 s each, 20 s in all), <paramref name="concurrency"/> at a time.</summary>
    public static async Task CloseAllAsync(IReadOnlyList<RawWebSocket?> sockets, int concurrency)
    {
        var next = -1;
        var deadline = Stopwatch.StartNew();
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < sockets.Count)
            {
                if (sockets[i] is not { } ws)
                {
                    continue;
                }

                if (deadline.Elapsed < TimeSpan.FromSeconds(20))
                {
                    await ws.CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                }
                else
                {
                    ws.Abort();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, Math.Max(1, sockets.Count))).Select(_ => Task.Run(Worker)));
    }
}
