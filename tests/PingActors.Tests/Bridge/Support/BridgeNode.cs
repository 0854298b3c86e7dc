using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Bridge.Support;

/// <summary>A real node with its bridge on (the default backend unless the sets say otherwise), and WebSocket clients to it.</summary>
public sealed class BridgeNode : IAsyncDisposable
{
    private BridgeNode(TestNode node) => Node = node;

    public TestNode Node { get; }

    public Uri BridgeUri => Node.Node.Listeners.UriOf("bridge");

    /// <param name="peer">The default backend's host, e.g. tcp://127.0.0.1:PORT.</param>
    public static async Task<BridgeNode> StartAsync(string peer, params string[] sets) =>
        new(await TestNode.StartAsync(
        [
            "pingactors.bridge.enabled=on",
            "pingactors.bridge.listen=127.0.0.1:0",
            $"pingactors.bridge.backend.host=\"{peer}\"",
            .. sets,
        ]));

    public Uri WsUri(string pathAndQuery = "/") => new($"ws://{BridgeUri.Authority}{pathAndQuery}");

    public Task<WsClient> ConnectAsync(string pathAndQuery = "/", Action<System.Net.WebSockets.ClientWebSocketOptions>? configure = null) =>
        WsClient.ConnectAsync(WsUri(pathAndQuery), configure);

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}
