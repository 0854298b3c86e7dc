using System.Net;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Ops;

/// <summary>The console's data over plain HTTP: the node's members, its figures, the busiest channels, the rates; GET only.</summary>
public sealed class ConsoleDataSpecs
{
    [Fact]
    public async Task Data_shows_the_member_its_connections_the_busiest_channels_and_the_rates()
    {
        await using var node = await TestNode.StartAsync();
        var busy = ChannelNames.Unique("console-busy");
        var quiet = ChannelNames.Unique("console-quiet");

        var start = await ConsoleData.GetAsync(node.OpsUri);
        var self = start.GetProperty("self").GetString();
        var member = Assert.Single(start.GetProperty("members").EnumerateArray());
        Assert.Equal(self, member.GetProperty("address").GetString());
        Assert.Equal("Up", member.GetProperty("status").GetString());
        Assert.Equal(self, start.GetProperty("leader").GetString());
        var figures = Assert.Single(start.GetProperty("nodes").EnumerateArray()).GetProperty("figures");
        Assert.Equal(self, figures.GetProperty("address").GetString());
        Assert.Equal(0, start.Totals().GetProperty("connections").GetInt64());
        Assert.Empty(start.Busiest());

        await using var a = await node.ConnectAsync(busy);
        await using var b = await node.ConnectAsync(busy);
        await ConsoleData.WaitForAsync(node.OpsUri, d => d.Totals().GetProperty("connections").GetInt64() == 2, "2 connections");
        for (var i = 0; i < 5; i++)
        {
            using var posted = await node.PostAsync(busy, "m" + i);
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        using (await node.PostAsync(quiet, "once"))
        {
        }

        var data = await ConsoleData.WaitForAsync(
            node.OpsUri,
            d => d.LastMinuteOf(busy) == 5 && d.LastMinuteOf(quiet) == 1 && d.PublishedRates().Sum() > 0,
            "5 messages on the busy channel, 1 on the quiet one, and a published rate");

        Assert.Equal([busy, quiet], data.Busiest().Select(c => c.GetProperty("channel").GetString()));
        Assert.All(data.Busiest(), c => Assert.Equal(self, c.GetProperty("node").GetString()));
        var mine = data.GetProperty("nodes")[0].GetProperty("figures");
        Assert.Equal(6, mine.GetProperty("published").GetInt64());
        Assert.Equal(1, mine.GetProperty("channels").GetInt64());
        Assert.Equal(2, mine.GetProperty("channel_entities").GetInt64());
        Assert.Equal(1000, data.GetProperty("rates").GetProperty("interval_ms").GetInt32());

        // Deliveries are counted just after the sockets get them.
        await ConsoleData.WaitForAsync(node.OpsUri, d => d.GetProperty("nodes")[0].GetProperty("figures").GetProperty("delivered").GetInt64() == 10, "10 deliveries (5 messages x 2 sockets)");
    }

    [Fact]
    public async Task A_slow_consumer_closed_by_the_node_shows_in_the_totals()
    {
        await using var node = await TestNode.StartAsync(
            "pingactors.hub.outbound.max-messages=4",
            "pingactors.hub.outbound.overflow=close",
            "pingactors.hub.outbound.write-timeout=120s",
            "pingactors.hub.outbound.close-timeout=120s");
        var channel = ChannelNames.Unique("console-slow");

        // Never reads: its queue overflows once the kernel buffers of loopback are full.
        await using var slow = await RawWebSocket.ConnectAsync(node.HubUri, channel, receiveBufferSize: 4096);
        var body = new string('x', 60_000);
        var data = await ConsoleData.GetAsync(node.OpsUri);
        for (var n = 0; data.Totals().GetProperty("slow_consumer_disconnects").GetInt64() == 0; n++)
        {
            Assert.True(n < 1500, $"1500 messages of 60 kB never overflowed the slow consumer's queue; last data: {data}");
            using (var posted = await node.PostAsync(channel, body))
            {
                Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            }

            if (n % 8 == 7)
            {
                data = await ConsoleData.GetAsync(node.OpsUri);
            }
        }

        Assert.Equal(1, data.Totals().GetProperty("slow_consumer_disconnects").GetInt64());
        Assert.Equal(1, data.GetProperty("nodes")[0].GetProperty("figures").GetProperty("slow_consumer_disconnects").GetInt64());
        Assert.True(data.Totals().GetProperty("dropped").GetInt64() > 0, "what the slow consumer missed is counted as dropped");
    }

    [Fact]
    public async Task The_rates_keep_one_point_a_second_of_history()
    {
        await using var node = await TestNode.StartAsync();
        var first = await ConsoleData.WaitForAsync(node.OpsUri, d => d.PublishedRates().Length >= 2, "2 points");
        var then = first.GetProperty("rates").GetProperty("newest_at_ms").GetInt64();

        var later = await ConsoleData.WaitForAsync(node.OpsUri, d => d.PublishedRates().Length >= first.PublishedRates().Length + 2, "2 more points");

        // One point per second of timer (a loaded machine delays ticks, never adds them).
        var points = later.PublishedRates().Length - first.PublishedRates().Length;
        var elapsedMs = later.GetProperty("rates").GetProperty("newest_at_ms").GetInt64() - then;
        Assert.InRange(elapsedMs, (points - 1) * 900, points * 3000);
        Assert.Equal(later.PublishedRates().Length, later.GetProperty("rates").GetProperty("delivered").GetArrayLength());
    }

    [Theory]
    [InlineData("POST", "/")]
    [InlineData("DELETE", "/@console/data")]
    public async Task The_console_answers_get_and_head_only(string method, string path)
    {
        await using var node = await TestNode.StartAsync();

        var response = await RawHttp.SendAsync(node.OpsUri, method, path, [], []);

        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD", response.Header("Allow"));
    }

    [Fact]
    public async Task The_page_is_self_contained_html_with_a_policy_that_forbids_anything_else()
    {
        await using var node = await TestNode.StartAsync();

        var page = await RawHttp.GetAsync(node.OpsUri, "/");

        Assert.Equal(200, page.Status);
        Assert.Equal("text/html; charset=utf-8", page.Header("Content-Type"));
        Assert.StartsWith("default-src 'none';", page.Header("Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("no-store", page.Header("Cache-Control"));
        Assert.Contains("/@console/data", page.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", page.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", page.BodyText, StringComparison.Ordinal);
        Assert.Equal(404, (await RawHttp.GetAsync(node.OpsUri, "/@console/other")).Status);
    }
}
