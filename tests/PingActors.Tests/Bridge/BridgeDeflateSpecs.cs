using System.Net.WebSockets;
using System.Text;
using PingActors.Tests.Bridge.Support;
using PingActors.Tests.Hub;

namespace PingActors.Tests.Bridge;

/// <summary>
/// The bridge takes permessage-deflate too (<c>pingactors.bridge.deflate.enabled</c>); each of its messages goes
/// to one socket, so .NET's WebSocket compresses them, also without context takeover.
/// </summary>
public sealed class BridgeDeflateSpecs
{
    [Fact]
    public async Task A_compressing_client_is_bridged_both_ways_intact()
    {
        await using var peer = TcpPeer.Echo();
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}", "pingactors.bridge.backend.framing=newline", "pingactors.bridge.backend.framing-config=lf", "pingactors.bridge.deflate.enabled=on");
        await using var client = await bridge.ConnectAsync(configure: options =>
        {
            options.CollectHttpResponseDetails = true;
            options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        });
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            client.Socket.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single());

        var lines = Enumerable.Range(0, 10).Select(i => DeflateSpecs.Json(i, 2000).Replace('\n', ' ') + "\n").ToList();
        foreach (var line in lines)
        {
            await client.SendTextAsync(line);
        }

        foreach (var line in lines)
        {
            Assert.Equal(line, await client.ReceiveTextAsync());
        }
    }
}
