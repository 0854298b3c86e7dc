using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>On shutdown every socket is closed by the server with 1001 and a reason.</summary>
public sealed class ShutdownSpecs
{
    [Fact]
    public async Task Shutdown_closes_every_socket_with_1001_and_a_reason()
    {
        var node = await TestNode.StartAsync("pingactors.shutdown.drain-window=500ms");
        try
        {
            var channel = Channels.Unique("shutdown");
            await using var a = await node.ConnectAsync(channel);
            await using var b = await node.ConnectAsync(Channels.Unique("shutdown-other"));
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

            var frame = await rawClose;
            Assert.True(frame is not null, "the raw client's connection ended without a close frame");
            Assert.Equal(1001, frame.CloseCode);
            Assert.Equal("server shutting down", frame.CloseReason);

            // The raw client answers the close; the stop then completes.
            await raw.SendCloseAsync(1001);
            await stopping;
        }
        finally
        {
            await node.DisposeAsync();
        }
    }
}
