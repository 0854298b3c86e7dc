using PingActors.Tests.Cluster;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;
using PingActors.Tests.Wsaas.Support;
using Xunit.Abstractions;

namespace PingActors.Tests.Wsaas;

/// <summary>
/// A push for an id this node does not hold, while another node does not answer (paused with SIGSTOP, not yet
/// downed): <c>PUT /{id}</c> answers 504 TIMEOUT after send-timeout, not NOT_FOUND (the session may well be
/// there, and the push may still reach it), and OK again once the node answers.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WsaasTimeoutSpecs(ITestOutputHelper output)
{
    private const int SIGCONT = 18;
    private const int SIGSTOP = 19;

    [Fact]
    public async Task A_push_no_node_answers_for_within_send_timeout_is_504_TIMEOUT()
    {
        await using var app = await WsaasApp.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(2, output, [.. WsaasNode.Sets(app), "pingactors.wsaas.send-timeout=1s"]);
        await using var client = await WsClient.ConnectAsync(new Uri($"ws://{cluster[1].ListenerUri("wsaas").Authority}/"));
        var id = (await app.NextAsync("POST")).Path["/websocket/".Length..];
        var control0 = cluster[0].ListenerUri("wsaas-control");

        // Node 0 learns node 1's gateway shortly after both are Up.
        Assert.Equal("{\"code\": \"OK\"}", (await PutUntilFoundAsync(control0, id, "before")).BodyText);
        Assert.Equal("before", await client.ReceiveTextAsync());

        RawResponse timedOut;
        var started = DateTime.UtcNow;
        cluster[1].Signal(SIGSTOP);
        try
        {
            timedOut = await Put(control0, id, "paused");
        }
        finally
        {
            cluster[1].Signal(SIGCONT);
        }

        var took = DateTime.UtcNow - started;
        Assert.Equal(504, timedOut.Status);
        Assert.Equal("{\"code\": \"TIMEOUT\"}", timedOut.BodyText);
        Assert.True(took >= TimeSpan.FromSeconds(0.9) && took < TimeSpan.FromSeconds(10), $"answered after {took}");

        // TIMEOUT says nothing of the push's fate: it went to node 1 and may arrive once node 1 runs again.
        Assert.Equal("{\"code\": \"OK\"}", (await PutUntilFoundAsync(control0, id, "after")).BodyText);
        string next;
        while ((next = await client.ReceiveTextAsync()) != "after")
        {
            Assert.Equal("paused", next);
        }
    }

    private static Task<RawResponse> Put(Uri control, string id, string text) =>
        RawHttp.SendAsync(control, "PUT", "/" + id, ["Content-Type: text/plain"], System.Text.Encoding.UTF8.GetBytes(text));

    private static async Task<RawResponse> PutUntilFoundAsync(Uri control, string id, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        RawResponse answer;
        while (!(answer = await Put(control, id, text)).BodyText.Contains("\"OK\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        return answer;
    }
}
