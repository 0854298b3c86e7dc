using System.Net;
using System.Net.Sockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;
using PingActors.Tests.Proxy;
using PingActors.Tests.Proxy.Support;
using PingActors.Tests.Wsaas.Support;

namespace PingActors.Tests.Wsaas;

/// <summary>
/// A connect POST that fails (the app down, or dropping the connection) or takes longer than callback.timeout:
/// the handshake is refused with 502, and the DELETE still follows once, as after any POST (the face's rule).
/// </summary>
public sealed class WsaasConnectFailureSpecs
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_POST_to_an_app_that_is_down_is_502_and_its_DELETE_is_tried_once()
    {
        var closedPort = FreePort();
        await using var node = await TestNode.StartAsync(
            "pingactors.wsaas.enabled=on",
            "pingactors.wsaas.listen=127.0.0.1:0",
            "pingactors.wsaas.control-listen=127.0.0.1:0",
            $"pingactors.wsaas.target=\"http://127.0.0.1:{closedPort}/websocket\"");

        var response = await RawHttp.GetAsync(node.Node.Listeners.UriOf("wsaas"), "/", ProxyConnectSpecs.WebSocketHeaders);

        Assert.Equal(502, response.Status);
        Assert.Null(response.Header("Upgrade"));

        // Nobody listens for the DELETE either: the node's count of close callbacks is what shows it was tried, once.
        await MetricReachesAsync(node, "pingactors_proxy_callbacks_total{kind=\"close\",outcome=\"error\"} 1");
        var metrics = await node.Http.GetStringAsync(new Uri(node.OpsUri, "/metrics"));
        Assert.Contains("pingactors_proxy_callbacks_total{kind=\"connect\",outcome=\"error\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("kind=\"close\",outcome=\"ok\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_POST_whose_connection_the_app_drops_is_502_and_its_DELETE_follows_once()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        wsaas.App.DropConnects = true;

        var response = await RawHttp.GetAsync(wsaas.WsaasUri, "/", ProxyConnectSpecs.WebSocketHeaders);

        Assert.Equal(502, response.Status);
        Assert.Null(response.Header("Upgrade"));
        var id = (await wsaas.App.NextAsync("POST")).Path["/websocket/".Length..];
        var delete = await wsaas.App.NextAsync($"DELETE /websocket/{id}");
        Assert.Equal($"{{\"code\": \"CONNECTION_CLOSE\", \"ws_uri\": \"{WsaasNode.Local}/{id}\"}}", delete.Text);
        await Task.Delay(Quiet);
        Assert.Equal(1, wsaas.App.Count($"DELETE /websocket/{id}"));
        Assert.Equal(1, wsaas.App.Count($"POST /websocket/{id}"));
    }

    [Fact]
    public async Task A_POST_slower_than_callback_timeout_is_502_in_time_and_its_DELETE_follows_once()
    {
        await using var wsaas = await WsaasNode.StartAsync("pingactors.wsaas.callback.timeout=1s");
        wsaas.App.Connect = _ => new CallbackAnswer(Delay: TimeSpan.FromSeconds(20));
        var started = DateTime.UtcNow;

        var response = await RawHttp.GetAsync(wsaas.WsaasUri, "/", ProxyConnectSpecs.WebSocketHeaders);

        // Refused by the timeout, not by the app's late answer (20 s).
        Assert.Equal(502, response.Status);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), $"answered after {DateTime.UtcNow - started}");
        var id = (await wsaas.App.NextAsync("POST")).Path["/websocket/".Length..];
        await wsaas.App.NextAsync($"DELETE /websocket/{id}");
        await Task.Delay(Quiet);
        Assert.Equal(1, wsaas.App.Count($"DELETE /websocket/{id}"));
        var metrics = await wsaas.Node.Http.GetStringAsync(new Uri(wsaas.Node.OpsUri, "/metrics"));
        Assert.Contains("pingactors_proxy_callbacks_total{kind=\"connect\",outcome=\"timeout\"} 1\n", metrics, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // The series has the value, and keeps it a moment later (a second DELETE would come right after the first).
    private static async Task MetricReachesAsync(TestNode node, string line)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!(await node.Http.GetStringAsync(new Uri(node.OpsUri, "/metrics"))).Contains(line + "\n", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no '{line}' in /metrics within 15 s");
            await Task.Delay(50);
        }

        await Task.Delay(Quiet);
        Assert.Contains(line + "\n", await node.Http.GetStringAsync(new Uri(node.OpsUri, "/metrics")), StringComparison.Ordinal);
    }
}
