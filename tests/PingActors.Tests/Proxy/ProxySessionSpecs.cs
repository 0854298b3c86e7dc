using System.Net.WebSockets;
using System.Text;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Proxy;

/// <summary>A proxy session's life with a real app: establish, receive and close callbacks, and the closes PingActors sends where kuiperbelt drops TCP.</summary>
public sealed class ProxySessionSpecs
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task The_establish_callback_carries_the_session_and_comes_before_the_greeting()
    {
        await using var proxy = await ProxyNode.StartAsync();
        var greetingSent = false;
        proxy.App.Connect = _ => CallbackAnswer.Session("est", "hello");
        proxy.App.Establish = _ =>
        {
            Assert.False(Volatile.Read(ref greetingSent));
            return CallbackAnswer.Ok;
        };

        await using var client = await proxy.ConnectAsync();
        Assert.Equal("hello", await client.ReceiveTextAsync());
        Volatile.Write(ref greetingSent, true);

        var establish = await proxy.App.NextAsync("/establish");
        Assert.Equal("POST", establish.Method);
        Assert.Equal("est", establish.Header("X-Kuiperbelt-Session"));
        Assert.NotNull(establish.Header("X-Kuiperbelt-Endpoint"));
    }

    [Fact]
    public async Task A_failed_establish_closes_with_1011_sends_no_greeting_and_no_close_callback()
    {
        await using var proxy = await ProxyNode.StartAsync();
        proxy.App.Connect = _ => CallbackAnswer.Session("nope", "hello");
        proxy.App.Establish = _ => new CallbackAnswer(500);

        await using var client = await proxy.ConnectAsync();
        var first = await client.ReceiveAsync();

        Assert.True(first.IsClose, "the greeting came although the establish callback failed");
        Assert.Equal(WebSocketCloseStatus.InternalServerError, first.CloseStatus);
        Assert.Equal("establish callback failed", first.CloseReason);
        var send = await proxy.SendAsync("late", "nope");
        Assert.Contains("kuiperbelt: session is not found", send.BodyText, StringComparison.Ordinal);
        Assert.False(await proxy.App.CalledWithinAsync("/close", Quiet));
        Assert.Equal(1, (await ProxyConnectSpecs.StatsAsync(proxy)).GetProperty("connect_errors").GetInt64());
    }

    [Fact]
    public async Task Client_messages_reach_the_receive_callback_in_order_with_their_type()
    {
        await using var proxy = await ProxyNode.StartAsync();
        proxy.App.Connect = _ => CallbackAnswer.Session("talker");
        await using var client = await proxy.ConnectAsync();

        for (var i = 0; i < 20; i++)
        {
            await client.SendTextAsync("m" + i);
        }

        await client.SendAsync([0, 255], WebSocketMessageType.Binary);
        await client.SendTextAsync(string.Empty);

        for (var i = 0; i < 20; i++)
        {
            var text = await proxy.App.NextAsync("/receive");
            Assert.Equal("m" + i, text.Text);
            Assert.Equal("text/plain", text.ContentType);
            Assert.Equal("talker", text.Header("X-Kuiperbelt-Session"));
            Assert.NotNull(text.Header("X-Kuiperbelt-Endpoint"));
        }

        var binary = await proxy.App.NextAsync("/receive");
        Assert.Equal("application/octet-stream", binary.ContentType);
        Assert.Equal(new byte[] { 0, 255 }, binary.Body);
        var empty = await proxy.App.NextAsync("/receive");
        Assert.Empty(empty.Body);
    }

    [Fact]
    public async Task Proxy_set_header_applies_to_the_receive_callback_too_unlike_kuiperbelt()
    {
        await using var proxy = await ProxyNode.StartAsync(["receive"], "pingactors.proxy.proxy-set-header.X-Foo=Foo");
        proxy.App.Connect = _ => CallbackAnswer.Session("hdr", "welcome");
        await using var client = await proxy.ConnectAsync();
        Assert.Equal("welcome", await client.ReceiveTextAsync());

        await client.SendTextAsync("with headers");

        var receive = await proxy.App.NextAsync("/receive");
        Assert.Equal("Foo", receive.Header("X-Foo"));
        Assert.Equal("hdr", receive.Header("X-Kuiperbelt-Session"));
    }

    [Fact]
    public async Task The_next_client_message_is_read_only_once_the_app_answered_the_last()
    {
        await using var proxy = await ProxyNode.StartAsync();
        proxy.App.Connect = _ => CallbackAnswer.Session("slow");
        var release = new TaskCompletionSource();
        proxy.App.Receive = _ => new CallbackAnswer(After: release.Task);
        await using var client = await proxy.ConnectAsync();

        await client.SendTextAsync("one");
        await client.SendTextAsync("two");
        Assert.Equal("one", (await proxy.App.NextAsync("/receive")).Text);
        Assert.False(await proxy.App.CalledWithinAsync("/receive", Quiet), "the second message was posted before the app answered the first");

        release.SetResult();
        Assert.Equal("two", (await proxy.App.NextAsync("/receive")).Text);
    }

    [Fact]
    public async Task The_client_closing_runs_the_close_callback_once_with_the_set_headers_and_the_session_leaves()
    {
        await using var proxy = await ProxyNode.StartAsync(["close"], "pingactors.proxy.proxy-set-header.X-Foo=Foo");
        proxy.App.Connect = _ => CallbackAnswer.Session("leaver");
        var client = await proxy.ConnectAsync();

        await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await client.DisposeAsync();

        var close = await proxy.App.NextAsync("/close");
        Assert.Equal("POST", close.Method);
        Assert.Equal("leaver", close.Header("X-Kuiperbelt-Session"));
        Assert.Equal("Foo", close.Header("X-Foo"));
        Assert.False(await proxy.App.CalledWithinAsync("/close", Quiet), "a second close callback");
        var send = await proxy.SendAsync("anyone?", "leaver");
        Assert.Contains("kuiperbelt: session is not found", send.BodyText, StringComparison.Ordinal);
        Assert.Equal(0, (await ProxyConnectSpecs.StatsAsync(proxy)).GetProperty("connections").GetInt64());
    }

    [Fact]
    public async Task A_dropped_connection_runs_the_close_callback()
    {
        await using var proxy = await ProxyNode.StartAsync(["close"]);
        proxy.App.Connect = _ => CallbackAnswer.Session("dropped");
        var raw = await RawWebSocket.ConnectAsync(proxy.ProxyUri, "/connect");
        await raw.DisposeAsync();

        Assert.Equal("dropped", (await proxy.App.NextAsync("/close")).Header("X-Kuiperbelt-Session"));
    }

    [Fact]
    public async Task Invalid_utf8_in_a_text_frame_is_closed_with_1007_and_the_close_callback_runs()
    {
        await using var proxy = await ProxyNode.StartAsync();
        proxy.App.Connect = _ => CallbackAnswer.Session("garbled");
        await using var raw = await RawWebSocket.ConnectAsync(proxy.ProxyUri, "/connect");

        await raw.SendFrameAsync(RawFrame.Text, [0xC3, 0x28]);
        var close = (await raw.ReadUntilCloseAsync(RawWebSocket.DefaultTimeout))!;

        Assert.Equal(1007, close.CloseCode);
        Assert.Equal("garbled", (await proxy.App.NextAsync("/close")).Header("X-Kuiperbelt-Session"));
        Assert.False(await proxy.App.CalledWithinAsync("/receive", Quiet));
    }

    [Fact]
    public async Task The_idle_timeout_closes_with_1001_after_silence_and_a_client_ping_or_message_keeps_it_open()
    {
        await using var proxy = await ProxyNode.StartAsync(["close"], "pingactors.proxy.idle-timeout=2s");
        proxy.App.Connect = _ => CallbackAnswer.Session("idle");
        await using var raw = await RawWebSocket.ConnectAsync(proxy.ProxyUri, "/connect");

        // Pings for 2.8 s, then messages for 1.4 s more, each 0.7 s apart (1.3 s within the timeout, so a slow
        // machine stretching the gaps still keeps it open), then silence. Had pings not counted, the close
        // would come at 2 s, before the last message; had messages not counted, 2 s after the last ping.
        var lastSent = DateTime.UtcNow;
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(700);
            await (i < 4 ? raw.SendFrameAsync(RawFrame.Ping, i == 0 ? "hello"u8.ToArray() : []) : raw.SendTextAsync("still here"));
            lastSent = DateTime.UtcNow;
        }

        var close = (await raw.ReadUntilCloseAsync(TimeSpan.FromSeconds(15)))!;
        var silence = DateTime.UtcNow - lastSent;

        Assert.Equal(1001, close.CloseCode);
        Assert.Equal("idle timeout", close.CloseReason);
        Assert.True(silence >= TimeSpan.FromSeconds(1.8), $"closed {silence.TotalSeconds:F1} s after the last message: the traffic before it did not keep the session open");
        Assert.Equal("idle", (await proxy.App.NextAsync("/close")).Header("X-Kuiperbelt-Session"));
    }

    [Fact]
    public async Task Shutdown_closes_every_session_with_1001_and_runs_their_close_callbacks()
    {
        var proxy = await ProxyNode.StartAsync(["close"]);
        try
        {
            var clients = new List<Infrastructure.WsClient>();
            for (var i = 0; i < 5; i++)
            {
                clients.Add(await proxy.ConnectAsync());
            }

            var stopping = proxy.Node.Node.StopAsync();
            foreach (var client in clients)
            {
                var close = await client.ReceiveCloseAsync();
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, close.CloseStatus);
                await client.DisposeAsync();
            }

            await stopping;
            var keys = new HashSet<string>();
            for (var i = 0; i < 5; i++)
            {
                keys.Add((await proxy.App.NextAsync("/close")).Header("X-Kuiperbelt-Session")!);
            }

            Assert.Equal(5, keys.Count);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }
}
