using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Tests.Infrastructure;

/// <summary>A real node in this process, on ephemeral loopback ports.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private TestNode(PingActorsNode node) => Node = node;

    public PingActorsNode Node { get; }

    public Uri HubUri => Node.HubUri;

    public Uri OpsUri => Node.OpsUri;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <param name="sets">Extra <c>key=value</c> overrides, as given to <c>--set</c>.</param>
    public static async Task<TestNode> StartAsync(params string[] sets)
    {
        var args = new List<string>
        {
            "--set", "pingactors.hub.listen=127.0.0.1:0",
            "--set", "pingactors.ops.listen=127.0.0.1:0",
            "--set", "pingactors.log.level=warning",
            "--set", "akka.loglevel=WARNING",
        };
        foreach (var set in sets)
        {
            args.Add("--set");
            args.Add(set);
        }

        var config = ConfigLoader.Load(CommandLine.Parse(args));
        var node = PingActorsNode.Create(config, NodeSetup.From(config));
        await node.StartAsync();
        return new TestNode(node);
    }

    public Uri WsUri(string path) => new($"ws://{HubUri.Authority}{path}");

    public Uri HttpUri(string path) => new($"http://{HubUri.Authority}{path}");

    public Task<WsClient> ConnectAsync(string path, Action<System.Net.WebSockets.ClientWebSocketOptions>? configure = null) =>
        WsClient.ConnectAsync(WsUri(path), configure);

    public async Task<HttpResponseMessage> PostAsync(string path, string body)
    {
        using var content = new StringContent(body);
        return await Http.PostAsync(HttpUri(path), content);
    }

    public async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType = "application/octet-stream")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return await Http.PostAsync(HttpUri(path), content);
    }

    public async Task<System.Text.Json.JsonElement> StatsAsync()
    {
        var json = await Http.GetStringAsync(new Uri(OpsUri, "/stats"));
        return System.Text.Json.JsonDocument.Parse(json).RootElement;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Node.StopAsync(cts.Token);
        await Node.DisposeAsync();
    }
}
