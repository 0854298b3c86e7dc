using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PingActors.Bench;

/// <summary>
/// The application behind a kuiperbelt-protocol proxy (kuiperbelt itself, or PingActors' proxy), run inside the
/// tool on loopback so the load does not depend on an outside app: the connect callback accepts every client
/// with 200, a fresh session key in the session header and a greeting <c>g KEY</c> as body (the client learns
/// its key from it: the proxy does not tell the client otherwise); establish, close and receive callbacks
/// answer 200 and are counted. Under <c>/wsaas/</c> it is a WSaaS app too (<c>send --face wsaas</c>): the connect
/// <c>POST /wsaas/{id}</c> is answered 200 and the node-made id kept under the client's Authorization (each client
/// sends its own), where the tool looks it up once the handshake is done; PUTs and DELETEs are counted.
/// </summary>
internal sealed class CallbackApp : IAsyncDisposable
{
    public const string DefaultSessionHeader = "X-Kuiperbelt-Session";

    /// <summary>Where a WSaaS face's TARGET_ADDRESS points: {url}/wsaas.</summary>
    public const string WsaasPath = "/wsaas/";

    private readonly WebApplication _app;
    private readonly string _sessionHeader;
    private readonly bool _greeting;
    private readonly ConcurrentDictionary<string, string> _wsaasIds = new();

    // Keys differ between runs, so a key left over from an earlier run on a long-lived server cannot collide.
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private long _connects;
    private long _establishes;
    private long _closes;
    private long _receives;

    private CallbackApp(WebApplication app, string sessionHeader, bool greeting)
    {
        _app = app;
        _sessionHeader = sessionHeader;
        _greeting = greeting;
    }

    public int Port { get; private set; }

    public long Connects => Volatile.Read(ref _connects);

    public long Establishes => Volatile.Read(ref _establishes);

    public long Closes => Volatile.Read(ref _closes);

    public long Receives => Volatile.Read(ref _receives);

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";

    /// <summary>The id the WSaaS face's connect POST named for the client that sent this Authorization, if one came.</summary>
    public string? WsaasIdOf(string authorization) => _wsaasIds.GetValueOrDefault(authorization);

    /// <summary>The YAML the proxy needs to call this app back (kuiperbelt's keys).</summary>
    public string ConfigHint =>
        $"callback: {{connect: \"{Url("connect")}\", establish: \"{Url("establish")}\", close: \"{Url("close")}\"}}";

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0: a port the kernel picks).</summary>
    public static async Task<CallbackApp> StartAsync(int port, string sessionHeader, bool greeting)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // a log line per callback would cost the run CPU the target should get
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var self = new CallbackApp(app, sessionHeader, greeting);
        app.Run(self.HandleAsync);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ArgumentException($"callback app: cannot listen on 127.0.0.1:{port}: {e.Message}");
        }

        self.Port = new Uri(app.Urls.First()).Port;
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private Task HandleAsync(HttpContext ctx)
    {
        if (ctx.Request.Path.StartsWithSegments(WsaasPath.TrimEnd('/'), out var id) && id.Value is { Length: > 1 } slashId)
        {
            return HandleWsaas(ctx, slashId[1..]);
        }

        switch (ctx.Request.Path.Value)
        {
            case "/connect":
                var key = $"{_tag}-{Interlocked.Increment(ref _connects)}";
                ctx.Response.Headers[_sessionHeader] = key;
                if (!_greeting)
                {
                    return Task.CompletedTask;
                }

                var body = Encoding.ASCII.GetBytes("g " + key);
                ctx.Response.ContentType = "text/plain";
                ctx.Response.ContentLength = body.Length;
                return ctx.Response.Body.WriteAsync(body).AsTask();
            case "/establish":
                Interlocked.Increment(ref _establishes);
                return Task.CompletedTask;
            case "/close":
                Interlocked.Increment(ref _closes);
                return Task.CompletedTask;
            case "/receive":
                Interlocked.Increment(ref _receives);
                return Task.CompletedTask;
            default:
                ctx.Response.StatusCode = 404;
                return Task.CompletedTask;
        }
    }

    // WSaaS's app answers 200 to every callback: the PUT's and DELETE's bodies do not matter to the node.
    private Task HandleWsaas(HttpContext ctx, string id)
    {
        var request = ctx.Request;
        if (HttpMethods.IsPost(request.Method))
        {
            Interlocked.Increment(ref _connects);
            _wsaasIds[request.Headers.Authorization.ToString()] = id;
        }
        else if (HttpMethods.IsPut(request.Method))
        {
            Interlocked.Increment(ref _receives);
        }
        else if (HttpMethods.IsDelete(request.Method))
        {
            _wsaasIds.TryRemove(new KeyValuePair<string, string>(request.Headers.Authorization.ToString(), id));
            Interlocked.Increment(ref _closes);
        }

        return Task.CompletedTask;
    }
}
