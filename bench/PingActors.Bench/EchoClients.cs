using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PingActors.Bench;

/// <summary>One bridge-echo connection: sends a message and waits until as many bytes have come back.</summary>
internal interface IEchoClient
{
    /// <summary>Bytes beyond a message's length that came back with it (0 from a correct bridge).</summary>
    long ExcessBytes { get; }

    /// <summary>Echoes whose first 8 bytes were not the message's sequence number.</summary>
    long Corrupt { get; }

    /// <summary>
    /// Sends <paramref name="message"/> (its first 8 bytes, the sequence number, already written) and completes
    /// with the Stopwatch timestamp at which its last echoed byte was read.
    /// </summary>
    Task<long> RoundTripAsync(ReadOnlyMemory<byte> message);

    /// <summary>Drops the connection: a pending round trip fails.</summary>
    void Abort();

    Task CloseAsync();
}

/// <summary>Connects sockets for the echo clients.</summary>
internal static class EchoConnect
{
    public static async Task<Socket> SocketAsync(string host, int port, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(host.Trim('[', ']')), port), ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>
/// Over a bridge: the message goes out as binary WebSocket messages (of at most frameMax bytes each, when set),
/// and the echo is counted in bytes, however the bridge's framing splits or merges it into messages.
/// </summary>
internal sealed class WsEchoClient : IEchoClient, RawWebSocket.ISink
{
    private readonly RawWebSocket _ws;
    private readonly int _frameMax;
    private TaskCompletionSource<long>? _waiter;
    private long _expected;
    private long _received;
    private ulong _seq;
    private long _excess;
    private long _corrupt;
    private volatile string? _ended;

    private WsEchoClient(RawWebSocket ws, int frameMax)
    {
        _ws = ws;
        _frameMax = frameMax;
    }

    public long ExcessBytes => Interlocked.Read(ref _excess);

    public long Corrupt => Interlocked.Read(ref _corrupt);

    public static async Task<WsEchoClient> ConnectAsync(Uri url, int size, int frameMax, CancellationToken ct)
    {
        var socket = await EchoConnect.SocketAsync(url.Host, url.Port, ct).ConfigureAwait(false);
        // A buffer that holds a whole echo (plus frame heads): its frames are parsed where they were read.
        var ws = await RawWebSocket.HandshakeAsync(socket, url.Authority, url.PathAndQuery, ct, Math.Min(size + 1024, 1 << 20)).ConfigureAwait(false);
        var client = new WsEchoClient(ws, frameMax);
        ws.Start(client);
        return client;
    }

    public async Task<long> RoundTripAsync(ReadOnlyMemory<byte> message)
    {
        // Continuations run inline on the receive loop: the next message goes out from there, with no thread hop.
        var waiter = new TaskCompletionSource<long>();
        _received = 0;
        _expected = message.Length;
        _seq = message.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(message.Span) : 0;
        Volatile.Write(ref _waiter, waiter);
        if (_ended is { } why)
        {
            throw new IOException(why);
        }

        var step = _frameMax > 0 ? _frameMax : message.Length;
        for (var off = 0; off < message.Length; off += step)
        {
            await _ws.SendBinaryAsync(message.Span.Slice(off, Math.Min(step, message.Length - off))).ConfigureAwait(false);
        }

        return await waiter.Task.ConfigureAwait(false);
    }

    public void OnMessage(ReadOnlySpan<byte> message, long now)
    {
        if (_received == 0 && _expected >= 8 && message.Length >= 8 && BinaryPrimitives.ReadUInt64LittleEndian(message) != _seq)
        {
            Interlocked.Increment(ref _corrupt);
        }

        _received += message.Length;
        if (_received < _expected)
        {
            return;
        }

        if (_received > _expected)
        {
            Interlocked.Add(ref _excess, _received - _expected);
        }

        _expected = long.MaxValue; // until the next round trip: late bytes are counted as excess, not as its echo
        Interlocked.Exchange(ref _waiter, null)?.TrySetResult(now);
    }

    public void OnEnd(RawWebSocket.End end)
    {
        _ended = $"connection ended ({end}{(_ws.CloseStatus != 0 ? $", close status {_ws.CloseStatus}" : "")})";
        Interlocked.Exchange(ref _waiter, null)?.TrySetException(new IOException(_ended));
    }

    public void Abort() => _ws.Abort();

    public Task CloseAsync() => _ws.CloseAsync(TimeSpan.FromSeconds(2));
}

/// <summary>Straight to the echo peer, no bridge: the plain TCP baseline, the same message pattern.</summary>
internal sealed class TcpEchoClient : IEchoClient
{
    private readonly Socket _socket;
    private readonly byte[] _buffer;
    private long _corrupt;

    private TcpEchoClient(Socket socket, int size)
    {
        _socket = socket;
        _buffer = GC.AllocateUninitializedArray<byte>(Math.Clamp(size, 4096, 1 << 20));
    }

    public long ExcessBytes => 0; // a read never goes past the message, so an excess would show as corrupt instead

    public long Corrupt => Interlocked.Read(ref _corrupt);

    public static async Task<TcpEchoClient> ConnectAsync(int port, int size, CancellationToken ct) =>
        new(await EchoConnect.SocketAsync("127.0.0.1", port, ct).ConfigureAwait(false), size);

    public async Task<long> RoundTripAsync(ReadOnlyMemory<byte> message)
    {
        var data = message;
        while (!data.IsEmpty)
        {
            var w = await _socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[w..];
        }

        var received = 0;
        while (received < message.Length)
        {
            var n = await _socket.ReceiveAsync(_buffer.AsMemory(0, Math.Min(_buffer.Length, message.Length - received)), SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the echo peer closed the connection");
            }

            if (received == 0 && n >= 8 && message.Length >= 8 && !_buffer.AsSpan(0, 8).SequenceEqual(message.Span[..8]))
            {
                Interlocked.Increment(ref _corrupt);
            }

            received += n;
        }

        return Stopwatch.GetTimestamp();
    }

    public void Abort() => _socket.Dispose();

    public Task CloseAsync()
    {
        _socket.Dispose();
        return Task.CompletedTask;
    }
}
