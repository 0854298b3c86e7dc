using System.Net;
using System.Text;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub.Sse;

/// <summary>SSE streams under the WebSocket subscribers' limits: the outbox bound and its policy, the drain, a connection limit, and off.</summary>
public sealed class SseLimitsSpecs(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int MessageSize = 60_000;

    [Fact]
    public async Task A_slow_consumer_is_dropped_and_counted_while_a_fast_one_gets_everything()
    {
        await using var node = await TestNode.StartAsync(
            "pingactors.hub.outbound.max-messages=4",
            "pingactors.hub.outbound.write-timeout=120s",
            "pingactors.hub.outbound.close-timeout=120s");
        var channel = ChannelNames.Unique("sse-slow");
        await using var fast = await SseClient.ConnectAsync(node, channel);
        await fast.ReadRecoveryAsync();

        // A subscriber that never reads, with a small receive buffer so its kernel cannot hold much for it.
        await using var slow = await RawWebSocket.OpenAsync(node.HubUri, receiveBufferSize: 4096);
        await slow.WriteAsync(Encoding.ASCII.GetBytes($"GET {channel} HTTP/1.1\r\nHost: {node.HubUri.Authority}\r\nAccept: text/event-stream\r\n\r\n"));
        await WaitForMetricAsync(node, "pingactors_sse_connections", v => v >= 2);
        var before = await node.StatsAsync();

        var posted = 0;
        while (await MetricAsync(node, "pingactors_sse_slow_consumer_disconnects_total") < 1)
        {
            Assert.True(posted < 1500, $"{posted} messages of {MessageSize} bytes never overflowed the slow stream's outbox");
            using (var response = await node.PostAsync(channel, posted.ToString("D6") + ":" + new string('x', MessageSize - 7)))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            Assert.Equal(posted, int.Parse((await fast.ReadEventAsync()).Data!.AsSpan(0, 6)));
            posted++;
        }

        output.WriteLine($"the slow stream was dropped after {posted} messages");
        var after = await node.StatsAsync();
        Assert.Equal(1, after.SlowConsumerDisconnects() - before.SlowConsumerDisconnects());
        Assert.True(after.Dropped() > before.Dropped(), "what the slow stream missed is counted as dropped");

        // Its connection ends (the response is aborted): reading what is on the wire reaches the end.
        await slow.ReadToEndAsync(TimeSpan.FromSeconds(60));
        await WaitForMetricAsync(node, "pingactors_sse_connections", v => v == 1);

        await node.PostAsync(channel, "still here");
        Assert.Equal("still here", (await fast.ReadEventAsync()).Data);
    }

    [Fact]
    public async Task A_resume_that_missed_more_than_the_outbox_holds_gets_all_of_it()
    {
        // Four events fit the outbox, the channel keeps 100: a resume after 30 missed messages gets all 30.
        await using var node = await TestNode.StartAsync("pingactors.hub.outbound.max-messages=4", "pingactors.hub.replay.max-messages=100");
        var channel = ChannelNames.Unique("sse-burst");
        await using var keeper = await node.ConnectAsync(channel);
        string lastId;
        await using (var first = await SseClient.ConnectAsync(node, channel))
        {
            await first.ReadRecoveryAsync();
            await node.PostAsync(channel, "m0");
            lastId = (await first.ReadEventAsync()).Id!;
        }

        for (var i = 1; i <= 30; i++)
        {
            using var response = await node.PostAsync(channel, "m" + i);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var resumed = await SseClient.ConnectAsync(node, channel, lastEventId: lastId);
        await resumed.ReadRecoveryAsync();
        for (var i = 1; i <= 30; i++)
        {
            Assert.Equal("m" + i, (await resumed.ReadEventAsync()).Data);
        }

        Assert.Equal(0, await MetricAsync(node, "pingactors_sse_slow_consumer_disconnects_total"));
    }

    [Fact]
    public async Task Shutdown_ends_every_stream_with_a_close_event()
    {
        var node = await TestNode.StartAsync("pingactors.shutdown.drain-window=500ms");
        try
        {
            var channel = ChannelNames.Unique("sse-shutdown");
            await using var sse = await SseClient.ConnectAsync(node, channel);
            await sse.ReadRecoveryAsync();
            await node.PostAsync(channel, "before");

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var stopping = node.Node.StopAsync(cts.Token);
            Assert.Equal("before", (await sse.ReadEventAsync(TimeSpan.FromSeconds(30))).Data);
            var close = await sse.ReadEventAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("close", close.Event);
            Assert.Equal("1001 server shutting down", close.Data);
            Assert.Null(await sse.ReadAsync(TimeSpan.FromSeconds(30)));
            await stopping;
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Beyond_max_connections_a_stream_is_refused_with_503()
    {
        await using var node = await TestNode.StartAsync("pingactors.hub.sse.max-connections=1");
        var channel = ChannelNames.Unique("sse-limit");
        await using (var first = await SseClient.ConnectAsync(node, channel))
        {
            await first.ReadRecoveryAsync();
            var (refused, http) = await SseClient.SendAsync(node, channel);
            using (http)
            using (refused)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
            }
        }

        // The slot comes back once the first stream is gone.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var (response, http) = await SseClient.SendAsync(node, channel);
            using (http)
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, "the slot of a closed stream never came back");
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Off_an_event_stream_GET_is_served_as_any_GET()
    {
        await using var node = await TestNode.StartAsync("pingactors.hub.sse.enabled=off");
        var response = await RawHttp.GetAsync(node.HubUri, ChannelNames.Unique("sse-off"), "Accept: text/event-stream");
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/html", response.Header("Content-Type"));
    }

    private static async Task<double> MetricAsync(TestNode node, string name)
    {
        var text = await node.Http.GetStringAsync(new Uri(node.OpsUri, "/metrics"));
        return text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => double.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Single();
    }

    private static async Task WaitForMetricAsync(TestNode node, string name, Func<double, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition(await MetricAsync(node, name)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} never reached the expected value");
            await Task.Delay(50);
        }
    }
}
