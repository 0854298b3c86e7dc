using System.Net;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub.Recovery;

public sealed class HistoryFixture() : NodeFixture("pingactors.hub.history.keep-for=30s", "pingactors.hub.history.max-messages=2000");

/// <summary>pingactors.hub.history: a channel whose only subscriber left keeps its messages and numbering for it.</summary>
public sealed class HistorySpecs(HistoryFixture fixture) : IClassFixture<HistoryFixture>
{
    private TestNode Node => fixture.Node;

    [Fact]
    public async Task The_only_subscriber_reconnecting_gets_what_was_published_while_the_channel_had_none()
    {
        var channel = ChannelNames.Unique("history");
        var client = await Node.ConnectAsync(channel + "?recover=1");
        var answer = await RecoveryAnswer.ReadAsync(client);
        await PostAsync(channel, "m1");
        Assert.Equal(1, Positioned.Decode(await client.ReceiveAsync()).Seq);
        await client.DisposeAsync();

        // The node's channel stops with its last socket and the entity loses its last subscriber: with
        // history it stays, with its numbering and buffer.
        await PostAsync(channel, "m2", "m3");
        await using var again = await Node.ConnectAsync($"{channel}?recover=1&since=1&epoch={answer.Epoch}");
        Assert.Equal(new RecoveryAnswer(true, answer.Epoch, 1), await RecoveryAnswer.ReadAsync(again));
        var missed = new[] { Positioned.Decode(await again.ReceiveAsync()), Positioned.Decode(await again.ReceiveAsync()) };
        Assert.Equal([(2L, "m2"), (3L, "m3")], missed.Select(m => (m.Seq, m.Text)));
    }

    [Fact]
    public async Task A_channel_nobody_subscribed_to_keeps_its_history_for_a_late_subscriber_that_knows_its_epoch()
    {
        var channel = ChannelNames.Unique("late");
        string epoch;
        await using (var first = await Node.ConnectAsync(channel + "?recover=1"))
        {
            epoch = (await RecoveryAnswer.ReadAsync(first)).Epoch;
        }

        await PostAsync(channel, "a", "b");
        await using var late = await Node.ConnectAsync($"{channel}?recover=1&since=0&epoch={epoch}");
        Assert.Equal(new RecoveryAnswer(true, epoch, 0), await RecoveryAnswer.ReadAsync(late));
        Assert.Equal("a", Positioned.Decode(await late.ReceiveAsync()).Text);
        Assert.Equal("b", Positioned.Decode(await late.ReceiveAsync()).Text);
    }

    private async Task PostAsync(string channel, params string[] texts)
    {
        foreach (var text in texts)
        {
            using var response = await Node.PostAsync(channel, text);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
