using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;

namespace PingActors.Bench;

/// <summary>The server under test: its URLs, its process, and a factory for client sockets.</summary>
internal sealed class Target : IDisposable
{
    private const int SolIp = 0; // SOL_IP (Linux)
    private const int IpBindAddressNoPort = 24; // IP_BIND_ADDRESS_NO_PORT (Linux): .NET has no name for it

    private readonly IPAddress[] _sources;
    private readonly HttpMessageInvoker _wsInvoker;
    private int _nextSource;

    public Target(Options o, int plannedConnections)
        : this(o, plannedConnections, null, null, null)
    {
    }

    /// <summary>
    /// A target given explicitly (one of several hub URLs, e.g. cluster nodes) rather than by --url,
    /// --pid and --stats-url; <paramref name="pid"/> 0 finds the process from the listen port.
    /// </summary>
    public Target(Options o, int plannedConnections, string? url, int? pid, string? statsUrl)
    {
        BaseUri = new Uri((url ?? o.Str("url", "http://127.0.0.1:8080")).TrimEnd('/') + "/");
        if (!ProcInfo.IsLoopback(BaseUri))
        {
            throw new ArgumentException($"--url must be a loopback address (127.0.0.0/8 or ::1), not {BaseUri.Host}");
        }

        var stats = url is null ? o.StrOrNull("stats-url") : statsUrl;
        StatsUri = stats is null ? null : new Uri(stats);
        if (StatsUri is not null && !ProcInfo.IsLoopback(StatsUri))
        {
            throw new ArgumentException("--stats-url must be a loopback address");
        }

        Label = o.Str("label", BaseUri.ToString());
        Prefix = o.Str("prefix", "bench").Trim('/');
        var pidGiven = pid ?? o.Int("pid", 0);
        Pid = pidGiven > 0 ? pidGiven : ProcInfo.FindListener(BaseUri.Port) ?? throw new ArgumentException($"no process listens on port {BaseUri.Port} (or it is not visible): pass --pid");
        if (!ProcInfo.Alive(Pid))
        {
            throw new ArgumentException($"process {Pid} does not exist");
        }

        var (low, high) = ProcInfo.EphemeralPortRange();
        var perSource = Math.Max(1000, (int)((high - low + 1) * 0.8));
        var k = o.Int("source-addresses", 0);
        if (k <= 0)
        {
            k = (plannedConnections + perSource - 1) / perSource;
        }

        if (k > 1 && !(IPAddress.TryParse(BaseUri.Host, out var host) && host.AddressFamily == AddressFamily.InterNetwork))
        {
            throw new ArgumentException("several source addresses need a literal loopback IPv4 --url");
        }

        _sources = Enumerable.Range(1, Math.Clamp(k, 1, 254)).Select(i => IPAddress.Parse($"127.0.0.{i}")).ToArray();
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            ConnectCallback = ConnectAsync,
        };
        _wsInvoker = new HttpMessageInvoker(handler);
    }

    public Uri BaseUri { get; }

    public Uri? StatsUri { get; }

    public string Label { get; }

    public string Prefix { get; }

    public int Pid { get; }

    public int SourceAddresses => _sources.Length;

    public Uri WsUri(string channel) => new($"ws://{BaseUri.Authority}/{Prefix}/{channel}");

    public Uri HttpUri(string channel) => new($"http://{BaseUri.Authority}/{Prefix}/{channel}");

    public async Task<ClientWebSocket> OpenAsync(string channel, CancellationToken ct, bool deflate = false)
    {
        var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.Zero; // the server pings; the client stays quiet
        if (deflate)
        {
            ws.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false };
        }

        try
        {
            await ws.ConnectAsync(WsUri(channel), _wsInvoker, ct).ConfigureAwait(false);
            return ws;
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    /// <summary>A WebSocket on the channel with the tool's own client (<see cref="RawWebSocket"/>), from the next source address.</summary>
    public async Task<RawWebSocket> OpenRawAsync(string channel, CancellationToken ct, Inflater? inflater = null)
    {
        var socket = await ConnectSocketAsync(BaseUri.Host, BaseUri.Port, ct).ConfigureAwait(false);
        return await RawWebSocket.HandshakeAsync(socket, BaseUri.Authority, WsUri(channel).PathAndQuery, ct, inflater: inflater).ConfigureAwait(false);
    }

    /// <summary>A TCP connection to the hub (NoDelay), from the next source address: for the raw POST publisher.</summary>
    public Task<Socket> ConnectAsync(CancellationToken ct) => ConnectSocketAsync(BaseUri.Host, BaseUri.Port, ct);

    /// <summary>A snapshot of the stats endpoint, or null.</summary>
    public async Task<JsonElement?> StatsAsync()
    {
        if (StatsUri is null)
        {
            return null;
        }

        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var text = await http.GetStringAsync(StatsUri).ConfigureAwait(false);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (Exception)
        {
            return null;
        }
    }

    public void Dispose() => _wsInvoker.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct) =>
        new NetworkStream(await ConnectSocketAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, ct).ConfigureAwait(false), ownsSocket: true);

    /// <summary>A connected TCP socket (NoDelay), bound to the next source address when there are several.</summary>
    private async Task<Socket> ConnectSocketAsync(string host, int port, CancellationToken ct)
    {
        var socket = _sources.Length > 1
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (_sources.Length > 1)
            {
                // Choose the port at connect time, per 4-tuple, so each source address gets the whole range.
                socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
                var source = _sources[(int)((uint)Interlocked.Increment(ref _nextSource) % (uint)_sources.Length)];
                socket.Bind(new IPEndPoint(source, 0));
            }

            // A literal address connects to an IPEndPoint: a bound socket cannot take the DnsEndPoint path.
            if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), ct).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(new DnsEndPoint(host, port), ct).ConfigureAwait(false);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The tool's own CPU use and the server's, over a window.</summary>
internal sealed class CpuMeter
{
    private readonly int _pid;
    private readonly TimeSpan _tool0;
    private readonly TimeSpan _server0;
    private readonly long _t0 = System.Diagnostics.Stopwatch.GetTimestamp();

    public CpuMeter(int pid)
    {
        _pid = pid;
        _tool0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        _server0 = ProcInfo.CpuTime(pid);
    }

    /// <summary>CPU use as a percentage of one core, for the tool and the server.</summary>
    public (double ToolPctOfCore, double ServerPctOfCore, double Seconds) Stop()
    {
        var wall = System.Diagnostics.Stopwatch.GetElapsedTime(_t0).TotalSeconds;
        var tool = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - _tool0).TotalSeconds;
        var server = (ProcInfo.CpuTime(_pid) - _server0).TotalSeconds;
        return (100 * tool / wall, 100 * server / wall, wall);
    }
}
