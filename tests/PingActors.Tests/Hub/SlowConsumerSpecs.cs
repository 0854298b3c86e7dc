using System.Net;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>
/// Two nodes with a 4-message outbound queue, one closing slow consumers, one dropping their oldest
/// messages. Write and close timeouts are long, so a test on a loaded machine decides when the slow
/// client finally reads, not a timer.
/// </summary>
public sealed class SlowConsumerFixture : IAsyncLifetime
{
    private static readonly string[] Common =
    [
        "pingactors.hub.outbound.max-messages=4",
        "pingactors.hub.outbound.write-timeout=120s",
        "pingactors.hub.outbound.close-timeout=120s",
    ];

    public TestNode Closing { get; private set; } = null!;

    public TestNode DropOldest { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var nodes = await Task.WhenAll(
            TestNode.StartAsync([.. Common, "pingactors.hub.outbound.overflow=close"]),
            TestNode.StartAsync([.. Common, "pingactors.hub.outbound.overflow=drop-oldest"]));
        (Closing, DropOldest) = (nodes[0], nodes[1]);
    }

    public async Task DisposeAsync() => await Task.WhenAll(Closing.DisposeAsync().AsTask(), DropOldest.DisposeAsync().AsTask());
}

/// <summary>Pinghub case 11, improved: a slow subscriber is closed with 1008 and a reason (or keeps going, dropping), others are unaffected.</summary>
public sealed class SlowConsumerSpecs(SlowConsumerFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SlowConsumerFixture>
{
    private const int MessageSize = 60_000;

    // Far more than kernel buffers on both ends of a loopback connection with a 4 KB receive buffer can hold.
    private const int MaxMessages = 1500;

    [Fact]
    public async Task Slow_consumer_is_closed_with_1008_and_counted_while_a_fast_one_gets_everything()
    {
        var node = fixture.Closing;
        var channel = ChannelNames.Unique("slowclose");
        await using var fast = await node.ConnectAsync(channel);
        await using var slow = await RawWebSocket.ConnectAsync(node.HubUri, channel, receiveBufferSize: 4096);
        var before = await node.StatsAsync();

        // The fast subscriber gets every message, in order (checked as we go).
        var posted = await PublishUntil(node, channel, fast, s => s.SlowConsumerDisconnects() > before.SlowConsumerDisconnects());
        output.WriteLine($"the slow consumer was closed after {posted} messages");
        await node.PostAsync(channel, "end");
        Assert.Equal("end", await fast.ReceiveTextAsync());

        // The slow one, once it reads again, finds what was already on the wire, then the close.
        var close = await slow.ReadUntilCloseAsync(TimeSpan.FromSeconds(60));
        Assert.True(close is not null, "the slow consumer's connection ended without a close frame");
        Assert.Equal(1008, close.CloseCode);
        Assert.Equal("slow consumer: outbound queue full", close.CloseReason);

        var after = await node.StatsAsync();
        Assert.Equal(1, after.SlowConsumerDisconnects() - before.SlowConsumerDisconnects());
        Assert.True(after.Dropped() > before.Dropped(), "the messages the slow consumer missed are counted as dropped");
    }

    [Fact]
    public async Task Drop_oldest_keeps_the_slow_consumer_connected_and_counts_dropped_messages()
    {
        var node = fixture.DropOldest;
        var channel = ChannelNames.Unique("slowdrop");
        await using var fast = await node.ConnectAsync(channel);
        await using var slow = await RawWebSocket.ConnectAsync(node.HubUri, channel, receiveBufferSize: 4096);
        var before = await node.StatsAsync();

        var posted = await PublishUntil(node, channel, fast, s => s.Dropped() > before.Dropped());
        output.WriteLine($"the first drop came after {posted} messages");
        await node.PostAsync(channel, "end");
        Assert.Equal("end", await fast.ReceiveTextAsync());

        // The slow one gets a gap-y but ordered subset, then the end marker, and is still subscribed.
        var got = new List<int>();
        while (true)
        {
            var frame = await slow.ReadDataFrameAsync(TimeSpan.FromSeconds(60));
            var text = frame.AsText;
            if (text == "end")
            {
                break;
            }

            got.Add(Sequence(text));
        }

        output.WriteLine($"the slow consumer got {got.Count} of {posted}");
        Assert.True(got.Count < posted, $"the slow consumer got all {posted} messages: nothing was dropped");
        Assert.Equal(got.OrderBy(n => n), got);
        Assert.Equal(got.Distinct().Count(), got.Count);

        await node.PostAsync(channel, "still subscribed");
        Assert.Equal("still subscribed", (await slow.ReadDataFrameAsync()).AsText);

        var after = await node.StatsAsync();
        Assert.Equal(before.SlowConsumerDisconnects(), after.SlowConsumerDisconnects());
        Assert.True(after.Dropped() - before.Dropped() >= posted - got.Count, $"dropped grew by {after.Dropped() - before.Dropped()}, the slow consumer missed {posted - got.Count}");
    }

    /// <summary>
    /// POSTs numbered messages until /stats shows <paramref name="done"/>; returns how many were posted.
    /// Each message is read by the fast subscriber before the next is posted, so only the slow one can
    /// fall behind, however loaded the machine is.
    /// </summary>
    private static async Task<int> PublishUntil(TestNode node, string channel, WsClient fast, Func<System.Text.Json.JsonElement, bool> done)
    {
        for (var n = 0; n < MaxMessages; n++)
        {
            using (var response = await node.PostAsync(channel, Message(n)))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            Assert.Equal(n, Sequence(await fast.ReceiveTextAsync(TimeSpan.FromSeconds(30))));
            if (n % 4 == 3 && done(await node.StatsAsync()))
            {
                return n + 1;
            }
        }

        throw new Xunit.Sdk.XunitException($"{MaxMessages} messages of {MessageSize} bytes never overflowed the slow consumer's queue");
    }

    private static string Message(int n) => n.ToString("D6") + ":" + new string('x', MessageSize - 7);

    private static int Sequence(string message) => int.Parse(message.AsSpan(0, 6));
}
