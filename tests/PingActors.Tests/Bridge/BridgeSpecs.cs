using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using PingActors.Tests.Bridge.Support;
using PingActors.Tests.Hub.Support;

namespace PingActors.Tests.Bridge;

/// <summary>A WebSocket joined to real TCP, UDP and unix peers through the bridge (websocksy's cases 1-5, 12 of seeds-protocols.md §6).</summary>
public sealed class BridgeSpecs
{
    [Fact]
    public async Task Messages_go_to_a_tcp_peer_byte_for_byte_and_its_answers_come_back()
    {
        await using var peer = TcpPeer.Echo();
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}", "pingactors.bridge.backend.framing=newline", "pingactors.bridge.backend.framing-config=lf");
        await using var client = await bridge.ConnectAsync();

        await client.SendTextAsync("hello\nwor");
        await client.SendAsync(Encoding.UTF8.GetBytes("ld\n"), WebSocketMessageType.Binary);

        Assert.Equal("hello\n", await client.ReceiveTextAsync());
        Assert.Equal("world\n", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Large_messages_go_through_whole_and_come_back_byte_for_byte()
    {
        await using var peer = TcpPeer.Echo();
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}", "pingactors.bridge.backend.framing=binary");
        await using var client = await bridge.ConnectAsync();
        var message = new byte[64 * 1024];
        Random.Shared.NextBytes(message);

        for (var round = 0; round < 3; round++)
        {
            await client.SendAsync(message, WebSocketMessageType.Binary);
            var echoed = new MemoryStream();
            while (echoed.Length < message.Length)
            {
                var part = await client.ReceiveAsync();
                Assert.Equal(WebSocketMessageType.Binary, part.Type);
                echoed.Write(part.Bytes);
            }

            Assert.Equal(message, echoed.ToArray());
        }
    }

    [Fact]
    public async Task A_unix_socket_peer_is_bridged_too()
    {
        await using var peer = TcpPeer.Unix(TcpPeer.EchoAsync);
        await using var bridge = await BridgeNode.StartAsync("unix://" + peer.SocketFile, "pingactors.bridge.backend.framing=binary");
        await using var client = await bridge.ConnectAsync();

        await client.SendAsync([1, 2, 3], WebSocketMessageType.Binary);

        var echoed = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, echoed.Type);
        Assert.Equal(new byte[] { 1, 2, 3 }, echoed.Bytes);
    }

    [Fact]
    public async Task A_udp_peer_gets_one_datagram_per_message_and_each_datagram_comes_back_as_one()
    {
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)peer.Client.LocalEndPoint!).Port;
        await using var bridge = await BridgeNode.StartAsync($"udp://127.0.0.1:{port}");
        await using var client = await bridge.ConnectAsync();

        await client.SendTextAsync("one");
        await client.SendTextAsync("two");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = await peer.ReceiveAsync(cts.Token);
        var second = await peer.ReceiveAsync(cts.Token);
        Assert.Equal("one", Encoding.UTF8.GetString(first.Buffer));
        Assert.Equal("two", Encoding.UTF8.GetString(second.Buffer));

        await peer.SendAsync(Encoding.UTF8.GetBytes("back"), first.RemoteEndPoint, cts.Token);
        Assert.Equal("back", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_unix_datagram_peer_gets_one_datagram_per_message()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pa-dgram-{Guid.NewGuid():N}.sock");
        using var peer = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        peer.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            await using var bridge = await BridgeNode.StartAsync("unix-dgram://" + path);
            await using var client = await bridge.ConnectAsync();

            await client.SendTextAsync("one");
            await client.SendTextAsync("two");

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[64];
            Assert.Equal("one", Encoding.UTF8.GetString(buffer, 0, await peer.ReceiveAsync(buffer, SocketFlags.None, cts.Token)));
            Assert.Equal("two", Encoding.UTF8.GetString(buffer, 0, await peer.ReceiveAsync(buffer, SocketFlags.None, cts.Token)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_peer_that_is_down_gets_500_before_the_upgrade()
    {
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{closedPort}");

        var response = await RawHttp.GetAsync(bridge.BridgeUri, "/", WebSocketHeaders);

        Assert.Equal(500, response.Status);
        Assert.Contains("peer connection failed", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_peer_closing_ends_the_websocket_with_1000_and_its_reason()
    {
        await using var peer = TcpPeer.Tcp(async (socket, _) =>
        {
            await socket.SendAsync("bye"u8.ToArray(), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Both);
        });
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}");
        await using var client = await bridge.ConnectAsync();

        Assert.Equal("bye", await client.ReceiveTextAsync());
        var close = await client.ReceiveAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
        Assert.Equal("peer closed connection", close.CloseReason);
    }

    [Fact]
    public async Task A_peer_reset_ends_the_websocket_with_1011()
    {
        await using var peer = TcpPeer.Tcp();
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}");
        await using var client = await bridge.ConnectAsync();
        var connection = await peer.AcceptAsync();

        connection.LingerState = new LingerOption(true, 0);
        connection.Close();

        var close = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.InternalServerError, close.CloseStatus);
        Assert.StartsWith("peer connection failed", close.CloseReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_going_away_closes_the_peer_connection()
    {
        await using var peer = TcpPeer.Tcp();
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}");
        var client = await bridge.ConnectAsync();
        var connection = await peer.AcceptAsync();

        await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await client.DisposeAsync();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await connection.ReceiveAsync(new byte[16], SocketFlags.None, cts.Token));
    }

    [Fact]
    public async Task A_slow_client_pauses_reading_from_a_fast_peer_instead_of_buffering_it()
    {
        long written = 0;
        var chunk = new byte[64 * 1024];
        await using var peer = TcpPeer.Tcp(async (socket, token) =>
        {
            // Tries to write 1 GiB; only what the bridge reads gets through.
            for (var i = 0; i < 16 * 1024; i++)
            {
                await socket.SendAsync(chunk, SocketFlags.None, token);
                Interlocked.Add(ref written, chunk.Length);
            }
        });
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{peer.Port}", "pingactors.bridge.backend.framing=binary");
        await using var raw = await RawWebSocket.ConnectAsync(bridge.BridgeUri, "/", receiveBufferSize: 16 * 1024);

        // The client reads nothing: the peer's writes stop once the socket buffers on both sides are full.
        var stalledAt = await SettledAsync(() => Interlocked.Read(ref written));
        Assert.InRange(stalledAt, 1, 48L * 1024 * 1024);

        // Reading 8 MiB lets the peer write more, by about as much.
        long read = 0;
        while (read < 8 * 1024 * 1024)
        {
            read += (await raw.ReadDataFrameAsync()).Payload.Length;
        }

        var movedOn = await SettledAsync(() => Interlocked.Read(ref written));
        Assert.True(movedOn > stalledAt, "the peer wrote nothing more although the client read");
        Assert.InRange(movedOn - read, 0, 48L * 1024 * 1024);
    }

    private static async Task<long> SettledAsync(Func<long> count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var last = count();
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            var now = count();
            if (now == last)
            {
                return now;
            }

            last = now;
        }

        throw new TimeoutException($"still growing at {last}");
    }

    internal static readonly string[] WebSocketHeaders =
    [
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ];
}
