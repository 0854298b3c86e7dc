using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

public sealed class KeepaliveFixture() : NodeFixture("pingactors.hub.keepalive.interval=1s", "pingactors.hub.keepalive.timeout=1s");

/// <summary>Pinghub case 10 with short settings: the server pings, and a client that never answers is dropped.</summary>
[Collection(SerialCollection.Name)]
public sealed class KeepaliveSpecs(KeepaliveFixture fixture) : IClassFixture<KeepaliveFixture>
{
    private TestNode Node => fixture.Node;

    [Fact]
    public async Task Client_that_never_answers_pings_is_dropped()
    {
        var channel = ChannelNames.Unique("silent");
        await using var silent = await RawWebSocket.ConnectAsync(Node.HubUri, channel);

        // Read (without answering) until the server gives up on us.
        var close = await silent.ReadUntilCloseAsync(TimeSpan.FromSeconds(30));
        Assert.True(silent.PingsSeen >= 1, "the server never pinged");
        if (close is not null)
        {
            Assert.Null(await silent.ReadFrameAsync());
        }
    }

    [Fact]
    public async Task Client_that_answers_pings_stays_while_a_silent_one_is_dropped()
    {
        var channel = ChannelNames.Unique("answering");
        await using var answering = await Node.ConnectAsync(channel);

        // ClientWebSocket answers pings while a receive is pending.
        var pending = answering.ReceiveAsync(TimeSpan.FromSeconds(60));
        await using var silent = await RawWebSocket.ConnectAsync(Node.HubUri, ChannelNames.Unique("silent"));
        await silent.ReadUntilCloseAsync(TimeSpan.FromSeconds(30));
        Assert.True(silent.PingsSeen >= 1, "the server never pinged");

        // By now the answering client, connected first, has lived through more than interval + timeout.
        Assert.False(pending.IsCompleted, "the answering client got something before any publish");
        await Node.PostAsync(channel, "still here");
        var received = await pending;
        Assert.Equal(WebSocketMessageType.Text, received.Type);
        Assert.Equal("still here", received.Text);
        Assert.Equal(WebSocketState.Open, answering.Socket.State);
    }

    [Fact]
    public async Task Raw_client_that_pongs_stays_connected()
    {
        var channel = ChannelNames.Unique("pong");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);

        // Answer four pings: at a 1 s interval that is well past interval + timeout.
        while (raw.PingsSeen < 4)
        {
            var frame = await raw.ReadFrameAsync(TimeSpan.FromSeconds(10));
            Assert.True(frame is not null, "dropped although every ping was answered");
            Assert.Equal(RawFrame.Ping, frame.Opcode);
            await raw.SendFrameAsync(RawFrame.Pong, frame.Payload);
        }

        await Node.PostAsync(channel, "alive");
        Assert.Equal("alive", (await raw.ReadDataFrameAsync()).AsText);
    }
}
