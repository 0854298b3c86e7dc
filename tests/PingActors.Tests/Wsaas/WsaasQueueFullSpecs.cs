using PingActors.Tests.Wsaas.Support;

namespace PingActors.Tests.Wsaas;

/// <summary>
/// A push to a session whose client does not read: once send-queue-size pushes wait, <c>PUT /{id}</c> answers
/// 503 QUEUE_FULL (WSaaS queues without bound) and takes pushes again once the client has read.
/// </summary>
public sealed class WsaasQueueFullSpecs
{
    [Fact]
    public async Task A_push_beyond_send_queue_size_is_503_QUEUE_FULL_until_the_client_reads()
    {
        await using var wsaas = await WsaasNode.StartAsync("pingactors.wsaas.send-queue-size=2");
        var (client, id) = await wsaas.ConnectAsync();
        var push = new byte[100 * 1024];

        // The client reads nothing: the socket's buffers fill, then the session's queue of 2.
        var accepted = 0;
        Hub.Support.RawResponse answer;
        while ((answer = await wsaas.PutAsync(id, push)).Status == 200)
        {
            Assert.Equal("{\"code\": \"OK\"}", answer.BodyText);
            Assert.True(++accepted < 1000, "1000 pushes of 100 KiB queued for a client that reads nothing");
        }

        Assert.Equal(503, answer.Status);
        Assert.Equal("{\"code\": \"QUEUE_FULL\"}", answer.BodyText);
        Assert.Equal("application/json", answer.Header("Content-Type"));
        var metrics = await wsaas.Node.Http.GetStringAsync(new Uri(wsaas.Node.OpsUri, "/metrics"));
        Assert.Contains("pingactors_proxy_delivery_errors_total{reason=\"QueueFull\"} 1\n", metrics, StringComparison.Ordinal);

        // Every accepted push arrives, none of the refused one; then the queue takes pushes again.
        for (var i = 0; i < accepted; i++)
        {
            Assert.Equal(push.Length, (await client.ReceiveAsync()).Bytes.Length);
        }

        Assert.Equal("{\"code\": \"OK\"}", (await wsaas.PutAsync(id, "after", "text/plain")).BodyText);
        Assert.Equal("after", (await client.ReceiveAsync()).Text);
        await client.DisposeAsync();
    }
}
