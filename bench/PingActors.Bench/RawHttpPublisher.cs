using System.Text;
using System.Threading.Channels;

namespace PingActors.Bench;

/// <summary>
/// The tool's own POST client: a fixed set of keep-alive HTTP/1.1 connections (<see cref="RawHttpConnection"/>),
/// one per concurrent publisher, each carrying one request at a time. The request head of every channel is built
/// once, up to its Content-Length value, so a POST writes only the length and the body before its one send.
/// Against the node it costs the tool 12.7 us of CPU per POST where HttpClient cost 16.9 (its headers, content
/// and response objects), CPU the server under test did not get. Most of the 12.7 is the kernel's: loopback
/// TCP, waking the server, the tool's context switches (docs/benchmarks.md).
/// </summary>
internal sealed class RawHttpPublisher : Publisher
{
    private readonly byte[][] _heads;
    private readonly RawHttpConnection[] _all;
    private readonly Channel<RawHttpConnection> _idle = Channel.CreateUnbounded<RawHttpConnection>();

    public RawHttpPublisher(Target target, IReadOnlyList<string> channels, int connections, string? header)
    {
        // PathAndQuery escapes the channel name as HttpClient would have.
        _heads = channels.Select(c => Encoding.ASCII.GetBytes(
            $"POST {target.HttpUri(c).PathAndQuery} HTTP/1.1\r\nHost: {target.BaseUri.Authority}\r\nContent-Type: text/plain\r\nContent-Length: ")).ToArray();
        _all = Enumerable.Range(0, Math.Max(1, connections)).Select(_ => new RawHttpConnection(target, header)).ToArray();
        foreach (var c in _all)
        {
            _idle.Writer.TryWrite(c);
        }
    }

    public override void Dispose()
    {
        _idle.Writer.TryComplete();
        foreach (var c in _all)
        {
            c.Dispose();
        }
    }

    protected override async ValueTask<(int Status, string? Header)> SendAsync(int channel, byte[] body, CancellationToken ct)
    {
        // As many connections as publishers: a free one is there at once unless a caller runs more in parallel.
        if (!_idle.Reader.TryRead(out var connection))
        {
            connection = await _idle.Reader.ReadAsync(ct).ConfigureAwait(false);
        }

        try
        {
            return await connection.PostAsync(_heads[channel], body, Timeout, ct).ConfigureAwait(false);
        }
        finally
        {
            _idle.Writer.TryWrite(connection);
        }
    }
}
