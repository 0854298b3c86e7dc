using System.Net;
using System.Net.Sockets;
using System.Text;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Proxy;

/// <summary>An app that is down, answers garbage or is slow costs its own callbacks and nothing more.</summary>
public sealed class ProxyAppFailureSpecs
{
    [Fact]
    public async Task An_app_that_is_down_answers_connects_502_and_counts_them()
    {
        var closedPort = FreePort();
        await using var node = await Infrastructure.TestNode.StartAsync(
            "pingactors.proxy.enabled=on",
            "pingactors.proxy.listen=127.0.0.1:0",
            $"pingactors.proxy.callback.connect=\"http://127.0.0.1:{closedPort}/connect\"");
        var proxyUri = node.Node.Listeners.UriOf("proxy");

        var response = await RawHttp.GetAsync(proxyUri, "/connect", ProxyConnectSpecs.WebSocketHeaders);

        Assert.Equal(502, response.Status);
        var stats = await node.Http.GetStringAsync(new Uri(proxyUri, "/stats"));
        Assert.Contains("\"connect_errors\":1", stats, StringComparison.Ordinal);
        var metrics = await node.Http.GetStringAsync(new Uri(node.OpsUri, "/metrics"));
        Assert.Contains("pingactors_proxy_callbacks_total{kind=\"connect\",outcome=\"error\"} 1", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not HTTP\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-Kuiperbelt-Session: s\r\nContent-Length: 100\r\n\r\nshort")]
    public async Task An_app_answering_garbage_gives_502(string garbage)
    {
        using var app = new TcpListener(IPAddress.Loopback, 0);
        app.Start();
        var serving = Task.Run(async () =>
        {
            using var connection = await app.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            using var request = new StreamReader(stream, leaveOpen: true);
            while (!string.IsNullOrEmpty(await request.ReadLineAsync()))
            {
                // The callback's request head; its body (none for a connect) is not needed.
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes(garbage));
            connection.Client.Shutdown(SocketShutdown.Send);
        });
        await using var node = await Infrastructure.TestNode.StartAsync(
            "pingactors.proxy.enabled=on",
            "pingactors.proxy.listen=127.0.0.1:0",
            $"pingactors.proxy.callback.connect=\"http://127.0.0.1:{((IPEndPoint)app.LocalEndpoint).Port}/connect\"");

        var response = await RawHttp.GetAsync(node.Node.Listeners.UriOf("proxy"), "/connect", ProxyConnectSpecs.WebSocketHeaders);

        Assert.Equal(502, response.Status);
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_greeting_larger_than_max_body_size_gives_502()
    {
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.callback.max-body-size=1KiB");
        proxy.App.Connect = _ => CallbackAnswer.Session("big", new string('x', 4096));

        var response = await RawHttp.GetAsync(proxy.ProxyUri, "/connect", ProxyConnectSpecs.WebSocketHeaders);

        Assert.Equal(502, response.Status);
    }

    [Fact]
    public async Task A_slow_receive_callback_for_one_session_does_not_hold_up_the_others()
    {
        await using var proxy = await ProxyNode.StartAsync(["receive"]);
        var release = new TaskCompletionSource();
        proxy.App.Receive = r => r.Header("X-Kuiperbelt-Session") == "stuck" ? new CallbackAnswer(After: release.Task) : CallbackAnswer.Ok;
        proxy.App.Connect = _ => CallbackAnswer.Session("stuck");
        await using var stuck = await proxy.ConnectAsync();
        proxy.App.Connect = _ => CallbackAnswer.Session("free");
        await using var free = await proxy.ConnectAsync();

        await stuck.SendTextAsync("waits");
        Assert.Equal("waits", (await proxy.App.NextAsync("/receive")).Text);
        for (var i = 0; i < 5; i++)
        {
            await free.SendTextAsync("flows " + i);
            Assert.Equal("flows " + i, (await proxy.App.NextAsync("/receive", TimeSpan.FromSeconds(5))).Text);
        }

        Assert.Equal(200, (await proxy.SendAsync("still served", "stuck")).Status);
        Assert.Equal("still served", await stuck.ReceiveTextAsync());
        release.SetResult();
    }

    [Fact]
    public async Task A_close_callback_to_an_app_that_is_gone_is_counted_and_the_node_goes_on()
    {
        await using var proxy = await ProxyNode.StartAsync(["close"], "pingactors.proxy.callback.timeout=1s");
        proxy.App.Close = _ => new CallbackAnswer(200, Delay: TimeSpan.FromSeconds(10));
        var client = await proxy.ConnectAsync();
        await client.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await client.DisposeAsync();
        await proxy.App.NextAsync("/close");

        await WaitForAsync(async () => (await proxy.Http.GetStringAsync(new Uri(proxy.Node.OpsUri, "/metrics")))
            .Contains("pingactors_proxy_callbacks_total{kind=\"close\",outcome=\"timeout\"} 1", StringComparison.Ordinal));
        await using var next = await proxy.ConnectAsync();
        Assert.Equal("{\"result\":\"OK\"}", (await proxy.SendOnceReachableAsync("fine", "s2")).BodyText);
        Assert.Equal("fine", await next.ReceiveTextAsync());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition was not met within 15 s");
            await Task.Delay(100);
        }
    }
}
