using System.Net;
using System.Text;
using System.Text.Json;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub.Sse;

/// <summary>A node whose SSE streams hear a heartbeat every 200 ms.</summary>
public sealed class SseFixture() : NodeFixture("pingactors.hub.sse.heartbeat=200ms", "pingactors.hub.sse.retry=1500ms");

/// <summary>
/// Server-Sent Events subscribers on a real node, read as <c>curl -N</c> reads them (docs/sse.md). Resumes keep a
/// WebSocket subscriber on the channel meanwhile, as a channel with other readers has: a channel with no
/// subscriber (and no history) ends, and its numbering with it.
/// </summary>
public sealed class SseSpecs(SseFixture fixture) : IClassFixture<SseFixture>
{
    private TestNode Node => fixture.Node;

    [Fact]
    public async Task A_published_message_arrives_as_an_event_with_its_epoch_and_seq_as_id()
    {
        var channel = ChannelNames.Unique("sse");
        await using var sse = await SseClient.ConnectAsync(Node, channel);
        Assert.Equal("text/event-stream; charset=utf-8", sse.Response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-cache", sse.Response.Headers.CacheControl?.ToString());
        Assert.Equal("no", sse.Response.Headers.GetValues("X-Accel-Buffering").Single());

        var retry = await sse.ReadAsync();
        Assert.Equal(1500, retry!.Retry);
        var recovery = await sse.ReadRecoveryAsync();
        var notice = JsonDocument.Parse(recovery.Data!).RootElement;
        Assert.True(notice.GetProperty("recovered").GetBoolean());
        var epoch = notice.GetProperty("epoch").GetString();
        Assert.Equal($"{epoch}:{notice.GetProperty("seq").GetInt64()}", recovery.Id);

        using var posted = await Node.PostAsync(channel, "hello");
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var seq = posted.Headers.GetValues("X-PingActors-Seq").Single();
        var message = await sse.ReadEventAsync();
        Assert.Equal($"{epoch}:{seq}", message.Id);
        Assert.Null(message.Event);
        Assert.Equal("hello", message.Data);
    }

    [Fact]
    public async Task A_text_message_with_line_breaks_is_one_event_of_several_data_lines()
    {
        var channel = ChannelNames.Unique("sse-lines");
        await using var sse = await SseClient.ConnectAsync(Node, channel);
        await sse.ReadRecoveryAsync();

        await Node.PostAsync(channel, "first\nsecond\r\nthird\rfourth\n");
        var message = await sse.ReadEventAsync();
        Assert.Equal("first\nsecond\nthird\nfourth\n", message.Data);

        await Node.PostAsync(channel, "next");
        Assert.Equal("next", (await sse.ReadEventAsync()).Data);
    }

    [Fact]
    public async Task A_binary_message_is_a_binary_event_in_base64()
    {
        var channel = ChannelNames.Unique("sse-binary");
        await using var sse = await SseClient.ConnectAsync(Node, channel);
        await sse.ReadRecoveryAsync();

        var bytes = new byte[] { 0, 1, 2, 10, 13, 255, 254, 58 };
        await Node.PostAsync(channel, bytes);
        var message = await sse.ReadEventAsync();
        Assert.Equal("binary", message.Event);
        Assert.Equal(bytes, Convert.FromBase64String(message.Data!));
        Assert.EndsWith(":1", message.Id);
    }

    [Fact]
    public async Task A_quiet_stream_hears_a_heartbeat_comment()
    {
        var channel = ChannelNames.Unique("sse-heartbeat");
        await using var sse = await SseClient.ConnectAsync(Node, channel);
        await sse.ReadRecoveryAsync();

        var next = await sse.ReadAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(next);
        Assert.True(next.IsComment, $"expected a heartbeat comment, got {next}");
        Assert.Equal(string.Empty, next.Comment);

        // Still a live stream after it.
        await Node.PostAsync(channel, "after the heartbeat");
        Assert.Equal("after the heartbeat", (await sse.ReadEventAsync()).Data);
    }

    [Fact]
    public async Task Last_Event_ID_resumes_with_exactly_the_missed_events()
    {
        var channel = ChannelNames.Unique("sse-resume");
        await using var keeper = await Node.ConnectAsync(channel);
        string lastId;
        await using (var first = await SseClient.ConnectAsync(Node, channel))
        {
            await first.ReadRecoveryAsync();
            await PostAsync(channel, "m1", "m2");
            Assert.Equal("m1", (await first.ReadEventAsync()).Data);
            var m2 = await first.ReadEventAsync();
            Assert.Equal("m2", m2.Data);
            lastId = m2.Id!;
        }

        await PostAsync(channel, "m3", "m4", "m5");
        await using var again = await SseClient.ConnectAsync(Node, channel, lastEventId: lastId);
        var recovery = await again.ReadRecoveryAsync();
        Assert.True(JsonDocument.Parse(recovery.Data!).RootElement.GetProperty("recovered").GetBoolean());
        Assert.Equal(lastId, recovery.Id);
        await PostAsync(channel, "m6");
        var epoch = lastId[..lastId.LastIndexOf(':')];
        foreach (var (text, seq) in new[] { ("m3", 3), ("m4", 4), ("m5", 5), ("m6", 6) })
        {
            var e = await again.ReadEventAsync();
            Assert.Equal(text, e.Data);
            Assert.Equal($"{epoch}:{seq}", e.Id);
        }

        // Nothing in between: the next event is the next message.
        await PostAsync(channel, "m7");
        Assert.Equal("m7", (await again.ReadEventAsync()).Data);
        for (var i = 1; i <= 7; i++)
        {
            Assert.Equal("m" + i, await keeper.ReceiveTextAsync());
        }
    }

    [Theory]
    [InlineData("lastEventId")]
    [InlineData("since")]
    public async Task A_client_that_cannot_set_headers_resumes_with_the_query(string form)
    {
        var channel = ChannelNames.Unique("sse-query");
        await using var keeper = await Node.ConnectAsync(channel);
        await using var first = await SseClient.ConnectAsync(Node, channel);
        var epoch = JsonDocument.Parse((await first.ReadRecoveryAsync()).Data!).RootElement.GetProperty("epoch").GetString();
        await PostAsync(channel, "m1", "m2", "m3");

        var query = form == "since" ? $"?since=1&epoch={epoch}" : $"?lastEventId={epoch}:1";
        await using var resumed = await SseClient.ConnectAsync(Node, channel + query);
        await resumed.ReadRecoveryAsync();
        Assert.Equal("m2", (await resumed.ReadEventAsync()).Data);
        Assert.Equal("m3", (await resumed.ReadEventAsync()).Data);
    }

    [Fact]
    public async Task A_position_older_than_the_buffer_is_answered_recovered_false_then_live()
    {
        var channel = ChannelNames.Unique("sse-lost");
        await using var keeper = await Node.ConnectAsync(channel);
        await using var first = await SseClient.ConnectAsync(Node, channel);
        var epoch = JsonDocument.Parse((await first.ReadRecoveryAsync()).Data!).RootElement.GetProperty("epoch").GetString();

        // A position from another epoch cannot be recovered.
        var other = epoch == "0000000000000001" ? "0000000000000002" : "0000000000000001";
        await PostAsync(channel, "m1");
        await using var resumed = await SseClient.ConnectAsync(Node, channel, lastEventId: other + ":1");
        var notice = JsonDocument.Parse((await resumed.ReadRecoveryAsync()).Data!).RootElement;
        Assert.False(notice.GetProperty("recovered").GetBoolean());
        Assert.Equal(epoch, notice.GetProperty("epoch").GetString());
        await PostAsync(channel, "live");
        Assert.Equal("live", (await resumed.ReadEventAsync()).Data);
    }

    [Theory]
    [InlineData("Last-Event-ID: nonsense")]
    [InlineData("Last-Event-ID: 1:x")]
    [InlineData("Last-Event-ID: :5")]
    public async Task A_malformed_position_is_400(string header)
    {
        var response = await RawHttp.GetAsync(Node.HubUri, ChannelNames.Unique("sse-bad"), "Accept: text/event-stream", header);
        Assert.Equal(400, response.Status);
        Assert.Contains("Last-Event-ID", response.BodyText);
    }

    [Fact]
    public async Task The_same_path_still_serves_its_page_and_its_WebSockets()
    {
        var channel = ChannelNames.Unique("sse-same");
        await using var sse = await SseClient.ConnectAsync(Node, channel);
        await sse.ReadRecoveryAsync();
        await using var ws = await Node.ConnectAsync(channel);

        var page = await RawHttp.GetAsync(Node.HubUri, channel, "Accept: text/html");
        Assert.Equal(200, page.Status);
        Assert.StartsWith("text/html", page.Header("Content-Type"));
        Assert.Contains("new WebSocket(", page.BodyText);

        await Node.PostAsync(channel, "both");
        Assert.Equal("both", await ws.ReceiveTextAsync());
        Assert.Equal("both", (await sse.ReadEventAsync()).Data);
    }

    [Fact]
    public async Task Streams_and_their_events_are_counted_in_metrics_and_stats()
    {
        var channel = ChannelNames.Unique("sse-metrics");
        await using var sse = await SseClient.ConnectAsync(Node, channel);
        await sse.ReadRecoveryAsync();
        var before = Metric(await MetricsAsync(), "pingactors_sse_events_sent_total");
        Assert.True(Metric(await MetricsAsync(), "pingactors_sse_connections") >= 1);
        var stats = await Node.StatsAsync();
        Assert.True(stats.GetProperty("connections").GetInt64() >= 1);
        Assert.True(stats.GetProperty("sse").GetProperty("connections").GetInt64() >= 1);
        var eventsInStats = stats.GetProperty("sse").GetProperty("events_sent").GetInt64();

        await PostAsync(channel, "a", "b");
        await sse.ReadEventAsync();
        await sse.ReadEventAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Metric(await MetricsAsync(), "pingactors_sse_events_sent_total") < before + 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "pingactors_sse_events_sent_total did not grow by the 2 events");
            await Task.Delay(50);
        }

        Assert.True((await Node.StatsAsync()).GetProperty("sse").GetProperty("events_sent").GetInt64() >= eventsInStats + 2);
    }

    private async Task PostAsync(string channel, params string[] messages)
    {
        foreach (var message in messages)
        {
            using var response = await Node.PostAsync(channel, message);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private Task<string> MetricsAsync() => Node.Http.GetStringAsync(new Uri(Node.OpsUri, "/metrics"));

    private static double Metric(string text, string name) =>
        text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => double.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Single();
}
