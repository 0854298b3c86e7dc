using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Wsaas.Support;

/// <summary>
/// A real WSaaS app on 127.0.0.1 (Kestrel, ephemeral port), WSaaS's routes under /websocket: POST, PUT and
/// DELETE on /websocket/{id}. It records every request by method and by "METHOD /path", for the test to
/// await, and answers what the test set (200 with {"code":"OK"} by default, as WSaaS's test server).
/// </summary>
public sealed class WsaasApp : IAsyncDisposable
{
    private static readonly CallbackAnswer Ok = new(200, "{\"code\":\"OK\"}"u8.ToArray(), "application/json");

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Channel<CallbackRequest>> _requests = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();

    private WsaasApp(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>TARGET_ADDRESS: where the node's callbacks go.</summary>
    public string Target => new Uri(BaseUri, "/websocket").ToString();

    public Func<CallbackRequest, CallbackAnswer> Connect { get; set; } = _ => Ok;

    public Func<CallbackRequest, CallbackAnswer> Message { get; set; } = _ => Ok;

    /// <summary>Run once the answer to a connect POST has gone out, as an app that pushes right after accepting.</summary>
    public Func<CallbackRequest, Task>? AfterConnectAnswered { get; set; }

    /// <summary>When set, a connect POST is recorded, then its connection dropped without an answer.</summary>
    public bool DropConnects { get; set; }

    public static async Task<WsaasApp> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var wsaas = new WsaasApp(app);
        app.Run(wsaas.HandleAsync);
        await app.StartAsync();
        wsaas.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return wsaas;
    }

    /// <summary>The next request with this method ("POST"), or this method and path ("DELETE /websocket/{id}").</summary>
    public async Task<CallbackRequest> NextAsync(string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        return await Requests(what).Reader.ReadAsync(cts.Token);
    }

    /// <summary>How many requests came with this method and path so far.</summary>
    public int Count(string methodAndPath) => _counts.GetValueOrDefault(methodAndPath);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    private Channel<CallbackRequest> Requests(string what) => _requests.GetOrAdd(what, _ => Channel.CreateUnbounded<CallbackRequest>());

    private async Task HandleAsync(HttpContext context)
    {
        var request = await CallbackRequest.ReadAsync(context.Request);
        var key = $"{request.Method} {request.Path}";
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
        Requests(request.Method).Writer.TryWrite(request);
        Requests(key).Writer.TryWrite(request);

        if (request.Method == "POST" && DropConnects)
        {
            context.Abort();
            return;
        }

        var answer = request.Method == "POST" ? Connect(request) : Message(request);
        if (request.Method == "POST" && AfterConnectAnswered is { } after)
        {
            context.Response.OnCompleted(() => after(request));
        }

        await answer.WriteAsync(context);
    }
}
