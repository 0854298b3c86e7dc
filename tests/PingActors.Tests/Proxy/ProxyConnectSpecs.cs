using System.Net;
using System.Net.WebSockets;
using System.Text;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Proxy;

/// <summary>kuiperbelt's connect callback (seeds-protocols.md 1.3; cases 1-5, 16 and 19 of §6) against a real node and a real app.</summary>
public sealed class ProxyConnectSpecs
{
    [Fact]
    public async Task A_200_with_the_session_header_upgrades_and_its_body_is_the_first_message()
    {
        await using var proxy = await ProxyNode.StartAsync(["establish"], "pingactors.proxy.proxy-set-header.X-Foo=Foo", "pingactors.proxy.proxy-set-header.X-Forwarded-For=\"\"");
        proxy.App.Connect = _ => CallbackAnswer.Session("alice", "hello");

        await using var client = await proxy.ConnectAsync("/connect?user=alice&x=1", o =>
        {
            o.SetRequestHeader("X-Custom", "custom");
            o.SetRequestHeader("X-Forwarded-For", "10.0.0.1");
        });

        Assert.Equal("hello", await client.ReceiveTextAsync());
        var connect = await proxy.App.NextAsync("/connect");
        Assert.Equal("GET", connect.Method);
        Assert.Equal("?user=alice&x=1", connect.Query);
        Assert.Equal("custom", connect.Header("X-Custom"));
        Assert.Equal("Foo", connect.Header("X-Foo"));
        Assert.Null(connect.Header("X-Forwarded-For"));
        Assert.Equal(proxy.App.BaseUri.Authority, connect.Header("Host"));
        Assert.Equal($"{Environment.MachineName}:{proxy.ProxyUri.Port}", connect.Header("X-Kuiperbelt-Endpoint"));
        foreach (var name in new[] { "Connection", "Upgrade", "Sec-WebSocket-Key", "Sec-WebSocket-Version" })
        {
            Assert.Null(connect.Header(name));
        }
    }

    [Theory]
    [InlineData(403, false)]
    [InlineData(401, true)]
    [InlineData(500, true)]
    public async Task Any_other_status_goes_back_to_the_client_with_its_body_and_only_a_403_is_not_a_connect_error(int status, bool countedAsError)
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        proxy.App.Connect = _ => new CallbackAnswer(status, Encoding.UTF8.GetBytes("fail authorization!"), "text/x-app");

        var response = await RawHttp.GetAsync(proxy.ProxyUri, "/connect", WebSocketHeaders);

