using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace PingActors.Tests.Hub.Support;

/// <summary>One frame as it came off the wire.</summary>
public sealed record RawFrame(bool Fin, byte Opcode, byte[] Payload)
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    public bool IsClose => Opcode == Close;

    /// <summary>The close code, or null for a close frame without payload.</summary>
    public int? CloseCode => IsClose && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : null;

    public string CloseReason => IsClose && Payload.Length > 2 ? Encoding.UTF8.GetString(Payload, 2, Payload.Length - 2) : string.Empty;

    public string AsText => Encoding.UTF8.GetString(Payload);

    /// <summary>RSV1: under permessage-deflate, the message is compressed.</summary>
    public bool Rsv1 { get; init; }
}

/// <summary>
/// A WebSocket client written on a bare TcpClient, for what ClientWebSocket will not do: send broken frames,
/// never read, never answer pings. It never answers anything by itself.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>The server's handshake answer (status line and headers) when opened by <see cref="ConnectAsync"/>.</summary>
    public string Head { get; private set; } = string.Empty;

    /// <summary>The pings seen so far by the read methods.</summary>
    public int PingsSeen { get; private set; }

    /// <summary>Opens a TCP connection and completes a version 13 handshake (asserting 101).</summary>
    /// <param name="receiveBufferSize">SO_RCVBUF, set before connecting so the kernel cannot auto-tune it up.</param>
    public static async Task<RawWebSocket> ConnectAsync(Uri hubUri, string path, int? receiveBufferSize = null, IEnumerable<string>? extraHeaders = null)
    {
        var raw = await OpenAsync(hubUri, receiveBufferSize);
        try
        {
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = new StringBuilder()
                .Append("GET ").Append(path).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(hubUri.Authority).Append("\r\n")
                .Append("Connection: Upgrade\r\n")
                .Append("Upgrade: websocket\r\n")
                .Append("Sec-WebSocket-Version: 13\r\n")
                .Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n");
            foreach (var header in extraHeaders ?? [])
            {
                request.Append(header).Append("\r\n");
            }

            request.Append("\r\n");
            await raw.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
            var head = await raw.ReadHeadAsync(DefaultTimeout);
            Assert.StartsWith("HTTP/1.1 101", head);
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            Assert.Contains("Sec-WebSocket-Accept: " + accept, head, StringComparison.OrdinalIgnoreCase);
            raw.Head = head;
            return raw;
        }
        catch
        {
            await raw.DisposeAsync();
            throw;
        }
    }

    /// <summary>A bare TCP connection to the hub listener (for hand-written HTTP).</summary>
    public static async Task<RawWebSocket> OpenAsync(Uri hubUri, int? receiveBufferSize = null)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            tcp.ReceiveBufferSize = size;
        }

        using var cts = new CancellationTokenSource(DefaultTimeout);
        await tcp.ConnectAsync(hubUri.Host, hubUri.Port, cts.Token);
        return new RawWebSocket(tcp);
    }

    public async Task WriteAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await _stream.WriteAsync(bytes, cts.Token);
    }

    /// <summary>Reads an HTTP response head (status line and headers, up to the blank line).</summary>
    public async Task<string> ReadHeadAsync(TimeSpan timeout)
    {
        var head = new List<byte>();
        using var cts = new CancellationTokenSource(timeout);
        while (!EndsWithBlankLine(head))
        {
            head.Add(await ReadByteAsync(cts.Token));
        }

        return Encoding.Latin1.GetString(head.ToArray());
    }

    /// <summary>Sends one frame. Client frames are masked unless <paramref name="mask"/> is false (a protocol error).</summary>
    public async Task SendFrameAsync(byte opcode, byte[] payload, bool fin = true, bool mask = true, byte rsv = 0)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        var maskBit = mask ? 0x80 : 0;
        if (payload.Length < 126)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.AddRange(length);
        }

        if (mask)
        {
            var key = RandomNumberGenerator.GetBytes(4);
            frame.AddRange(key);
            frame.AddRange(payload.Select((b, i) => (byte)(b ^ key[i % 4])));
        }
        else
        {
            frame.AddRange(payload);
        }

        await WriteAsync(frame.ToArray());
    }

    public Task SendTextAsync(string text) => SendFrameAsync(RawFrame.Text, Encoding.UTF8.GetBytes(text));

    /// <summary>Sends a close frame with a code and reason.</summary>
    public Task SendCloseAsync(int code, string reason = "")
    {
        var payload = new byte[2 + Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        Encoding.UTF8.GetBytes(reason, payload.AsSpan(2));
        return SendFrameAsync(RawFrame.Close, payload);
    }

    /// <summary>Reads the next frame of any kind (pings included, and counted). Null when the server closed the TCP connection.</summary>
    public async Task<RawFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            var b0 = await ReadByteAsync(cts.Token);
            var b1 = await ReadByteAsync(cts.Token);
            Assert.True((b1 & 0x80) == 0, "a server frame must not be masked");
            long length = b1 & 0x7F;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactAsync(2, cts.Token));
            }
            else if (length == 127)
            {
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactAsync(8, cts.Token));
            }

            var frame = new RawFrame((b0 & 0x80) != 0, (byte)(b0 & 0x0F), await ReadExactAsync((int)length, cts.Token)) { Rsv1 = (b0 & 0x40) != 0 };
            if (frame.Opcode == RawFrame.Ping)
            {
                PingsSeen++;
            }

            return frame;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or SocketException)
        {
            return null;
        }
    }

    /// <summary>Reads the next data frame, skipping pings and pongs; a close frame or the end of the connection fails the test.</summary>
    public async Task<RawFrame> ReadDataFrameAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var frame = await ReadFrameAsync(Left(deadline)) ?? throw new Xunit.Sdk.XunitException("connection ended while waiting for a data frame");
            if (frame.Opcode is RawFrame.Ping or RawFrame.Pong)
            {
                continue;
            }

            Assert.False(frame.IsClose, $"expected a data frame, got close {frame.CloseCode} '{frame.CloseReason}'");
            return frame;
        }
    }

    /// <summary>Reads until a close frame, skipping anything else; null when the connection ended without one.</summary>
    public async Task<RawFrame?> ReadUntilCloseAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var frame = await ReadFrameAsync(Left(deadline));
            if (frame is null || frame.IsClose)
            {
                return frame;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private static TimeSpan Left(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            throw new TimeoutException("deadline passed");
        }

        return left;
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';

    private async Task<byte> ReadByteAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            await FillAsync(cancellationToken);
        }

        return _buffer[_start++];
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken);
            }

            var n = Math.Min(count - copied, _end - _start);
            Array.Copy(_buffer, _start, result, copied, n);
            _start += n;
            copied += n;
        }

        return result;
    }

    /// <summary>Everything until the server closes the TCP connection (for hand-written HTTP with Connection: close).</summary>
    public async Task<byte[]> ReadToEndAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var all = new MemoryStream();
        all.Write(_buffer, _start, _end - _start);
        _start = _end;
        var chunk = new byte[16 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(chunk, cts.Token);
            }
            catch (IOException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            all.Write(chunk, 0, n);
        }

        return all.ToArray();
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer, cancellationToken);
        if (_end == 0)
        {
            throw new EndOfStreamException();
        }
    }
}
