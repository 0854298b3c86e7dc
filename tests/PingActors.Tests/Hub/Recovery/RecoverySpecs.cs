using System.Net;
using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub.Recovery;

/// <summary>A small replay buffer, so a test can overflow it.</summary>
public sealed class SmallReplayFixture() : NodeFixture("pingactors.hub.replay.max-messages=5");

/// <summary>
/// <c>?recover=1</c> subscribers on a real node (docs/recovery.md). A plain subscriber stays on each channel
/// throughout, as on a channel with other readers: without one (and without history) the channel ends with
/// its last subscriber and its numbering with it.
/// </summary>
public sealed class RecoverySpecs(SmallReplayFixture fixture) : IClassFixture<SmallReplayFixture>
{
    private TestNode Node => fixture.Node;

    [Fact]
    public async Task A_reconnecting_client_gets_exactly_what_it_missed_then_live_while_plain_clients_see_no_change()
    {
        var channel = ChannelNames.Unique("recover");
        await using var plain = await Node.ConnectAsync(channel);
        var first = await Node.ConnectAsync(channel + "?recover=1");
        var answer = await RecoveryAnswer.ReadAsync(first);
        Assert.True(answer.Recovered);
        Assert.Equal(0, answer.Seq);

        await PostAsync(channel, "m1", "m2", "m3");
        var read = await Positioned.ReadAsync(first, 3);
        Assert.Equal(["m1", "m2", "m3"], read.Select(m => m.Text));
        Assert.Equal([1L, 2, 3], read.Select(m => m.Seq));
        Assert.All(read, m => Assert.Equal(answer.Epoch, m.Epoch));
        await first.DisposeAsync();

        await PostAsync(channel, "m4", "m5", "m6");
        await using var again = await Node.ConnectAsync($"{channel}?recover=1&since=3&epoch={answer.Epoch}");
        Assert.Equal(new RecoveryAnswer(true, answer.Epoch, 3), await RecoveryAnswer.ReadAsync(again));
        await PostAsync(channel, "m7");
        var resumed = await Positioned.ReadAsync(again, 4);
        Assert.Equal(["m4", "m5", "m6", "m7"], resumed.Select(m => m.Text));
        Assert.Equal([4L, 5, 6, 7], resumed.Select(m => m.Seq));

        // Nothing more: a marker for the plain client shows nothing was in between.
        await PostAsync(channel, "m8");
        Assert.Equal(8, Positioned.Decode(await again.ReceiveAsync()).Seq);
        foreach (var i in Enumerable.Range(1, 8))
        {
            Assert.Equal("m" + i, await plain.ReceiveTextAsync());
        }

        var stats = await Stats.WaitForAsync(Node, s => s.GetProperty("recovery").GetProperty("recovered").GetInt64() >= 1, what: "the recovered counter");
        Assert.True(stats.GetProperty("recovery").GetProperty("recovered").GetInt64() >= 1);
        var metrics = await Node.Http.GetStringAsync(new Uri(Node.OpsUri, "/metrics"));
        Assert.Contains("pingactors_hub_recoveries_total{outcome=\"recovered\"}", metrics);
        Assert.Contains("pingactors_hub_recoveries_total{outcome=\"not_recovered\"}", metrics);
    }

    [Fact]
    public async Task More_missed_than_the_buffer_holds_is_answered_recovered_false_then_live()
    {
        var channel = ChannelNames.Unique("overflow");
        await using var plain = await Node.ConnectAsync(channel);
        var epoch = await EpochOfAsync(channel);
        await PostAsync(channel, Enumerable.Range(1, 8).Select(i => "m" + i).ToArray());
        await using var late = await Node.ConnectAsync($"{channel}?recover=1&since=1&epoch={epoch}");
        Assert.Equal(new RecoveryAnswer(false, epoch, 8), await RecoveryAnswer.ReadAsync(late));
        await PostAsync(channel, "m9");
        var live = Positioned.Decode(await late.ReceiveAsync());
        Assert.Equal((9L, "m9"), (live.Seq, live.Text));
    }

    [Fact]
    public async Task Another_epoch_is_answered_recovered_false_with_the_channels_own()
    {
        var channel = ChannelNames.Unique("epoch");
        await using var plain = await Node.ConnectAsync(channel);
        var epoch = await EpochOfAsync(channel);
        await PostAsync(channel, "m1");
        var other = epoch == "1" ? "2" : "1";
        await using var client = await Node.ConnectAsync($"{channel}?recover=1&since=0&epoch={other}");
        Assert.Equal(new RecoveryAnswer(false, epoch, 1), await RecoveryAnswer.ReadAsync(client));
    }

    [Fact]
    public async Task A_binary_message_keeps_its_payload_intact_behind_the_position_header()
    {
        var channel = ChannelNames.Unique("binary");
        await using var client = await Node.ConnectAsync(channel + "?recover=1");
        var answer = await RecoveryAnswer.ReadAsync(client);
        byte[] bytes = [0, 255, (byte)'{', 0x80, 1];
        await Node.PostAsync(channel, bytes);
        var frame = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, frame.Type);
        var message = Positioned.Decode(frame);
        Assert.Equal((answer.Epoch, 1L), (message.Epoch, message.Seq));
        Assert.Equal(bytes, message.Data);
        Assert.Equal(8 + 1 + answer.Epoch.Length + bytes.Length, frame.Bytes.Length);
    }

    [Theory]
    [InlineData("?recover=2", "recover must be 1")]
    [InlineData("?recover=1&since=3", "since and epoch go together")]
    [InlineData("?recover=1&since=-1&epoch=ab", "since must be")]
    [InlineData("?recover=1&since=x&epoch=ab", "since must be")]
    [InlineData("?recover=1&since=1&epoch=xyz", "epoch must be")]
    [InlineData("?recover=1&since=1&epoch=12345678901234567", "epoch must be")]
    public async Task Bad_recovery_values_are_refused_with_400_saying_what_is_wrong(string query, string says)
    {
        var response = await RawHttp.GetAsync(Node.HubUri, ChannelNames.Unique("bad") + query, "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        Assert.Equal(400, response.Status);
        Assert.Contains(says, System.Text.Encoding.UTF8.GetString(response.Body));
    }

    private async Task<string> EpochOfAsync(string channel)
    {
        await using var probe = await Node.ConnectAsync(channel + "?recover=1");
        return (await RecoveryAnswer.ReadAsync(probe)).Epoch;
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
