using System.Net.WebSockets;
using PingActors.Tests.Bridge.Support;
using PingActors.Tests.Hub.Support;

namespace PingActors.Tests.Bridge;

/// <summary>Choosing the peer, end to end: subprotocols, the allow-list, the file backend's routes, framing limits.</summary>
public sealed class BridgeRoutingSpecs
{
    [Theory]
    [InlineData("chat", "superchat, CHAT", "CHAT")]
    [InlineData("*", "first, second", "first")]
    [InlineData("", "chat", null)]
    [InlineData("chat", "other", null)]
    public async Task The_default_backend_answers_subprotocols_by_websocksys_rules(string configured, string offered, string? answered)
    {
        await using var peer = TcpPeer.Echo();
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}", $"pingactors.bridge.backend.protocol=\"{configured}\"");

        await using var client = await bridge.ConnectAsync(configure: o =>
        {
            foreach (var protocol in offered.Split(", "))
            {
                o.AddSubProtocol(protocol);
            }
        });

        Assert.Equal(answered, client.Socket.SubProtocol);
    }

    [Fact]
    public async Task A_peer_outside_the_allow_list_is_refused_with_403_before_the_upgrade()
    {
        await using var peer = TcpPeer.Echo();
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}", "pingactors.bridge.allow=[\"tcp://127.0.0.1:1\", \"unix:///run/app/*\"]");

        var refused = await RawHttp.GetAsync(bridge.BridgeUri, "/", BridgeSpecs.WebSocketHeaders);

        Assert.Equal(403, refused.Status);
        var metrics = await bridge.Node.Http.GetStringAsync(new Uri(bridge.Node.OpsUri, "/metrics"));
        Assert.Contains("pingactors_bridge_refused_total{reason=\"not_allowed\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_inside_the_allow_list_is_bridged()
    {
        await using var peer = TcpPeer.Echo();
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}", "pingactors.bridge.allow=[\"tcp://127.0.0.1:*\"]");
        await using var client = await bridge.ConnectAsync();

        await client.SendTextAsync("allowed");

        Assert.Equal("allowed", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task The_file_backend_routes_by_endpoint_and_cookie_in_expression_order()
    {
        await using var chat = TcpPeer.Tcp(async (s, t) => await s.SendAsync("chat peer"u8.ToArray(), System.Net.Sockets.SocketFlags.None, t));
        await using var vip = TcpPeer.Tcp(async (s, t) => await s.SendAsync("vip peer"u8.ToArray(), System.Net.Sockets.SocketFlags.None, t));
        var routes = Directory.CreateTempSubdirectory("pa-routes-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(routes.FullName, "room_chat.txt"), $"tcp://127.0.0.1:{chat.Port} * binary\n");
            await File.WriteAllTextAsync(Path.Combine(routes.FullName, "user-gold.txt"), $"tcp://127.0.0.1:{vip.Port} * binary\n");
            await using var bridge = await BridgeNode.StartAsync(
                "tcp://unused",
                "pingactors.bridge.backend.type=file",
                $"pingactors.bridge.backend.path=\"{routes.FullName}\"",
                "pingactors.bridge.backend.expressions=[\"user-%cookie:tier%.txt\", \"%endpoint%.txt\"]");

            await using var byEndpoint = await bridge.ConnectAsync("/room/chat/");
            Assert.Equal("chat peer", (await byEndpoint.ReceiveAsync()).Text);

            await using var byCookie = await bridge.ConnectAsync("/room/chat", o => o.SetRequestHeader("Cookie", "a=1; tier=gold"));
            Assert.Equal("vip peer", (await byCookie.ReceiveAsync()).Text);

            var nowhere = await RawHttp.GetAsync(bridge.BridgeUri, "/nowhere", BridgeSpecs.WebSocketHeaders);
            Assert.Equal(500, nowhere.Status);
        }
        finally
        {
            routes.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_backend_of_your_own_loaded_from_its_assembly_chooses_the_peer()
    {
        await using var peer = TcpPeer.Echo();
        var assembly = Path.Combine(AppContext.BaseDirectory, "example-backend", "PingActors.Bridge.ExampleBackend.dll");
        await using var bridge = await BridgeNode.StartAsync(
            "tcp://unused",
            "pingactors.bridge.backend.type=\"PingActors.Bridge.ExampleBackend.EchoPortBackend, PingActors.Bridge.ExampleBackend\"",
            $"pingactors.bridge.backend.assembly=\"{assembly}\"");

        await using var client = await bridge.ConnectAsync($"/echo/{peer.Port}");
        await client.SendTextAsync("through my backend");

        Assert.Equal("through my backend", (await client.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task A_record_larger_than_max_message_size_closes_with_1009()
    {
        await using var peer = TcpPeer.Tcp(async (s, t) => await s.SendAsync(new byte[4096], System.Net.Sockets.SocketFlags.None, t));
        await using var bridge = await BridgeNode.StartAsync(
            $"tcp://127.0.0.1:{peer.Port}",
            "pingactors.bridge.backend.framing=separator",
            "pingactors.bridge.backend.framing-config=\"\\\\n\"",
            "pingactors.bridge.max-message-size=1KiB");
        await using var client = await bridge.ConnectAsync();

        var close = await client.ReceiveCloseAsync();

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, close.CloseStatus);
        Assert.Contains("separator", close.CloseReason, StringComparison.Ordinal);
    }
}
