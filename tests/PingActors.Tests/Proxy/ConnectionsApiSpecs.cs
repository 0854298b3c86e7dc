using System.Net.WebSockets;
using System.Text.Json;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Proxy;

/// <summary>The connection API on the ops listener (AWS API Gateway's @connections style) for proxy sessions.</summary>
public sealed class ConnectionsApiSpecs
{
    [Fact]
    public async Task Get_describes_a_session_and_a_gone_one_is_410()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        await using var client = await Open(proxy, "described");

        var found = await RawHttp.GetAsync(proxy.Node.OpsUri, "/@connections/described");
        Assert.Equal(200, found.Status);
        var info = JsonDocument.Parse(found.BodyText).RootElement;
        Assert.Equal("described", info.GetProperty("id").GetString());
        Assert.Equal("kuiperbelt", info.GetProperty("face").GetString());
        Assert.Equal("127.0.0.1", info.GetProperty("remote_address").GetString());
        Assert.StartsWith("akka.tcp://PingActors@", info.GetProperty("node").GetString(), StringComparison.Ordinal);
        Assert.True(info.GetProperty("connected_at").GetDateTimeOffset() <= info.GetProperty("last_active_at").GetDateTimeOffset().AddSeconds(1));

        Assert.Equal(410, (await RawHttp.GetAsync(proxy.Node.OpsUri, "/@connections/nobody")).Status);
    }

    [Fact]
    public async Task Post_pushes_the_body_and_delete_closes_with_1000_without_a_close_callback()
    {
        await using var proxy = await ProxyNode.StartAsync(["close"]);
        await using var client = await Open(proxy, "pushed");

        var posted = await RawHttp.SendAsync(proxy.Node.OpsUri, "POST", "/@connections/pushed", [], "from ops"u8.ToArray());
        Assert.Equal(200, posted.Status);
        Assert.Equal("from ops", await client.ReceiveTextAsync());

        var deleted = await RawHttp.SendAsync(proxy.Node.OpsUri, "DELETE", "/@connections/pushed");
        Assert.Equal(200, deleted.Status);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, (await client.ReceiveCloseAsync()).CloseStatus);
        Assert.False(await proxy.App.CalledWithinAsync("/close", TimeSpan.FromMilliseconds(500)));

        Assert.Equal(410, (await RawHttp.SendAsync(proxy.Node.OpsUri, "POST", "/@connections/pushed", [], "late"u8.ToArray())).Status);
    }

    [Fact]
    public async Task One_post_reaches_many_ids_with_a_result_per_id()
    {
        await using var proxy = await ProxyNode.StartAsync([]);
        await using var a = await Open(proxy, "a");
        await using var b = await Open(proxy, "b");

        var posted = await RawHttp.SendAsync(proxy.Node.OpsUri, "POST", "/@connections?id=a&id=b&id=gone", ["Content-Type: application/octet-stream"], [1, 2]);

        Assert.Equal(200, posted.Status);
        var results = JsonDocument.Parse(posted.BodyText).RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["a:200", "b:200", "gone:410"], results.Select(r => $"{r.GetProperty("id").GetString()}:{r.GetProperty("status").GetInt32()}"));
        Assert.Equal(WebSocketMessageType.Binary, (await a.ReceiveAsync()).Type);
        Assert.Equal(new byte[] { 1, 2 }, (await b.ReceiveAsync()).Bytes);
    }

    [Fact]
    public async Task The_api_is_behind_the_ops_token()
    {
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.ops.auth-token=t0k3n");
        await using var client = await Open(proxy, "guarded");

        Assert.Equal(401, (await RawHttp.GetAsync(proxy.Node.OpsUri, "/@connections/guarded")).Status);
        Assert.Equal(200, (await RawHttp.GetAsync(proxy.Node.OpsUri, "/@connections/guarded", "Authorization: Bearer t0k3n")).Status);
    }

    private static async Task<Infrastructure.WsClient> Open(ProxyNode proxy, string key)
    {
        proxy.App.Connect = _ => CallbackAnswer.Session(key, "welcome");
        var client = await proxy.ConnectAsync();
        Assert.Equal("welcome", await client.ReceiveTextAsync());
        return client;
    }
}
