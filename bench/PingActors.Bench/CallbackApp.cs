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
/// answer 200 and are counted.
/// </summary>
internal sealed class CallbackApp : IAsyncDisposable
{
    public const string DefaultSessionHeader = "X-Kuiperbelt-Session";

    private readonly WebApplication _app;
    private readonly string _sessionHeader;
    private readonly bool _greeting;

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
}