        Assert.Equal(status, response.Status);
        Assert.Equal("fail authorization!", response.BodyText);
        Assert.Equal("text/x-app", response.Header("Content-Type"));
        var stats = await StatsAsync(proxy);
        Assert.Equal(countedAsError ? 1 : 0, stats.GetProperty("connect_errors").GetInt64());
        Assert.Equal(0, stats.GetProperty("connections").GetInt64());
    }

    [Fact]
    public async Task A_200_without_the_session_header_is_400()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        proxy.App.Connect = _ => new CallbackAnswer(200, Encoding.UTF8.GetBytes("hi"));

        var response = await RawHttp.GetAsync(proxy.ProxyUri, "/connect", WebSocketHeaders);

        Assert.Equal(400, response.Status);
        Assert.Equal("Bad Request\n", response.BodyText);
    }

    [Fact]
    public async Task The_session_header_of_the_answer_is_matched_case_insensitively()
    {
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.session-header=x-my-session");
        proxy.App.Connect = _ => new CallbackAnswer(200, "welcome"u8.ToArray(), Headers: new Dictionary<string, string> { ["X-My-Session"] = "bob" });

        await using var client = await proxy.ConnectAsync();
        Assert.Equal("welcome", await client.ReceiveTextAsync());
        var sent = await RawHttp.SendAsync(proxy.ControlUri, "POST", "/send", ["x-MY-session: bob"], "hi"u8.ToArray());

        Assert.Equal(200, sent.Status);
        Assert.Equal("{\"result\":\"OK\"}", sent.BodyText);
        Assert.Equal("hi", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_callback_slower_than_the_callback_timeout_is_502()
    {
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.callback.timeout=500ms");
        proxy.App.Connect = _ => new CallbackAnswer(200, Headers: new Dictionary<string, string> { ["X-Kuiperbelt-Session"] = "late" }, Delay: TimeSpan.FromSeconds(10));

        var response = await RawHttp.GetAsync(proxy.ProxyUri, "/connect", WebSocketHeaders);

        Assert.Equal(502, response.Status);
        Assert.Equal("Bad Gateway\n", response.BodyText);
    }

    [Fact]
    public async Task An_octet_stream_greeting_is_a_binary_frame_and_an_empty_body_sends_none()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        proxy.App.Connect = _ => CallbackAnswer.Session("bin", "\u0001\u0002", "APPLICATION/octet-stream; x=y");
        await using var binary = await proxy.ConnectAsync();
        var greeting = await binary.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, greeting.Type);
        Assert.Equal(new byte[] { 1, 2 }, greeting.Bytes);

        proxy.App.Connect = _ => CallbackAnswer.Session("quiet");
        await using var quiet = await proxy.ConnectAsync();
        var sent = await proxy.SendOnceReachableAsync("first", "quiet");
        Assert.Equal(200, sent.Status);

        // The first message is the /send's: no empty greeting came before it.
        Assert.Equal("first", await quiet.ReceiveTextAsync());
    }

    [Theory]
    [InlineData("none", null, "127.0.0.1:PORT", true)]
    [InlineData("none", "https://evil.example", "127.0.0.1:PORT", true)]
    [InlineData("same_origin", null, "127.0.0.1:PORT", true)]
    [InlineData("same_origin", "http://127.0.0.1:PORT", "127.0.0.1:PORT", true)]
    [InlineData("same_origin", "http://127.0.0.1:1", "127.0.0.1:PORT", false)]
    [InlineData("same_hostname", "http://127.0.0.1:1", "127.0.0.1:PORT", true)]
    [InlineData("same_hostname", null, "127.0.0.1:PORT", false)]
    [InlineData("same_hostname", "http://127.0.0.1:1", "127.0.0.1", false)]
    [InlineData("same_hostname", "http://example.com", "127.0.0.1:PORT", false)]
    public async Task Origin_policies_are_checked_before_the_app_is_called(string policy, string? origin, string host, bool allowed)
    {
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.origin-policy=" + policy);
        var port = proxy.ProxyUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var headers = new List<string>(WebSocketHeadersWithoutHost) { "Host: " + host.Replace("PORT", port, StringComparison.Ordinal) };
        if (origin is not null)
        {
            headers.Add("Origin: " + origin.Replace("PORT", port, StringComparison.Ordinal));
        }

        var response = await RawWebSocketHandshake(proxy.ProxyUri, headers);

        Assert.Equal(allowed ? 101 : 403, response);
        Assert.Equal(allowed, await proxy.App.CalledWithinAsync("/connect", allowed ? TimeSpan.FromSeconds(5) : TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_plain_get_is_refused_without_calling_the_app_and_an_offered_subprotocol_is_not_selected()
    {
        await using var proxy = await ProxyNode.StartAsync([]);

        var plain = await RawHttp.GetAsync(proxy.ProxyUri, "/connect");
        Assert.Equal(400, plain.Status);
        Assert.False(await proxy.App.CalledWithinAsync("/connect", TimeSpan.FromMilliseconds(300)));

        await using var client = await proxy.ConnectAsync(configure: o => o.AddSubProtocol("chat"));
        Assert.Null(client.Socket.SubProtocol);
    }

    [Fact]
    public async Task Unknown_paths_are_404_as_in_kuiperbelt_and_ping_answers_any_method()
    {
        await using var proxy = await ProxyNode.StartAsync([]);

        var unknown = await RawHttp.GetAsync(proxy.ProxyUri, "/nope");
        Assert.Equal(404, unknown.Status);
        Assert.Equal("404 page not found\n", unknown.BodyText);

        foreach (var method in new[] { "GET", "POST", "PUT" })
        {
            var ping = await RawHttp.SendAsync(proxy.ProxyUri, method, "/ping", body: []);
            Assert.Equal(200, ping.Status);
            Assert.Equal("{\"result\":\"OK\"}", ping.BodyText);
            Assert.Equal("application/json; charset=utf-8", ping.Header("Content-Type"));
        }
    }

    internal static readonly string[] WebSocketHeadersWithoutHost =
    [
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ];

    internal static readonly string[] WebSocketHeaders = WebSocketHeadersWithoutHost;

    internal static async Task<System.Text.Json.JsonElement> StatsAsync(ProxyNode proxy)
    {
        var json = await proxy.Http.GetStringAsync(new Uri(proxy.ControlUri, "/stats"));
        return System.Text.Json.JsonDocument.Parse(json).RootElement;
    }

    // The status line of a handshake sent with exactly these headers (Host included), without reading on.
    private static async Task<int> RawWebSocketHandshake(Uri uri, IEnumerable<string> headers)
    {
        await using var raw = await RawWebSocket.OpenAsync(uri);
        var request = "GET /connect HTTP/1.1\r\n" + string.Join(string.Empty, headers.Select(h => h + "\r\n")) + "\r\n";
        await raw.WriteAsync(Encoding.Latin1.GetBytes(request));
        var head = await raw.ReadHeadAsync(RawWebSocket.DefaultTimeout);
        return int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
