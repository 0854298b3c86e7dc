using System.Net;
using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>Unlike Pinghub (case 5), the frame type is kept: binary in, binary out.</summary>
public sealed class BinarySpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly byte[] Bytes = [0x00, 0xff, 0xfe, 0x80, 0x01, (byte)'a'];

    private TestNode Node => fixture.Node;

    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("APPLICATION/Octet-Stream; x=y")]
    public async Task Octet_stream_post_is_a_binary_frame_to_every_subscriber(string contentType)
    {
        var channel = ChannelNames.Unique("binpost");
        await using var a = await Node.ConnectAsync(channel);
        await using var b = await Node.ConnectAsync(channel);

        using var response = await Node.PostAsync(channel, Bytes, contentType);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK\n", await response.Content.ReadAsStringAsync());
        foreach (var client in new[] { a, b })
        {
            var received = await client.ReceiveAsync();
            Assert.Equal(WebSocketMessageType.Binary, received.Type);
            Assert.Equal(Bytes, received.Bytes);
        }
    }

    [Fact]
    public async Task Text_post_is_a_text_frame()
    {
        var channel = ChannelNames.Unique("textpost");
        await using var subscriber = await Node.ConnectAsync(channel);
        await Node.PostAsync(channel, "plain"u8.ToArray(), "text/plain");
        var received = await subscriber.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, received.Type);
        Assert.Equal("plain", received.Text);
    }

    [Fact]
    public async Task Binary_websocket_message_is_relayed_as_binary_to_all_including_the_sender()
    {
        var channel = ChannelNames.Unique("binws");
        await using var sender = await Node.ConnectAsync(channel);
        await using var other = await Node.ConnectAsync(channel);

        await sender.SendAsync(Bytes, WebSocketMessageType.Binary);
        await sender.SendTextAsync("then text");
        foreach (var client in new[] { sender, other })
        {
            var binary = await client.ReceiveAsync();
            Assert.Equal(WebSocketMessageType.Binary, binary.Type);
            Assert.Equal(Bytes, binary.Bytes);
            var text = await client.ReceiveAsync();
            Assert.Equal(WebSocketMessageType.Text, text.Type);
            Assert.Equal("then text", text.Text);
        }
    }

    [Fact]
    public async Task Empty_binary_websocket_message_is_not_broadcast()
    {
        var channel = ChannelNames.Unique("emptybin");
        await using var sender = await Node.ConnectAsync(channel);
        await using var other = await Node.ConnectAsync(channel);

        await sender.SendAsync([], WebSocketMessageType.Binary);
        await Node.PostAsync(channel, "marker");
        Assert.Equal("marker", await other.ReceiveTextAsync());
    }
}
