using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PingActors.Tests.Proxy.Support;

/// <summary>One callback request as the app received it.</summary>
public sealed record CallbackRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string[]> Headers, byte[] Body, string? ContentType)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var values) ? string.Join(", ", values) : null;

    /// <summary>The TCP port the request came from: which of the node's pooled connections carried it.</summary>
    public int RemotePort { get; init; }

    /// <summary>Reads the request, body included, as an app server receives it.</summary>
    public static async Task<CallbackRequest> ReadAsync(HttpRequest request)
    {
        var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        return new CallbackRequest(
            request.Method,
            request.Path.Value ?? "/",
            request.QueryString.Value ?? string.Empty,
            request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? string.Empty).ToArray(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(),
            request.ContentType)
        {
            RemotePort = request.HttpContext.Connection.RemotePort,
        };
    }
}

/// <summary>What the app answers a callback with, after <paramref name="Delay"/> and once <paramref name="After"/> has completed (an app that is slow until the test releases it).</summary>
public sealed record CallbackAnswer(int Status = 200, byte[]? Body = null, string? ContentType = null, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default, Task? After = null)
{
    public static readonly CallbackAnswer Ok = new();

    public static CallbackAnswer Session(string key, string? greeting = null, string contentType = "text/plain") =>
        new(200, greeting is null ? null : System.Text.Encoding.UTF8.GetBytes(greeting), greeting is null ? null : contentType, new Dictionary<string, string> { ["X-Kuiperbelt-Session"] = key });

    /// <summary>Writes this answer after its delay and release; nothing when the node gave up waiting first (callback.timeout).</summary>
    public async Task WriteAsync(HttpContext context)
    {
        try
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, context.RequestAborted);
            }

            if (After is not null)
            {
                // Waits without holding a thread: the app shares the test process's pool with the nodes under test.
                await After.WaitAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        context.Response.StatusCode = Status;
        foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (ContentType is not null)
        {
            context.Response.ContentType = ContentType;
        }

        if (Body is not null)
        {
            await context.Response.Body.WriteAsync(Body);
        }
    }
}

/// <summary>
/// A real app server on 127.0.0.1 (Kestrel, ephemeral port) with the proxy's four callbacks at /connect,
/// /establish, /receive and /close. It records every request, by path, for the test to await, and answers
/// what the test set: by default a connect gets a fresh session key ("s1", "s2", ...) and the rest 200.
/// </summary>
public sealed class CallbackApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Channel<CallbackRequest>> _requests = new();
    private int _sessions;
    private int _inFlight;
    private int _mostInFlight;

    private CallbackApp(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public Func<CallbackRequest, CallbackAnswer> Connect { get; set; } = null!;

    public Func<CallbackRequest, CallbackAnswer> Establish { get; set; } = _ => CallbackAnswer.Ok;

    public Func<CallbackRequest, CallbackAnswer> Receive { get; set; } = _ => CallbackAnswer.Ok;

    public Func<CallbackRequest, CallbackAnswer> Close { get; set; } = _ => CallbackAnswer.Ok;

    public static async Task<CallbackApp> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var callbacks = new CallbackApp(app);
        callbacks.Connect = _ => CallbackAnswer.Session("s" + Interlocked.Increment(ref callbacks._sessions));
        app.Run(callbacks.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        callbacks.BaseUri = new Uri(address);
        return callbacks;
    }

    /// <summary>The --set lines that point a node's proxy at this app (the callbacks given, connect always).</summary>
    public string[] ProxySets(params string[] callbacks) =>
    [
        "pingactors.proxy.enabled=on",
        "pingactors.proxy.listen=127.0.0.1:0",
        $"pingactors.proxy.callback.connect={Url("/connect")}",
        .. callbacks.Select(c => $"pingactors.proxy.callback.{c}={Url("/" + c)}"),
    ];

    public Uri Url(string path) => new(BaseUri, path);

    /// <summary>The next request to <paramref name="path"/> (in arrival order).</summary>
    public async Task<CallbackRequest> NextAsync(string path, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        return await Requests(path).Reader.ReadAsync(cts.Token);
    }

    /// <summary>True if a request to <paramref name="path"/> arrives within <paramref name="within"/> (for "never called" checks).</summary>
    public async Task<bool> CalledWithinAsync(string path, TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        try
        {
            return await Requests(path).Reader.WaitToReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public int Pending(string path) => Requests(path).Reader.Count;

    /// <summary>The most requests the app was handling at once (from the body read to the answer written).</summary>
    public int MostInFlight => Volatile.Read(ref _mostInFlight);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    private Channel<CallbackRequest> Requests(string path) => _requests.GetOrAdd(path, _ => Channel.CreateUnbounded<CallbackRequest>());

    private async Task HandleAsync(HttpContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        int most;
        while (inFlight > (most = Volatile.Read(ref _mostInFlight)) && Interlocked.CompareExchange(ref _mostInFlight, inFlight, most) != most)
        {
        }

        try
        {
            await AnswerAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = await CallbackRequest.ReadAsync(context.Request);
        Requests(request.Path).Writer.TryWrite(request);

        var answer = request.Path switch
        {
            "/connect" => Connect(request),
            "/establish" => Establish(request),
            "/receive" => Receive(request),
            "/close" => Close(request),
            _ => new CallbackAnswer(404),
        };
        await answer.WriteAsync(context);
    }
}
