using System.Net;
using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>Unlike Pinghub (a do-not-copy case), text must be valid UTF-8: close 1007 on a WebSocket, 400 on a POST.</summary>
public sealed class Utf8Specs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string BadBodyText = "Error: bad request. Body must be valid UTF-8 (send binary with Content-Type: application/octet-stream).\n";

    private static readonly byte[] InvalidUtf8 = [(byte)'o', (byte)'k', 0xff, 0xfe, (byte)'!'];

    private TestNode Node => fixture.Node;

    [Fact]
    public async Task Invalid_utf8_in_a_text_frame_is_closed_with_1007_and_a_reason()
    {
        var channel = ChannelNames.Unique("badtext");
        await using var sender = await Node.ConnectAsync(channel);
        await using var other = await Node.ConnectAsync(channel);

        // ClientWebSocket does not check what it sends.
        await sender.SendAsync(InvalidUtf8, WebSocketMessageType.Text);
        var close = await sender.ReceiveAsync();
        Assert.True(close.IsClose, $"expected a close, got a {close.Type} message");
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, close.CloseStatus);
        Assert.Equal("invalid UTF-8 in text message", close.CloseReason);

        await Node.PostAsync(channel, "marker");
        Assert.Equal("marker", await other.ReceiveTextAsync());
    }

    [Fact]
    public async Task Invalid_utf8_split_over_fragments_is_closed_with_1007()
    {
        var channel = ChannelNames.Unique("badfragments");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);

        // A two-byte sequence cut in the middle is fine; a continuation that does not complete it is not.
        await raw.SendFrameAsync(RawFrame.Text, [(byte)'a', 0xC3], fin: false);
        await raw.SendFrameAsync(RawFrame.Continuation, [(byte)'b'], fin: true);
        var close = await raw.ReadUntilCloseAsync();
        Assert.NotNull(close);
        Assert.Equal(1007, close.CloseCode);
    }

    [Fact]
    public async Task Invalid_utf8_text_frame_ends_the_connection_and_is_not_published()
    {
        var channel = ChannelNames.Unique("badtextother");
        await using var other = await Node.ConnectAsync(channel);
        await using (var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel))
        {
            await raw.SendFrameAsync(RawFrame.Text, InvalidUtf8);

            // Whatever else, the sender's connection ends: a 1007 close frame or the bare end of the connection.
            var close = await raw.ReadUntilCloseAsync();
            if (close is not null)
            {
                Assert.Equal(1007, close.CloseCode);
            }
        }

        await Node.PostAsync(channel, "marker");
        Assert.Equal("marker", await other.ReceiveTextAsync());
    }

    [Fact]
    public async Task Valid_utf8_split_inside_a_character_over_fragments_is_delivered()
    {
        var channel = ChannelNames.Unique("goodfragments");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);
        await raw.SendFrameAsync(RawFrame.Text, [(byte)'a', 0xC3], fin: false);
        await raw.SendFrameAsync(RawFrame.Continuation, [0xA9], fin: true);
        var frame = await raw.ReadDataFrameAsync();
        Assert.Equal(RawFrame.Text, frame.Opcode);
        Assert.Equal("a\u00e9", frame.AsText);
    }

    [Fact]
    public async Task Multibyte_text_passes_unchanged()
    {
        var channel = ChannelNames.Unique("multibyte");
        await using var subscriber = await Node.ConnectAsync(channel);
        const string text = "h\u00e9llo \u4e16\u754c \U0001F600";
        await Node.PostAsync(channel, text);
        Assert.Equal(text, await subscriber.ReceiveTextAsync());
        await subscriber.SendTextAsync(text);
        Assert.Equal(text, await subscriber.ReceiveTextAsync());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/json")]
    public async Task Invalid_utf8_post_body_is_400_with_a_reason_and_not_published(string contentType)
    {
        var channel = ChannelNames.Unique("badpost");
        await using var subscriber = await Node.ConnectAsync(channel);

        using var response = await Node.PostAsync(channel, InvalidUtf8, contentType);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(BadBodyText, await response.Content.ReadAsStringAsync());

        await Node.PostAsync(channel, "marker");
        Assert.Equal("marker", await subscriber.ReceiveTextAsync());
    }

    [Fact]
    public async Task Invalid_utf8_post_body_without_content_type_is_400()
    {
        var channel = ChannelNames.Unique("badpostnotype");
        using var content = new ByteArrayContent(InvalidUtf8);
        using var response = await Node.Http.PostAsync(Node.HttpUri(channel), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(BadBodyText, await response.Content.ReadAsStringAsync());
    }
}
