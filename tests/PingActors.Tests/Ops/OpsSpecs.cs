using System.Net;
using System.Text.Json;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Ops;

/// <summary>The operations listener: /ping, /stats, /cluster, /metrics, and nothing of it on the hub listener.</summary>
public sealed class OpsSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private TestNode Node => fixture.Node;

    // The ops paths are read-only: any other method is 405 (OpsMethodSpecs).
    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task Ping_answers_ok_for_get_and_head(string method)
    {
        using var response = await Node.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(Node.OpsUri, "/ping")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        if (method != "HEAD")
        {
            Assert.Equal("{\"result\":\"OK\"}", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Stats_count_connections_channels_and_messages()
    {
        var channel = ChannelNames.Unique("stats");

        // The node is this class's alone, but an earlier test's sockets may still be closing: start from
        // a node at rest so the counts after are exact.
        var before = await Stats.WaitForAsync(
            Node,
            s => s.GetProperty("connections").GetInt64() == 0 && s.GetProperty("channels").GetInt64() == 0 && s.GetProperty("channel_entities").GetInt64() == 0,
            what: "no connections, channels or channel entities left from earlier tests");
        await using var a = await Node.ConnectAsync(channel);
        await using var b = await Node.ConnectAsync(channel);
        using (await Node.PostAsync(channel, "counted"))
        {
        }

        await a.ReceiveTextAsync();
        await b.ReceiveTextAsync();

        // A delivery is counted just after it is handed to the sockets, so a client may read it first.
        var after = await Stats.WaitForAsync(Node, s => s.Delivered() - before.Delivered() >= 2, what: "both deliveries counted");

        Assert.Equal("jit", after.GetProperty("build").GetString()); // the test host runs nodes in-process, on JIT
        Assert.Equal(2, after.GetProperty("connections").GetInt64());
        Assert.Equal(2, after.GetProperty("connections_total").GetInt64() - before.GetProperty("connections_total").GetInt64());
        Assert.Equal(1, after.GetProperty("channels").GetInt64());
        Assert.Equal(1, after.GetProperty("channel_entities").GetInt64());
        Assert.Equal(1, after.Published() - before.Published());
        Assert.Equal(2, after.Delivered() - before.Delivered());
        Assert.Equal(0, after.Dropped() - before.Dropped());

        // Both deliveries left the channel's mailbox before either socket could send them.
        Assert.Equal(0, after.GetProperty("messages").GetProperty("fanout_backlog").GetInt64());
        Assert.Equal(0, after.SlowConsumerDisconnects() - before.SlowConsumerDisconnects());
        var cluster = after.GetProperty("cluster");
        Assert.Equal("Up", cluster.GetProperty("status").GetString());
        Assert.True(cluster.GetProperty("joined").GetBoolean());
        Assert.Equal(1, cluster.GetProperty("members_up").GetInt32());

        // Shards stay once started (earlier tests' too); one new channel adds at most one.
        Assert.InRange(after.GetProperty("shards").GetInt32(), Math.Max(1, before.GetProperty("shards").GetInt32()), before.GetProperty("shards").GetInt32() + 1);
    }

    [Fact]
    public async Task Cluster_lists_this_node_as_an_up_member()
    {
        var json = JsonDocument.Parse(await Node.Http.GetStringAsync(new Uri(Node.OpsUri, "/cluster"))).RootElement;
        var self = json.GetProperty("self").GetString();
        var member = Assert.Single(json.GetProperty("members").EnumerateArray());
        Assert.Equal(self, member.GetProperty("address").GetString());
        Assert.Equal("Up", member.GetProperty("status").GetString());
        Assert.True(member.GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_and_move_with_the_traffic()
    {
        var channel = ChannelNames.Unique("metrics");
        var before = Sample(await MetricsAsync(), "pingactors_messages_delivered_total");
        await using var client = await Node.ConnectAsync(channel);
        using (await Node.PostAsync(channel, "m"))
        {
        }

        await client.ReceiveTextAsync();

        // A delivery is counted just after it is handed to the sockets, so the client may read it first.
        await Stats.WaitForAsync(Node, s => s.Delivered() >= before + 1, what: "the delivery counted");
        var text = await MetricsAsync();
        Assert.Contains("# TYPE pingactors_connections gauge", text);
        Assert.Contains("# TYPE pingactors_fanout_backlog gauge", text);
        Assert.Contains("# TYPE pingactors_replay_unsubscribed_bytes gauge", text);
        Assert.Contains("pingactors_messages_published_total{source=\"post\"}", text);
        Assert.Contains("pingactors_cluster_members{status=\"Up\"} 1", text);
        Assert.Equal(before + 1, Sample(text, "pingactors_messages_delivered_total"));
    }

    [Fact]
    public async Task Metrics_include_the_process_and_runtime_figures()
    {
        var text = await MetricsAsync();

        // A real node holds its listeners, the cluster's socket and the runtime's own descriptors.
        Assert.True(Sample(text, "process_open_handles") > 0);
        Assert.True(Sample(text, "process_working_set_bytes") > 0);
        Assert.True(Sample(text, "process_num_threads") > 0);
        Assert.Contains("# TYPE process_cpu_seconds_total counter", text);
        Assert.Contains("dotnet_collection_count_total{generation=\"0\"}", text);
    }

    [Fact]
    public async Task Ops_paths_are_not_served_on_the_hub_listener_and_unknown_ops_paths_are_404()
    {
        using var onHub = await Node.Http.GetAsync(Node.HttpUri("/stats"));
        Assert.Equal("text/html", onHub.Content.Headers.ContentType?.MediaType); // a channel page, not stats
        using var unknown = await Node.Http.GetAsync(new Uri(Node.OpsUri, "/nope"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<string> MetricsAsync()
    {
        using var response = await Node.Http.GetAsync(new Uri(Node.OpsUri, "/metrics"));
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static double Sample(string text, string name) =>
        text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => double.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Single();
}
