using System.Globalization;
using System.Net.WebSockets;
using PingActors.Tests.Hub;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Proxy;

/// <summary>The proxy takes the hub's permessage-deflate as it is (<c>pingactors.proxy.deflate.enabled</c>).</summary>
public sealed class ProxyDeflateSpecs
{
    private const string Compressions = "pingactors_deflate_compressions_total{feature=\"proxy\"}";

    [Fact]
    public async Task A_send_to_two_compressing_sessions_is_compressed_once_and_reaches_both()
    {
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.deflate.enabled=on");
        await using var alice = await Open(proxy, "alice");
        await using var bob = await Open(proxy, "bob");
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            alice.Socket.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single());

        var before = await CompressionsAsync(proxy);
        var message = DeflateSpecs.Json(21, 3000);
        Assert.Equal(200, (await proxy.SendAsync(message, "alice", "bob")).Status);
        Assert.Equal(message, await alice.ReceiveTextAsync());
        Assert.Equal(message, await bob.ReceiveTextAsync());
        Assert.Equal(1, await CompressionsAsync(proxy) - before);
    }

    private static async Task<Infrastructure.WsClient> Open(ProxyNode proxy, string key)
    {
        proxy.App.Connect = _ => CallbackAnswer.Session(key, "welcome " + key);
        var client = await proxy.ConnectAsync(configure: options =>
        {
            options.CollectHttpResponseDetails = true;
            options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        });
        Assert.Equal("welcome " + key, await client.ReceiveTextAsync());
        return client;
    }

    private static async Task<double> CompressionsAsync(ProxyNode proxy)
    {
        var text = await proxy.Http.GetStringAsync(new Uri(proxy.Node.OpsUri, "/metrics"));
        return text.Split('\n')
            .Where(l => l.StartsWith(Compressions + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(Compressions.Length + 1)..], CultureInfo.InvariantCulture))
            .Single();
    }
}
