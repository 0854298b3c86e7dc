using System.Net.WebSockets;
using PingActors.Node.Proxy;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Proxy.Support;

/// <summary>A real node with its proxy on, pointed at a real <see cref="CallbackApp"/>, and clients for both.</summary>
public sealed class ProxyNode : IAsyncDisposable
{
    private ProxyNode(TestNode node, CallbackApp app)
    {
        Node = node;
        App = app;
    }

    public TestNode Node { get; }

    public CallbackApp App { get; }

    public Uri ProxyUri => Node.Node.Listeners.UriOf(ProxyFeatureSettings.Name);

    /// <summary>Where /send, /close and /stats are: the control listener when one is set.</summary>
    public Uri ControlUri => Node.Node.Listeners.Names.Contains(ProxyFeatureSettings.ControlName) ? Node.Node.Listeners.UriOf(ProxyFeatureSettings.ControlName) : ProxyUri;

    public HttpClient Http => Node.Http;

    /// <param name="callbacks">Which optional callbacks the node calls: establish, receive, close.</param>
    public static async Task<ProxyNode> StartAsync(string[] callbacks, params string[] sets)
    {
        var app = await CallbackApp.StartAsync();
        try
        {
            var node = await TestNode.StartAsync([.. app.ProxySets(callbacks), .. sets]);
            return new ProxyNode(node, app);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public static Task<ProxyNode> StartAsync() => StartAsync(["establish", "receive", "close"]);

    public Uri WsUri(string pathAndQuery = "/connect") => new($"ws://{ProxyUri.Authority}{pathAndQuery}");

    public Task<WsClient> ConnectAsync(string pathAndQuery = "/connect", Action<ClientWebSocketOptions>? configure = null) =>
        WsClient.ConnectAsync(WsUri(pathAndQuery), configure);

    /// <summary>POSTs to /send (or another control path) with one session header line per key, as kuiperbelt's clients do (HttpClient would join them into one line).</summary>
    public Task<RawResponse> PostAsync(string path, byte[] body, IEnumerable<string> sessions, string? contentType = null) =>
        RawHttp.SendAsync(ControlUri, "POST", path, [.. sessions.Select(s => "X-Kuiperbelt-Session: " + s), .. contentType is null ? Array.Empty<string>() : ["Content-Type: " + contentType]], body);

    public Task<RawResponse> SendAsync(string body, params string[] sessions) => PostAsync("/send", System.Text.Encoding.UTF8.GetBytes(body), sessions);

    /// <summary>
    /// /send, again while the session is not found: a client sees the 101 a moment before its session is
    /// established and reachable (after the establish callback), which a test without a greeting cannot await.
    /// </summary>
    public async Task<RawResponse> SendOnceReachableAsync(string body, string session)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var sent = await SendAsync(body, session);
            if (!sent.BodyText.Contains("session is not found", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return sent;
            }

            await Task.Delay(20);
        }
    }

    public Task<RawResponse> CloseAsync(string body, params string[] sessions) => PostAsync("/close", System.Text.Encoding.UTF8.GetBytes(body), sessions);

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await App.DisposeAsync();
    }
}
