using System.Net.WebSockets;
using System.Text;
using PingActors.Node.Proxy.Wsaas;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Wsaas.Support;

/// <summary>A real node with WSaaS's face on, pointed at a real <see cref="WsaasApp"/>, and clients for both of its listeners.</summary>
public sealed class WsaasNode : IAsyncDisposable
{
    public const string Local = "http://wsaas.example:8081";

    private WsaasNode(TestNode node, WsaasApp app)
    {
        Node = node;
        App = app;
    }

    public TestNode Node { get; }

    public WsaasApp App { get; }

    public Uri WsaasUri => Node.Node.Listeners.UriOf(WsaasFeatureSettings.Name);

    public Uri ControlUri => Node.Node.Listeners.UriOf(WsaasFeatureSettings.ControlName);

    public static async Task<WsaasNode> StartAsync(params string[] sets)
    {
        var app = await WsaasApp.StartAsync();
        try
        {
            return new WsaasNode(await TestNode.StartAsync([.. Sets(app), .. sets]), app);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public static string[] Sets(WsaasApp app) =>
    [
        "pingactors.wsaas.enabled=on",
        "pingactors.wsaas.listen=127.0.0.1:0",
        "pingactors.wsaas.control-listen=127.0.0.1:0",
        $"pingactors.wsaas.target={app.Target}",
        $"pingactors.wsaas.local-address={Local}",
    ];

    /// <summary>A client, and its id as the app's connect POST named it (reachable from before that POST).</summary>
    public async Task<(WsClient Client, string Id)> ConnectAsync(string path = "/", Action<ClientWebSocketOptions>? configure = null)
    {
        var client = await WsClient.ConnectAsync(new Uri($"ws://{WsaasUri.Authority}{path}"), configure);
        var post = await App.NextAsync("POST");
        return (client, post.Path["/websocket/".Length..]);
    }

    public Task<RawResponse> PutAsync(string id, byte[] body, string? contentType = null) =>
        RawHttp.SendAsync(ControlUri, "PUT", "/" + id, contentType is null ? [] : ["Content-Type: " + contentType], body);

    public Task<RawResponse> PutAsync(string id, string body, string? contentType = null) => PutAsync(id, Encoding.UTF8.GetBytes(body), contentType);

    public Task<RawResponse> DeleteAsync(string id) => RawHttp.SendAsync(ControlUri, "DELETE", "/" + id);

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await App.DisposeAsync();
    }
}
