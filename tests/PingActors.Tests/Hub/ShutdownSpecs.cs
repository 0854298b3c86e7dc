using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>On shutdown every socket is closed by the server with 1001 and a reason.</summary>
public sealed class ShutdownSpecs(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Shutdown_closes_every_socket_with_1001_and_a_reason()
    {
        var node = await TestNode.StartAsync("pingactors.shutdown.drain-window=500ms");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var channel = ChannelNames.Unique("shutdown");
            await using var a = await node.ConnectAsync(channel);
            await using var b = await node.ConnectAsync(ChannelNames.Unique("shutdown-other"));
            await using var raw = await RawWebSocket.ConnectAsync(node.HubUri, channel);

            var closes = new[] { a.ReceiveCloseAsync(TimeSpan.FromSeconds(30)), b.ReceiveCloseAsync(TimeSpan.FromSeconds(30)) };
            var rawClose = raw.ReadUntilCloseAsync(TimeSpan.FromSeconds(30));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var stopping = node.Node.StopAsync(cts.Token);

            foreach (var close in await Task.WhenAll(closes))
            {
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, close.CloseStatus);
                Assert.Equal("server shutting down", close.CloseReason);
            }

            // Complete the close handshakes, so the drain does not wait for its close timeout.
            foreach (var client in new[] { a, b })
            {
                using var closeCts = new CancellationTokenSource(WsClient.DefaultTimeout);
                await client.Socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, string.Empty, closeCts.Token);
            }

            var frame = await rawClose;
            Assert.True(frame is not null, "the raw client's connection ended without a close frame");
            Assert.Equal(1001, frame.CloseCode);
            Assert.Equal("server shutting down", frame.CloseReason);

            // The raw client answers the close; the stop then completes.
            await raw.SendCloseAsync(1001);
            await stopping;
            output.WriteLine($"stopped {clock.Elapsed} after start");
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Handshake_while_draining_is_503_with_retry_after_and_open_sockets_keep_working()
    {
        var node = await TestNode.StartAsync();
        try
        {
            var channel = ChannelNames.Unique("draining");
            await using var open = await node.ConnectAsync(channel);

            // What the drain service does first on shutdown, without the rest of the shutdown.
            node.Node.Services.GetRequiredService<PingActors.Node.WebSockets.NodeSessions>().Draining = true;

            var response = await RawHttp.GetAsync(node.HubUri, channel, "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
            Assert.Equal(503, response.Status);
            Assert.Equal("1", response.Header("Retry-After"));
            Assert.Equal("Error: server shutting down.\n", response.BodyText);

            await node.PostAsync(channel, "still delivered");
            Assert.Equal("still delivered", await open.ReceiveTextAsync());
        }
        finally
        {
            await node.DisposeAsync();
        }
    }
}
