using System.Net;
using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>Pinghub cases 1-4: POST and WebSocket publishing, sender echo, empty messages, no history.</summary>
public sealed class PublishSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private TestNode Node => fixture.Node;

    [Fact]
    public async Task Post_reaches_both_subscribers_answers_OK_and_no_other_channel()
    {
        var channel = ChannelNames.Unique("two");
        var otherChannel = ChannelNames.Unique("other");
        await using var a = await Node.ConnectAsync(channel);
        await using var b = await Node.ConnectAsync(channel);
        await using var other = await Node.ConnectAsync(otherChannel);

        using var response = await Node.PostAsync(channel, "hello");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("OK\n", await response.Content.ReadAsStringAsync());

        Assert.Equal("hello", await a.ReceiveTextAsync());
        Assert.Equal("hello", await b.ReceiveTextAsync());

        // The other channel got nothing: its first message is its own marker.
        await Node.PostAsync(otherChannel, "marker");
        Assert.Equal("marker", await other.ReceiveTextAsync());
    }

    [Fact]
    public async Task Post_without_subscribers_answers_OK_and_is_not_kept_for_later_subscribers()
    {
        var channel = ChannelNames.Unique("nobody");
        using var response = await Node.PostAsync(channel, "lost");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK\n", await response.Content.ReadAsStringAsync());

        await using var late = await Node.ConnectAsync(channel);
        await Node.PostAsync(channel, "after");
        Assert.Equal("after", await late.ReceiveTextAsync());
    }

    [Fact]
    public async Task WebSocket_publish_reaches_every_subscriber_including_the_sender_in_one_order()
    {
        var channel = ChannelNames.Unique("wspub");
        await using var a = await Node.ConnectAsync(channel);
        await using var b = await Node.ConnectAsync(channel);
        await using var c = await Node.ConnectAsync(channel);
        const int perSender = 50;

        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < perSender; i++)
                {
                    await a.SendTextAsync($"a{i}");
                }
            }),
            Task.Run(async () =>
            {
                for (var i = 0; i < perSender; i++)
                {
                    await b.SendTextAsync($"b{i}");
                }
            }));

        var seen = await Task.WhenAll(ReceiveN(a, 2 * perSender), ReceiveN(b, 2 * perSender), ReceiveN(c, 2 * perSender));
        Assert.Equal(seen[0], seen[1]);
        Assert.Equal(seen[0], seen[2]);
        Assert.Equal(Enumerable.Range(0, perSender).Select(i => $"a{i}"), seen[0].Where(m => m[0] == 'a'));
        Assert.Equal(Enumerable.Range(0, perSender).Select(i => $"b{i}"), seen[0].Where(m => m[0] == 'b'));
    }

    [Fact]
    public async Task Empty_WebSocket_message_is_echoed_to_the_sender_only()
    {
        var channel = ChannelNames.Unique("emptyws");
        await using var sender = await Node.ConnectAsync(channel);
        await using var other = await Node.ConnectAsync(channel);

        await sender.SendTextAsync(string.Empty);
        var echo = await sender.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, echo.Type);
        Assert.Empty(echo.Bytes);

        await Node.PostAsync(channel, "marker");
        Assert.Equal("marker", await other.ReceiveTextAsync());
        Assert.Equal("marker", await sender.ReceiveTextAsync());
    }

    [Fact]
    public async Task Empty_post_answers_OK_and_is_not_broadcast()
    {
        var channel = ChannelNames.Unique("emptypost");
        await using var subscriber = await Node.ConnectAsync(channel);

        using var response = await Node.PostAsync(channel, string.Empty);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK\n", await response.Content.ReadAsStringAsync());

        await Node.PostAsync(channel, "marker");
        Assert.Equal("marker", await subscriber.ReceiveTextAsync());
    }

    [Fact]
    public async Task Stats_count_published_and_delivered_messages()
    {
        var channel = ChannelNames.Unique("stats");
        await using var a = await Node.ConnectAsync(channel);
        await using var b = await Node.ConnectAsync(channel);
        var before = await Node.StatsAsync();

        await Node.PostAsync(channel, "one");
        await a.SendTextAsync("two");
        for (var i = 0; i < 2; i++)
        {
            await a.ReceiveTextAsync();
            await b.ReceiveTextAsync();
        }

        // This class's tests run one at a time, so the node's counters move only for this test.
        await Stats.WaitForAsync(
            Node,
            s => s.Published() - before.Published() == 2 && s.Delivered() - before.Delivered() == 4,
            what: "published +2 and delivered +4");
    }

    private static async Task<List<string>> ReceiveN(WsClient client, int n)
    {
        var messages = new List<string>(n);
        for (var i = 0; i < n; i++)
        {
            messages.Add(await client.ReceiveTextAsync());
        }

        return messages;
    }
}
