using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Proxy;
using PingActors.Tests.Proxy.Support;
using PingActors.Tests.Wsaas.Support;

namespace PingActors.Tests.Wsaas;

/// <summary>A WSaaS session's life with a real app: the connect POST, the PUTs in order, and one DELETE however it ends.</summary>
public sealed class WsaasSessionSpecs
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_connect_posts_the_id_with_WSaaS_body_and_the_client_authorization()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        await using var client = await Infrastructure.WsClient.ConnectAsync(
            new Uri($"ws://{wsaas.WsaasUri.Authority}/any/path"),
            o => o.SetRequestHeader("Authorization", "Bearer 1234"));

        var post = await wsaas.App.NextAsync("POST");
        var id = post.Path["/websocket/".Length..];
        Assert.True(Guid.TryParse(id, out _), $"the id is not a UUID: {id}");
        Assert.Equal($"{{\"code\": \"NEW_CONNECTION\",\"ws_uri\":\"{WsaasNode.Local}/{id}\",\"timeout\":30000}}", post.Text);
        Assert.Equal("application/json", post.ContentType);
        Assert.Equal("Bearer 1234", post.Header("Authorization"));

        var (_, second) = await wsaas.ConnectAsync();
        Assert.NotEqual(id, second);
    }

    [Fact]
    public async Task Without_an_authorization_the_callbacks_carry_WSaaS_literal_None()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        var (client, id) = await wsaas.ConnectAsync();
        await client.SendTextAsync("hi");

        var put = await wsaas.App.NextAsync("PUT");
        Assert.Equal("None", put.Header("Authorization"));
        await client.DisposeAsync();
    }

    [Theory]
    [InlineData(403)]
    [InlineData(500)]
    public async Task A_refused_connect_is_a_real_HTTP_error_and_its_DELETE_still_follows_once(int status)
    {
        await using var wsaas = await WsaasNode.StartAsync();
        wsaas.App.Connect = _ => new CallbackAnswer(status, "no"u8.ToArray(), "text/plain");

        var response = await RawHttp.GetAsync(wsaas.WsaasUri, "/", ProxyConnectSpecs.WebSocketHeaders);

        Assert.Equal(status, response.Status);
        Assert.Null(response.Header("Upgrade"));
        Assert.Equal("no", response.BodyText);
        var id = (await wsaas.App.NextAsync("POST")).Path["/websocket/".Length..];
        var delete = await wsaas.App.NextAsync($"DELETE /websocket/{id}");
        Assert.Equal($"{{\"code\": \"CONNECTION_CLOSE\", \"ws_uri\": \"{WsaasNode.Local}/{id}\"}}", delete.Text);
        await Task.Delay(Quiet);
        Assert.Equal(1, wsaas.App.Count($"DELETE /websocket/{id}"));
    }

    [Fact]
    public async Task A_burst_of_50_client_messages_reaches_the_app_as_PUTs_in_order()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        wsaas.App.Message = _ => new CallbackAnswer(Delay: TimeSpan.FromMilliseconds(2));
        var (client, id) = await wsaas.ConnectAsync();

        for (var i = 0; i < 50; i++)
        {
            await client.SendTextAsync($"{{\"n\":{i}}}");
        }

        await client.SendAsync([0, 255], WebSocketMessageType.Binary);
        for (var i = 0; i < 50; i++)
        {
            var put = await wsaas.App.NextAsync("PUT");
            Assert.Equal($"/websocket/{id}", put.Path);
            Assert.Equal($"{{\"n\":{i}}}", put.Text);
            Assert.Equal("application/json", put.ContentType);
        }

        var binary = await wsaas.App.NextAsync("PUT");
        Assert.Equal(new byte[] { 0, 255 }, binary.Body);
        Assert.Equal("application/octet-stream", binary.ContentType);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task A_client_close_sends_one_DELETE_and_no_PUT_for_the_close_frame()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        var (client, id) = await wsaas.ConnectAsync();

        await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await client.DisposeAsync();

        await wsaas.App.NextAsync($"DELETE /websocket/{id}");
        await Task.Delay(Quiet);
        Assert.Equal(1, wsaas.App.Count($"DELETE /websocket/{id}"));
        Assert.Equal(0, wsaas.App.Count($"PUT /websocket/{id}"));
    }

    [Fact]
    public async Task WS_TIMEOUT_closes_an_idle_session_with_1001_and_its_DELETE_follows()
    {
        await using var wsaas = await WsaasNode.StartAsync("pingactors.wsaas.timeout=1s");
        var (client, id) = await wsaas.ConnectAsync();
        Assert.Contains("\"timeout\":1000}", (await wsaas.App.NextAsync($"POST /websocket/{id}")).Text, StringComparison.Ordinal);

        var close = await client.ReceiveCloseAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, close.CloseStatus);
        await wsaas.App.NextAsync($"DELETE /websocket/{id}");
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Node_shutdown_closes_every_session_and_sends_each_DELETE_once()
    {
        var wsaas = await WsaasNode.StartAsync();
        try
        {
            var sessions = new List<(Infrastructure.WsClient Client, string Id)>();
            for (var i = 0; i < 3; i++)
            {
                sessions.Add(await wsaas.ConnectAsync());
            }

            var stopping = wsaas.Node.Node.StopAsync();
            foreach (var (client, _) in sessions)
            {
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await client.ReceiveCloseAsync()).CloseStatus);
                await client.DisposeAsync();
            }

            await stopping;
            foreach (var (_, id) in sessions)
            {
                await wsaas.App.NextAsync($"DELETE /websocket/{id}");
                Assert.Equal(1, wsaas.App.Count($"DELETE /websocket/{id}"));
            }
        }
        finally
        {
            await wsaas.DisposeAsync();
        }
    }
}
