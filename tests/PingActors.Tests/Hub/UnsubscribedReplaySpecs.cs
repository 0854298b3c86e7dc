using System.Net;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>
/// POSTs to paths nobody subscribes to: every one is answered, and what the node keeps of them for
/// resuming nodes stays within pingactors.hub.replay.unsubscribed-max-bytes (the give-back when such a
/// channel stops is in ChannelEntitySpecs).
/// </summary>
public sealed class UnsubscribedReplaySpecs
{
    [Fact]
    public async Task Posts_to_channels_without_subscribers_keep_no_more_than_the_budget()
    {
        await using var node = await TestNode.StartAsync(
            "pingactors.hub.replay.unsubscribed-max-bytes=2KiB",
            "pingactors.hub.channel-idle-timeout=1m");
        var body = new byte[1024];
        for (var i = 0; i < 5; i++)
        {
            using var response = await node.PostAsync(ChannelNames.Unique("nobody"), body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var stats = await node.StatsAsync();
        Assert.Equal(5, stats.GetProperty("channel_entities").GetInt64());
        Assert.Equal(2048, stats.GetProperty("replay_unsubscribed_bytes").GetInt64());

        // The budget is spent, and publishing to a new channel still reaches whoever subscribes.
        var channel = ChannelNames.Unique("later");
        await using var subscriber = await node.ConnectAsync(channel);
        using (var response = await node.PostAsync(channel, "after the flood"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal("after the flood", await subscriber.ReceiveTextAsync());
    }
}
