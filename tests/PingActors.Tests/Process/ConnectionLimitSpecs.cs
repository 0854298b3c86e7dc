using System.Net.WebSockets;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>
/// pingactors.hub.max-connections: beyond it a new connection is closed at once, and the node keeps
/// serving the ones it has (instead of running out of file descriptors).
/// </summary>
public sealed class ConnectionLimitSpecs
{
    [Fact]
    public async Task Connections_beyond_the_limit_are_refused_and_the_node_keeps_serving()
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions { Sets = ["pingactors.hub.max-connections=3"] });
        Assert.Contains(node.StdoutLines, l => l.Contains("Accepting at most 3 WebSocket connections", StringComparison.Ordinal));
        var clients = new List<WsClient>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await WsClient.ConnectAsync(node.WsUri("/limited")));
        }

        var refused = await Assert.ThrowsAnyAsync<WebSocketException>(() => WsClient.ConnectAsync(node.WsUri("/limited")));
        Assert.Contains("503", refused.Message);
        using (var http = new HttpClient())
        {
            // Plain HTTP still works at the WebSocket limit.
            Assert.Equal("OK\n", await (await http.PostAsync(node.HttpUri("/limited"), new StringContent("still served"))).Content.ReadAsStringAsync());
        }

        foreach (var client in clients)
        {
            Assert.Equal("still served", await client.ReceiveTextAsync());
        }

        // One leaves; its place can be taken, and the others still get what is published.
        await clients[0].DisposeAsync();
        clients[0] = await ConnectWhenFreeAsync(node);
        await clients[1].SendTextAsync("after one left");
        foreach (var client in clients)
        {
            Assert.Equal("after one left", await client.ReceiveTextAsync());
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    // The server counts the closed connection down asynchronously: retry until its slot is free.
    private static async Task<WsClient> ConnectWhenFreeAsync(NodeProcess node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                return await WsClient.ConnectAsync(node.WsUri("/limited"));
            }
            catch (WebSocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
