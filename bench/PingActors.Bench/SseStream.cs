using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace PingActors.Bench;

/// <summary>
/// A small Server-Sent Events client over a bare <see cref="Socket"/>, the SSE counterpart of
/// <see cref="RawWebSocket"/> for <c>sse-fanout</c>: one receive loop per stream reads what the kernel has into
/// a fixed buffer, undoes HTTP/1.1 chunking and hands each event's data to the <see cref="Delivery.Subscriber"/>
/// (single-line data, as the tool's payloads are, copied into one buffer per stream: nothing allocated per event).
/// Comments (heartbeats), <c>id:</c>, <c>retry:</c> and <c>event:</c> lines are skipped; the recovery notice's JSON
/// data is not a payload of the tool and the subscriber ignores it.
/// </summary>
internal sealed class SseStream
{
    private const int BufferSize = 4096;

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[BufferSize];

    // The current line when it spans reads.
    private byte[] _line = new byte[256];
    private int _lineLength;

    // Chunked transfer coding: bytes left in the current chunk, or reading a size line.
    private long _chunkLeft;
    private bool _inSizeLine = true;
    private long _size;
    private int _crlfToSkip;
    private byte[]? _pendingData;
    private int _pendingLength;

    private SseStream(Socket socket) => _socket = socket;

    public bool Closing { get; private set; }

    public static async Task<SseStream> OpenAsync(Target target, string channel, CancellationToken ct)
    {
        var socket = await target.ConnectAsync(ct).ConfigureAwait(false);
        try
        {
            var request = Encoding.ASCII.GetBytes($"GET {target.HttpUri(channel).PathAndQuery} HTTP/1.1\r\nHost: {target.BaseUri.Authority}\r\nAccept: text/event-stream\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, ct).ConfigureAwait(false);
            var stream = new SseStream(socket);
            await stream.ReadHeadAsync(ct).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Start(Delivery.Subscriber sink, Action<bool> ended) => _ = ReceiveLoopAsync(sink, ended);

    public void Close()
    {
        Closing = true;
        _socket.Dispose();
    }

    private async Task ReceiveLoopAsync(Delivery.Subscriber sink, Action<bool> ended)
    {
        var clean = false;
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(_buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    clean = true;
                    return;
                }

                Dechunk(_buffer.AsSpan(0, n), sink, Stopwatch.GetTimestamp());
            }
        }
        catch (Exception)
        {
            // reset or our own close
        }
        finally
        {
            ended(clean);
        }
    }

    // The head ends with a blank line; what follows it in the same read is body.
    private async Task ReadHeadAsync(CancellationToken ct)
    {
        var head = new List<byte>();
        while (true)
        {
            var n = await _socket.ReceiveAsync(_buffer, SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the connection ended before the response head");
            }

            for (var i = 0; i < n; i++)
            {
                head.Add(_buffer[i]);
                var c = head.Count;
                if (c >= 4 && head[c - 4] == '\r' && head[c - 3] == '\n' && head[c - 2] == '\r' && head[c - 1] == '\n')
                {
                    var text = Encoding.ASCII.GetString(head.ToArray());
                    if (!text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                    {
                        throw new IOException("SSE request answered " + text.Split('\r')[0]);
                    }

                    if (!text.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new IOException("SSE response not chunked");
                    }

                    _leftover = _buffer.AsSpan(i + 1, n - i - 1).ToArray();
                    return;
                }
            }
        }
    }

    private byte[] _leftover = [];

    private void Dechunk(ReadOnlySpan<byte> bytes, Delivery.Subscriber sink, long now)
    {
        if (_leftover.Length > 0)
        {
            var first = _leftover;
            _leftover = [];
            Dechunk(first, sink, now);
        }

        while (bytes.Length > 0)
        {
            if (_crlfToSkip > 0)
            {
                bytes = bytes[1..];
                _crlfToSkip--;
                continue;
            }

            if (_inSizeLine)
            {
                var b = bytes[0];
                bytes = bytes[1..];
                if (b == '\n')
                {
                    _inSizeLine = false;
                    _chunkLeft = _size;
                    _size = 0;
                    if (_chunkLeft == 0)
                    {
                        throw new IOException("end of the stream");
                    }
                }
                else if (Uri.IsHexDigit((char)b))
                {
                    _size = (_size * 16) + (b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10);
                }

                continue;
            }

            var take = (int)Math.Min(_chunkLeft, bytes.Length);
            Lines(bytes[..take], sink, now);
            bytes = bytes[take..];
            _chunkLeft -= take;
            if (_chunkLeft == 0)
            {
                _inSizeLine = true;
                _crlfToSkip = 2;
            }
        }
    }

    // SSE lines: "data: x" keeps x until the blank line that ends the event.
    private void Lines(ReadOnlySpan<byte> bytes, Delivery.Subscriber sink, long now)
    {
        while (bytes.Length > 0)
        {
            var nl = bytes.IndexOf((byte)'\n');
            if (nl < 0)
            {
                Append(bytes);
                return;
            }

            ReadOnlySpan<byte> line;
            if (_lineLength > 0)
            {
                Append(bytes[..nl]);
                line = _line.AsSpan(0, _lineLength);
            }
            else
            {
                line = bytes[..nl];
            }

            OnLine(line, sink, now);
            _lineLength = 0;
            bytes = bytes[(nl + 1)..];
        }
    }

    private void OnLine(ReadOnlySpan<byte> line, Delivery.Subscriber sink, long now)
    {
        if (line.Length == 0)
        {
            if (_pendingLength > 0)
            {
                sink.OnMessage(_pendingData.AsSpan(0, _pendingLength), now);
                _pendingLength = 0;
            }

            return;
        }

        if (line.StartsWith("data: "u8))
        {
            var data = line[6..];
            if (_pendingData is null || _pendingData.Length < data.Length)
            {
                _pendingData = new byte[Math.Max(256, data.Length)];
            }

            data.CopyTo(_pendingData);
            _pendingLength = data.Length;
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_lineLength + bytes.Length > _line.Length)
        {
            Array.Resize(ref _line, Math.Max(_line.Length * 2, _lineLength + bytes.Length));
        }

        bytes.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += bytes.Length;
    }
}
