using System.Collections.Concurrent;
using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;
using PingActors.Tests.Wsaas.Support;

namespace PingActors.Tests.Wsaas;

/// <summary>
/// A WSaaS app learns a connection's id from the connect POST and may push or close at once, before the node
/// has sent the client its 101: the session is reachable from then on, and what the app sent is not lost.
/// </summary>
public sealed class WsaasEarlyPushSpecs
{
    private const int Connections = 20;

    [Fact]
    public async Task A_push_sent_as_soon_as_the_app_answered_the_connect_is_OK_and_reaches_the_client_first()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        var answers = new ConcurrentDictionary<string, RawResponse>();
        wsaas.App.AfterConnectAnswered = async post =>
        {
            var id = post.Path["/websocket/".Length..];
            answers[id] = await wsaas.PutAsync(id, "welcome " + id, "text/plain");
            await wsaas.PutAsync(id, "second " + id, "text/plain");
        };

        for (var i = 0; i < Connections; i++)
        {
            var (client, id) = await wsaas.ConnectAsync();
            var first = await client.ReceiveAsync();
            var second = await client.ReceiveAsync();

            Assert.Equal("{\"code\": \"OK\"}", answers[id].BodyText);
            Assert.Equal(WebSocketMessageType.Text, first.Type);
            Assert.Equal("welcome " + id, first.Text);
            Assert.Equal("second " + id, second.Text);
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_DELETE_sent_as_soon_as_the_app_answered_the_connect_closes_the_client_with_1000()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        var deleted = new TaskCompletionSource<RawResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        wsaas.App.AfterConnectAnswered = async post =>
        {
            var id = post.Path["/websocket/".Length..];
            await wsaas.PutAsync(id, "bye " + id, "text/plain");
            deleted.TrySetResult(await wsaas.DeleteAsync(id));
        };

        var (client, id) = await wsaas.ConnectAsync();

        var last = await client.ReceiveAsync();
        Assert.Equal("bye " + id, last.Text);
        var close = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
        Assert.Equal("{\"code\": \"OK\"}", (await deleted.Task.WaitAsync(WsClient.DefaultTimeout)).BodyText);
        await wsaas.App.NextAsync($"DELETE /websocket/{id}");
        await client.DisposeAsync();
    }

    [Fact]
    public async Task A_connection_the_app_refused_is_NOT_FOUND_once_its_DELETE_came()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        wsaas.App.Connect = _ => new Proxy.Support.CallbackAnswer(403, "no"u8.ToArray(), "text/plain");

        await Assert.ThrowsAnyAsync<WebSocketException>(() => WsClient.ConnectAsync(new Uri($"ws://{wsaas.WsaasUri.Authority}/")));

        // Reachable from before the connect POST, so no longer once the app refused it.
        var id = (await wsaas.App.NextAsync("POST")).Path["/websocket/".Length..];
        await wsaas.App.NextAsync($"DELETE /websocket/{id}");
        Assert.Equal("{\"code\": \"NOT_FOUND\"}", (await wsaas.PutAsync(id, "too late")).BodyText);
    }
}
