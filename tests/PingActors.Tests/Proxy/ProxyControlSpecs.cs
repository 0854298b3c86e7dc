using System.Net.WebSockets;
using System.Text;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Proxy;

/// <summary>kuiperbelt's /send, /close and /stats (cases 7-12, 17, 18 of seeds-protocols.md §6), and where PingActors does better.</summary>
public sealed class ProxyControlSpecs
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_send_with_two_session_headers_reaches_both_and_answers_ok()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        await using var alice = await Open(proxy, "alice");
        await using var bob = await Open(proxy, "bob");

        var sent = await proxy.SendAsync("How are you doing?", "alice", "bob");

        Assert.Equal(200, sent.Status);
        Assert.Equal("{\"result\":\"OK\"}", sent.BodyText);
        Assert.Equal("application/json; charset=utf-8", sent.Header("Content-Type"));
        Assert.Equal("How are you doing?", await alice.ReceiveTextAsync());
        Assert.Equal("How are you doing?", await bob.ReceiveTextAsync());
    }

    [Theory]
    [InlineData("APPLICATION/octet-stream ;param=foobar", WebSocketMessageType.Binary)]
    [InlineData("application/json", WebSocketMessageType.Text)]
    [InlineData(null, WebSocketMessageType.Text)]
    public async Task The_content_type_picks_the_frame_type(string? contentType, WebSocketMessageType expected)
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        await using var client = await Open(proxy, "typed");

        var sent = await proxy.PostAsync("/send", [1, 2, 3], ["typed"], contentType);

        Assert.Equal(200, sent.Status);
        var received = await client.ReceiveAsync();
        Assert.Equal(expected, received.Type);
        Assert.Equal(new byte[] { 1, 2, 3 }, received.Bytes);
    }

    [Fact]
    public async Task An_empty_body_sends_an_empty_text_frame()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        await using var client = await Open(proxy, "empty");

        Assert.Equal(200, (await proxy.SendAsync(string.Empty, "empty")).Status);

        var received = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, received.Type);
        Assert.Empty(received.Bytes);
    }

    [Fact]
    public async Task Get_is_405_and_no_session_header_is_400_in_kuiperbelts_json()
    {
        await using var proxy = await ProxyNode.StartAsync([]);

        var get = await RawHttp.GetAsync(proxy.ControlUri, "/send");
        Assert.Equal(405, get.Status);
        Assert.Equal("{\"errors\":[{\"error\":\"required POST method\"}],\"result\":\"NG\"}", get.BodyText);

        var missing = await proxy.SendAsync("x");
        Assert.Equal(400, missing.Status);
        Assert.Equal("{\"errors\":[{\"error\":\"session header is missing\"}],\"result\":\"NG\"}", missing.BodyText);
    }

    [Fact]
    public async Task An_unknown_session_is_reported_and_the_others_still_get_the_message()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        await using var known = await Open(proxy, "known");

        var sent = await proxy.SendAsync("hi", "known", "nope");

        Assert.Equal(200, sent.Status);
        Assert.Equal("{\"errors\":[{\"error\":\"kuiperbelt: session is not found\",\"session\":\"nope\"}],\"result\":\"OK\"}\n", sent.BodyText);
        Assert.Equal("hi", await known.ReceiveTextAsync());
    }

    [Fact]
    public async Task Strict_broadcast_with_an_unknown_session_delivers_to_none()
    {
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.strict-broadcast=on");
        await using var known = await Open(proxy, "known");

        var sent = await proxy.SendAsync("not for you", "known", "nope");

        Assert.Equal(400, sent.Status);
        Assert.Equal("{\"errors\":[{\"error\":\"kuiperbelt: session is not found\",\"session\":\"nope\"}],\"result\":\"NG\"}\n", sent.BodyText);
        Assert.Equal(200, (await proxy.SendAsync("for you", "known")).Status);
        Assert.Equal("for you", await known.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_slow_client_never_blocks_a_send_its_full_queue_is_reported_and_it_stays_connected()
    {
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.send-queue-size=2");
        await using var slow = await RawWebSocket.ConnectAsync(proxy.ProxyUri, "/connect", receiveBufferSize: 4096);
        var big = new string('x', 256 * 1024);

        // The client reads nothing: the socket buffers fill, then the queue of 2, then sends are refused at once.
        RawResponse? refused = null;
        for (var i = 0; i < 64 && refused is null; i++)
        {
            var started = DateTime.UtcNow;
            var sent = await proxy.SendAsync(big, "s1");
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "a send waited for the slow client");
            Assert.Equal(200, sent.Status);
            refused = sent.BodyText.Contains("queue is full", StringComparison.Ordinal) ? sent : null;
        }

        Assert.NotNull(refused);
        Assert.Equal("{\"errors\":[{\"error\":\"kuiperbelt: session queue is full\",\"session\":\"s1\"}],\"result\":\"OK\"}\n", refused.BodyText);
        var frame = await slow.ReadDataFrameAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(big.Length, frame.Payload.Length);
    }

    [Fact]
    public async Task Close_sends_the_body_last_then_a_1000_close_frame_and_no_close_callback()
    {
        await using var proxy = await ProxyNode.StartAsync(["close"]);
        await using var alice = await Open(proxy, "alice");
        await using var bob = await Open(proxy, "bob");

        var closed = await proxy.CloseAsync("Bye", "alice", "bob", "ghost");

        Assert.Equal(200, closed.Status);
        Assert.Equal("{\"errors\":[{\"error\":\"kuiperbelt: session is not found\",\"session\":\"ghost\"}],\"result\":\"OK\"}\n", closed.BodyText);
        foreach (var client in new[] { alice, bob })
        {
            Assert.Equal("Bye", await client.ReceiveTextAsync());
            var close = await client.ReceiveAsync();
            Assert.True(close.IsClose);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
        }

        Assert.False(await proxy.App.CalledWithinAsync("/close", Quiet), "a close callback after the app's own /close");
        Assert.Contains("session is not found", (await proxy.SendAsync("gone?", "alice")).BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_close_still_sends_an_empty_last_frame()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        await using var client = await Open(proxy, "quiet");

        Assert.Equal(200, (await proxy.CloseAsync(string.Empty, "quiet")).Status);

        var last = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, last.Type);
        Assert.Empty(last.Bytes);
        Assert.True((await client.ReceiveAsync()).IsClose);
    }

    [Fact]
    public async Task Stats_count_as_kuiperbelt_does_in_json_and_tsv()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        await using var a = await Open(proxy, "a");
        await using var b = await Open(proxy, "b");
        await proxy.SendAsync("m", "a", "b");
        await proxy.SendAsync("m", "nope");
        proxy.App.Connect = _ => new CallbackAnswer(500);
        await RawHttp.GetAsync(proxy.ProxyUri, "/connect", ProxyConnectSpecs.WebSocketHeaders);

        var json = await proxy.Http.GetStringAsync(new Uri(proxy.ControlUri, "/stats"));
        Assert.Equal("{\"connections\":2,\"total_connections\":2,\"total_messages\":4,\"connect_errors\":1,\"message_errors\":1,\"closing_connections\":0}\n", json);

        var tsv = (await proxy.Http.GetStringAsync(new Uri(proxy.ControlUri, "/stats?format=tsv"))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["kuiperbelt.conn.current", "kuiperbelt.conn.total", "kuiperbelt.conn.errors", "kuiperbelt.conn.closing", "kuiperbelt.messages.total", "kuiperbelt.messages.errors"], tsv.Select(l => l.Split('\t')[0]));
        Assert.Equal(["2", "2", "1", "0", "4", "1"], tsv.Select(l => l.Split('\t')[1]));
    }

    [Fact]
    public async Task A_control_listener_moves_send_close_and_stats_off_the_public_listener()
    {
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.control-listen=127.0.0.1:0");
        await using var client = await Open(proxy, "private");
        Assert.NotEqual(proxy.ProxyUri, proxy.ControlUri);

        foreach (var path in new[] { "/send", "/close", "/stats" })
        {
            var onPublic = await RawHttp.SendAsync(proxy.ProxyUri, "POST", path, ["X-Kuiperbelt-Session: private"], "x"u8.ToArray());
            Assert.Equal(404, onPublic.Status);
        }

        Assert.Equal(200, (await proxy.SendAsync("via control", "private")).Status);
        Assert.Equal("via control", await client.ReceiveTextAsync());
        Assert.Equal(200, (await RawHttp.GetAsync(proxy.ControlUri, "/ping")).Status);
        Assert.Equal(200, (await RawHttp.GetAsync(proxy.ProxyUri, "/ping")).Status);
    }

    [Fact]
    public async Task The_paths_are_kuiperbelts_path_keys()
    {
        await using var proxy = await ProxyNode.StartAsync(
            [],
            "pingactors.proxy.path.connect=/ws",
            "pingactors.proxy.path.send=/push",
            "pingactors.proxy.path.close=/kick",
            "pingactors.proxy.path.stats=/counters",
            "pingactors.proxy.path.ping=/alive");
        proxy.App.Connect = _ => CallbackAnswer.Session("p", "welcome");
        await using var client = await proxy.ConnectAsync("/ws");
        Assert.Equal("welcome", await client.ReceiveTextAsync());

        Assert.Equal("{\"result\":\"OK\"}", (await proxy.PostAsync("/push", "pushed"u8.ToArray(), ["p"])).BodyText);
        Assert.Equal("pushed", await client.ReceiveTextAsync());
        Assert.Equal(404, (await proxy.PostAsync("/send", "x"u8.ToArray(), ["p"])).Status);
        Assert.Equal(200, (await RawHttp.GetAsync(proxy.ControlUri, "/alive")).Status);
        Assert.Contains("\"connections\":1", (await RawHttp.GetAsync(proxy.ControlUri, "/counters")).BodyText, StringComparison.Ordinal);
        Assert.Equal(200, (await proxy.PostAsync("/kick", "bye"u8.ToArray(), ["p"])).Status);
        Assert.Equal("bye", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Proxy_metrics_are_on_the_ops_listener()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        await using var client = await Open(proxy, "m");
        await proxy.SendAsync("x", "m", "gone");

        var metrics = await proxy.Http.GetStringAsync(new Uri(proxy.Node.OpsUri, "/metrics"));

        Assert.Contains("pingactors_connections{feature=\"proxy\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("pingactors_proxy_callbacks_total{kind=\"connect\",outcome=\"ok\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("pingactors_proxy_deliveries_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("pingactors_proxy_delivery_errors_total{reason=\"NotFound\"} 1", metrics, StringComparison.Ordinal);
    }

    // Every session greets: once its client has the greeting, the session is established and reachable by /send.
    private static async Task<Infrastructure.WsClient> Open(ProxyNode proxy, string key)
    {
        proxy.App.Connect = _ => CallbackAnswer.Session(key, "welcome " + key);
        var client = await proxy.ConnectAsync();
        Assert.Equal("welcome " + key, await client.ReceiveTextAsync());
        return client;
    }
}
