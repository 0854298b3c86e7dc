using System.Buffers.Text;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace PingActors.Bench;

/// <summary>
/// One keep-alive HTTP/1.1 connection of <see cref="RawHttpPublisher"/>, one request at a time: the request is
/// built in a buffer kept for the connection's life and written with one send; the answer is read through a
/// small fixed buffer: status line, the headers that frame the body (Content-Length, Transfer-Encoding: chunked,
/// Connection), optionally one named header, and the body, read and dropped (or its first bytes kept, for callers
/// that must tell a good answer by its body, as kuiperbelt's /send answers 200 with errors in the JSON). The
/// connection is opened on first use and again after the server closed it or said Connection: close, and dropped
/// after any error, timeout or cancellation (its state is then unknown).
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    /// <summary>The answer's head must fit: the node's and Baseline's are ~150 B, nchan's ~250 B.</summary>
    private const int BufferSize = 2048;

    private readonly Target _target;
    private readonly byte[]? _header;
    private readonly byte[] _body;
    private int _bodyLength;
    private readonly byte[] _in = GC.AllocateUninitializedArray<byte>(BufferSize);
    private byte[] _out = new byte[512];
    private int _start; // unread answer bytes are _in[_start.._end]
    private int _end;
    private bool _answered; // bytes of an answer came on this attempt
    private Socket? _socket;
    private CancellationTokenSource _cts = new(); // the current request's timeout and cancellation
    private volatile bool _disposed;

    /// <param name="keepBody">how many of the answer body's first bytes <see cref="Body"/> keeps (0: none)</param>
    public RawHttpConnection(Target target, string? header, int keepBody = 0)
    {
        _target = target;
        _header = header is null ? null : Encoding.ASCII.GetBytes(header);
        _body = new byte[keepBody];
    }

    /// <summary>The first bytes of the last answer's body (as many as the constructor asked for), until the next request.</summary>
    public ReadOnlySpan<byte> Body => _body.AsSpan(0, _bodyLength);

    /// <summary>
    /// POSTs <paramref name="body"/> after <paramref name="head"/> (the request head up to the Content-Length
    /// value). Throws on a network error, a malformed answer, after <paramref name="timeout"/> or when
    /// <paramref name="ct"/> is cancelled.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(int Status, string? Header)> PostAsync(ReadOnlyMemory<byte> head, byte[] body, TimeSpan timeout, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // One token source per connection, re-armed per request: a new one (and its timer) for every POST
        // would cost more than the rest of the request's work in the tool.
        _cts.CancelAfter(timeout);
        var link = ct.CanBeCanceled ? ct.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cts) : default;
        var token = _cts.Token;
        try
        {
            var length = Build(head, body);
            while (true)
            {
                // A kept-alive connection may have been closed by the server while idle (its keep-alive timeout):
                // that shows only as the next request failing before any byte of an answer. It is sent once more,
                // on a new connection. (Had a server read it and closed without answering, the subscribers would
                // count the duplicate.)
                var reused = _socket is not null;
                try
                {
                    _socket ??= await _target.ConnectAsync(token).ConfigureAwait(false);
                    _answered = false;
                    _start = _end = 0;
                    await SendAsync(length, token).ConfigureAwait(false);
                    return await ReadAnswerAsync(token).ConfigureAwait(false);
                }
                catch (Exception e) when (reused && !_answered && !token.IsCancellationRequested && e is IOException or SocketException)
                {
                    Drop();
                }
            }
        }
        catch
        {
            Drop();
            throw;
        }
        finally
        {
            link.Dispose(); // first: a late cancellation must not reach the re-armed source
            if (!_cts.TryReset())
            {
                _cts.Dispose();
                _cts = new CancellationTokenSource();
            }
        }
    }

    /// <summary>Closes the connection; a request in flight fails (and is counted by the publisher).</summary>
    public void Dispose()
    {
        _disposed = true;
        _socket?.Dispose();
    }

    private void Drop()
    {
        _socket?.Dispose();
        _socket = null;
    }

    /// <summary>The request in <c>_out</c>: head, Content-Length value, blank line, body.</summary>
    private int Build(ReadOnlyMemory<byte> head, byte[] body)
    {
        var most = head.Length + 10 + 4 + body.Length;
        if (_out.Length < most)
        {
            _out = new byte[most]; // grows to the largest request once; every payload of a run has one size
        }

        var span = _out.AsSpan();
        head.Span.CopyTo(span);
        var n = head.Length;
        Utf8Formatter.TryFormat(body.Length, span[n..], out var written);
        n += written;
        "\r\n\r\n"u8.CopyTo(span[n..]);
        n += 4;
        body.CopyTo(span[n..]);
        return n + body.Length;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(int length, CancellationToken ct)
    {
        var sent = 0;
        while (sent < length)
        {
            sent += await _socket!.SendAsync(_out.AsMemory(sent, length - sent), SocketFlags.None, ct).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(int Status, string? Header)> ReadAnswerAsync(CancellationToken ct)
    {
        while (true)
        {
            int headEnd;
            while ((headEnd = _in.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                await MoreAsync(ct).ConfigureAwait(false);
            }

            var answer = ParseHead(_in.AsSpan(_start, headEnd + 2));
            _start += headEnd + 4;
            if (answer.Status is >= 100 and < 200 and not 101)
            {
                continue; // an interim answer (100 Continue): the real one follows
            }

            var close = answer.Close;
            _bodyLength = 0;
            if (answer.Chunked)
            {
                await SkipChunkedAsync(ct).ConfigureAwait(false);
            }
            else if (answer.ContentLength >= 0)
            {
                await SkipAsync(answer.ContentLength, ct).ConfigureAwait(false);
            }
            else if (answer.Status is not (204 or 304))
            {
                // No length: the body ends with the connection.
                while (await FillAsync(ct).ConfigureAwait(false))
                {
                    _start = _end;
                }

                close = true;
            }

            // Bytes after the answer were not asked for: start afresh rather than take them for the next one.
            if (close || _start != _end)
            {
                Drop();
            }

            return (answer.Status, answer.Header);
        }
    }

    /// <summary>Reads more of the answer; false when the server ended the connection.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _in.Length)
        {
            if (_start == 0)
            {
                throw new IOException($"HTTP answer: a head or line longer than {BufferSize} B");
            }

            _in.AsSpan(_start, _end - _start).CopyTo(_in);
            _end -= _start;
            _start = 0;
        }

        var n = await _socket!.ReceiveAsync(_in.AsMemory(_end), SocketFlags.None, ct).ConfigureAwait(false);
        if (n == 0)
        {
            return false;
        }

        _answered = true;
        _end += n;
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask MoreAsync(CancellationToken ct)
    {
        if (!await FillAsync(ct).ConfigureAwait(false))
        {
            throw new IOException(_answered ? "HTTP answer: connection closed in the middle" : "HTTP answer: connection closed without one");
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SkipAsync(long count, CancellationToken ct)
    {
        while (true)
        {
            var take = (int)Math.Min(count, _end - _start);
            var keep = Math.Min(take, _body.Length - _bodyLength);
            _in.AsSpan(_start, keep).CopyTo(_body.AsSpan(_bodyLength));
            _bodyLength += keep;
            _start += take;
            count -= take;
            if (count == 0)
            {
                return;
            }

            await MoreAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Chunks (size line, data, CRLF) up to the zero-size one, then trailer lines up to a blank one.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SkipChunkedAsync(CancellationToken ct)
    {
        while (true)
        {
            var (at, length) = await LineAsync(ct).ConfigureAwait(false);
            var size = ChunkSize(_in.AsSpan(at, length));
            if (size == 0)
            {
                break;
            }

            await SkipAsync(size, ct).ConfigureAwait(false);
            if ((await LineAsync(ct).ConfigureAwait(false)).Length != 0)
            {
                throw new IOException("HTTP answer: chunk longer than its size");
            }
        }

        while ((await LineAsync(ct).ConfigureAwait(false)).Length != 0)
        {
        }
    }

    /// <summary>The line at <c>_start</c> (where it is in the buffer, until the next read), consumed with its CRLF.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(int At, int Length)> LineAsync(CancellationToken ct)
    {
        int eol;
        while ((eol = _in.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            await MoreAsync(ct).ConfigureAwait(false);
        }

        var at = _start;
        _start += eol + 2;
        return (at, eol);
    }

    private static long ChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';');
        var digits = (semicolon < 0 ? line : line[..semicolon]).Trim(" \t"u8);
        if (digits.IsEmpty || digits.Length > 12)
        {
            throw new IOException("HTTP answer: bad chunk size");
        }

        var size = 0L;
        foreach (var d in digits)
        {
            var v = HexDigit(d);
            if (v < 0)
            {
                throw new IOException("HTTP answer: bad chunk size");
            }

            size = (size << 4) | (uint)v;
        }

        return size;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private readonly record struct Head(int Status, long ContentLength, bool Chunked, bool Close, string? Header);

    /// <summary>The status line and the headers that matter here; <paramref name="head"/> ends with a CRLF.</summary>
    private Head ParseHead(ReadOnlySpan<byte> head)
    {
        var eol = head.IndexOf("\r\n"u8);
        var status = head[..eol];
        if (status.Length < 12 || !status.StartsWith("HTTP/1."u8) || status[8] != (byte)' '
            || !Utf8Parser.TryParse(status.Slice(9, 3), out int code, out var used) || used != 3)
        {
            throw new IOException($"HTTP answer: not HTTP/1.x: '{Encoding.ASCII.GetString(status[..Math.Min(status.Length, 80)])}'");
        }

        var close = status[7] == (byte)'0'; // HTTP/1.0 closes unless it says keep-alive
        var length = -1L;
        var chunked = false;
        string? header = null;
        var fields = head[(eol + 2)..];
        foreach (var range in fields.Split("\r\n"u8))
        {
            var line = fields[range];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out length, out var n) || n != value.Length || length < 0)
                {
                    throw new IOException("HTTP answer: bad Content-Length");
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = HasToken(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close = HasToken(value, "close"u8) || (close && !HasToken(value, "keep-alive"u8));
            }
            else if (_header is not null && Ascii.EqualsIgnoreCase(name, _header))
            {
                header = Encoding.ASCII.GetString(value);
            }
        }

        return new Head(code, length, chunked, close, header);
    }

    private static bool HasToken(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        foreach (var range in list.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(list[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }
}
