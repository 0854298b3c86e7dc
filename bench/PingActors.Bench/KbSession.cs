using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace PingActors.Bench;

/// <summary>
/// One client session of a kuiperbelt-protocol proxy, for <c>send</c> and <c>proxy-connect</c>: a WebSocket on the
/// proxy's connect path whose first message is <see cref="CallbackApp"/>'s greeting <c>g KEY</c>, then the /send
/// bodies of <see cref="Payload"/>: <c>d sender seq timestamp xxx…</c> (<c>w</c> instead of <c>d</c>: warm-up,
/// ignored). Each sender's seqs must arrive in increasing order: the proxy queues a session's messages FIFO, and a
/// sender sends its next message only after the proxy accepted the last one. A session of the WSaaS face gets no
/// greeting: its key is the id the connect POST named, given by <see cref="Name"/>.
/// </summary>
internal sealed class KbSession : RawWebSocket.ISink
{
    private readonly TaskCompletionSource<string> _greeted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long[] _last;
    private readonly Histogram? _latency;
    public long Expected; // measured sends that the proxy accepted for this session (Interlocked, by the senders)
    public long Received; // measured messages, in order (written by the receive loop only)
    public long OutOfOrder; // a seq not above the sender's last: duplicated or reordered
    public long Misparsed;
    public long LastDelivery;
    public volatile bool Closed;

    private KbSession(RawWebSocket socket, int senders, Histogram? latency)
    {
        Socket = socket;
        _last = Enumerable.Repeat(-1L, senders).ToArray();
        _latency = latency;
    }

    public RawWebSocket Socket { get; }

    /// <summary>The key from the greeting; completes when it arrives.</summary>
    public Task<string> Greeted => _greeted.Task;

    /// <summary>The key, once greeted.</summary>
    public string? Key => _greeted.Task.IsCompletedSuccessfully ? _greeted.Task.Result : null;

    /// <summary>A WebSocket handshake on the target's <paramref name="path"/>, its receive loop started.</summary>
    /// <param name="authorization">An Authorization header for the handshake, or null for none.</param>
    public static async Task<KbSession> OpenAsync(Target target, string path, int senders, Histogram? latency, CancellationToken ct, string? authorization = null)
    {
        var socket = await target.ConnectAsync(ct).ConfigureAwait(false);
        var headers = authorization is null ? string.Empty : $"Authorization: {authorization}\r\n";
        var ws = await RawWebSocket.HandshakeAsync(socket, target.BaseUri.Authority, path, ct, headers: headers).ConfigureAwait(false);
        var session = new KbSession(ws, senders, latency);
        ws.Start(session);
        return session;
    }

    /// <summary>The key learnt otherwise than from a greeting; call it before anything is sent to the session.</summary>
    public void Name(string key) => _greeted.TrySetResult(key);

    public static byte[] Payload(char kind, int sender, long seq, int size)
    {
        Span<byte> head = stackalloc byte[64];
        var n = 0;
        head[n++] = (byte)kind;
        foreach (var v in (ReadOnlySpan<long>)[sender, seq, Stopwatch.GetTimestamp()])
        {
            head[n++] = (byte)' ';
            Utf8Formatter.TryFormat(v, head[n..], out var w);
            n += w;
        }

        var body = new byte[Math.Max(size, n)];
        head[..n].CopyTo(body);
        body.AsSpan(n).Fill((byte)'x');
        if (body.Length > n)
        {
            body[n] = (byte)' ';
        }

        return body;
    }

    public void OnEnd(RawWebSocket.End end)
    {
        Closed = !Socket.Closing;
        _greeted.TrySetException(new IOException($"connection ended ({end}) before the greeting"));
    }

    public void OnMessage(ReadOnlySpan<byte> m, long now)
    {
        if (!_greeted.Task.IsCompleted)
        {
            if (m.Length > 2 && m.StartsWith("g "u8))
            {
                _greeted.TrySetResult(Encoding.ASCII.GetString(m[2..]));
            }
            else
            {
                _greeted.TrySetException(new IOException($"first message is not the greeting: '{Encoding.ASCII.GetString(m[..Math.Min(m.Length, 40)])}'"));
            }

            return;
        }

        if (m.Length < 2 || m[0] != (byte)'d')
        {
            return; // warm-up
        }

        m = m[1..];
        if (!Next(ref m, out var sender) || !Next(ref m, out var seq) || !Next(ref m, out var sent) || (ulong)sender >= (ulong)_last.Length)
        {
            Interlocked.Increment(ref Misparsed);
            return;
        }

        LastDelivery = now;
        _latency?.Record((long)((now - sent) * 1_000_000.0 / Stopwatch.Frequency));
        if (seq <= _last[sender])
        {
            OutOfOrder++;
            return;
        }

        _last[sender] = seq;
        Volatile.Write(ref Received, Received + 1);
    }

    private static bool Next(ref ReadOnlySpan<byte> m, out long value)
    {
        if (m.Length < 2 || !Utf8Parser.TryParse(m[1..], out value, out var used))
        {
            value = 0;
            return false;
        }

        m = m[(1 + used)..];
        return true;
    }
}
