using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;
using PingActors.Tests.Wsaas.Support;
using Xunit.Abstractions;

namespace PingActors.Tests.Cluster;

/// <summary>WSaaS's face in cluster mode: a session held by one node process, pushed to and closed through another's control listener.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WsaasClusterSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task PUT_and_DELETE_through_another_node_reach_the_session_and_its_DELETE_callback_follows_once()
    {
        await using var app = await WsaasApp.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(2, output, WsaasNode.Sets(app));
        await using var client = await WsClient.ConnectAsync(new Uri($"ws://{cluster[0].ListenerUri("wsaas").Authority}/"));
        var id = (await app.NextAsync("POST")).Path["/websocket/".Length..];
        var control1 = cluster[1].ListenerUri("wsaas-control");

        // Node 1 learns node 0's gateway shortly after both are Up.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        RawResponse pushed;
        do
        {
            pushed = await RawHttp.SendAsync(control1, "PUT", "/" + id, ["Content-Type: text/plain"], "via node 1"u8.ToArray());
        }
        while (pushed.BodyText.Contains("NOT_FOUND", StringComparison.Ordinal) && DateTime.UtcNow < deadline && await Delay());

        Assert.Equal("{\"code\": \"OK\"}", pushed.BodyText);
        Assert.Equal("via node 1", await client.ReceiveTextAsync());

        var deleted = await RawHttp.SendAsync(control1, "DELETE", "/" + id);
        Assert.Equal("{\"code\": \"OK\"}", deleted.BodyText);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, (await client.ReceiveAsync()).CloseStatus);
        await app.NextAsync($"DELETE /websocket/{id}");
        await Task.Delay(500);
        Assert.Equal(1, app.Count($"DELETE /websocket/{id}"));
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(200);
        return true;
    }
}
