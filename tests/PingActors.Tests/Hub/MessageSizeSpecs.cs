using System.Net;
using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>A node with the default limit (64 KiB) and one with <c>pingactors.hub.max-message-size = 1KiB</c>.</summary>
public sealed class MessageSizeFixture : IAsyncLifetime
{
    public TestNode Default { get; private set; } = null!;

    public TestNode Lowered { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var nodes = await Task.WhenAll(TestNode.StartAsync(), TestNode.StartAsync("pingactors.hub.max-message-size=1KiB"));
        (Default, Lowered) = (nodes[0], nodes[1]);
    }

    public async Task DisposeAsync() => await Task.WhenAll(Default.DisposeAsync().AsTask(), Lowered.DisposeAsync().AsTask());
}

/// <summary>Pinghub case 6 (65536 is fine, more is close 1009), now with a reason, a POST limit (413) and a configurable size.</summary>
public sealed class MessageSizeSpecs(MessageSizeFixture fixture) : IClassFixture<MessageSizeFixture>
{
    private const int DefaultLimit = 65536;

    public static TheoryData<WebSocketMessageType> Types => new() { WebSocketMessageType.Text, WebSocketMessageType.Binary };

    [Theory]
    [MemberData(nameof(Types))]
    public async Task WebSocket_message_of_exactly_the_limit_is_delivered_to_all(WebSocketMessageType type)
    {
        var node = fixture.Default;
        var channel = ChannelNames.Unique("exact");
        await using var sender = await node.ConnectAsync(channel);
        await using var other = await node.ConnectAsync(channel);
        var payload = Payload(DefaultLimit);

        await sender.SendAsync(payload, type);
        foreach (var client in new[] { sender, other })
        {
            var received = await client.ReceiveAsync();
            Assert.Equal(type, received.Type);
            Assert.Equal(payload, received.Bytes);
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task WebSocket_message_one_byte_over_the_limit_is_closed_with_1009_and_a_reason(WebSocketMessageType type)
    {
        var node = fixture.Default;
        var channel = ChannelNames.Unique("over");
        await using var sender = await node.ConnectAsync(channel);
        await using var other = await node.ConnectAsync(channel);

        await sender.SendAsync(Payload(DefaultLimit + 1), type);
        var close = await sender.ReceiveAsync();
        Assert.True(close.IsClose, $"expected a close, got a {close.Type} message of {close.Bytes.Length} bytes");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, close.CloseStatus);
        Assert.Equal("message too big", close.CloseReason);

        // Nothing of it reached the channel, and the channel still works.
        await node.PostAsync(channel, "marker");
        Assert.Equal("marker", await other.ReceiveTextAsync());
    }

    [Fact]
    public async Task Fragmented_message_of_exactly_the_limit_is_delivered_whole()
    {
        var node = fixture.Default;
        var channel = ChannelNames.Unique("fragmentsexact");
        await using var sender = await node.ConnectAsync(channel);
        using var cts = new CancellationTokenSource(WsClient.DefaultTimeout);
        var payload = Payload(DefaultLimit);
        for (var i = 0; i < 4; i++)
        {
            await sender.Socket.SendAsync(payload.AsMemory(i * 16 * 1024, 16 * 1024), WebSocketMessageType.Text, i == 3, cts.Token);
        }

        var received = await sender.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, received.Type);
        Assert.Equal(payload, received.Bytes);
    }

    [Fact]
    public async Task Fragmented_message_over_the_limit_is_closed_with_1009()
    {
        var node = fixture.Default;
        var channel = ChannelNames.Unique("fragments");
        await using var sender = await node.ConnectAsync(channel);
        using var cts = new CancellationTokenSource(WsClient.DefaultTimeout);
        var chunk = Payload(16 * 1024);
        for (var i = 0; i < 4; i++)
        {
            await sender.Socket.SendAsync(chunk, WebSocketMessageType.Text, false, cts.Token);
        }

        await sender.Socket.SendAsync("x"u8.ToArray(), WebSocketMessageType.Text, true, cts.Token);
        var close = await sender.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, close.CloseStatus);
        Assert.Equal("message too big", close.CloseReason);
    }

    [Fact]
    public async Task Post_of_exactly_the_limit_is_published()
    {
        var node = fixture.Default;
        var channel = ChannelNames.Unique("postexact");
        await using var subscriber = await node.ConnectAsync(channel);
        var payload = Payload(DefaultLimit);

        using var response = await node.PostAsync(channel, payload, "text/plain");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = await subscriber.ReceiveAsync();
        Assert.Equal(payload, received.Bytes);
    }

    [Fact]
    public async Task Post_over_the_limit_is_413_and_not_published()
    {
        var node = fixture.Default;
        var channel = ChannelNames.Unique("postover");
        await using var subscriber = await node.ConnectAsync(channel);

        using var response = await node.PostAsync(channel, Payload(DefaultLimit + 1), "text/plain");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Error: message too large. The limit is 65536 bytes.\n", await response.Content.ReadAsStringAsync());

        await node.PostAsync(channel, "marker");
        Assert.Equal("marker", await subscriber.ReceiveTextAsync());
    }

    [Fact]
    public async Task Chunked_post_over_the_limit_is_413()
    {
        var node = fixture.Default;
        var channel = ChannelNames.Unique("chunked");
        await using var subscriber = await node.ConnectAsync(channel);

        // A stream of unknown length goes out chunked, so the server cannot judge it by Content-Length.
        using var content = new StreamContent(new UnknownLengthStream(Payload(DefaultLimit + 1)));
        content.Headers.ContentType = new("text/plain");
        using var response = await node.Http.PostAsync(node.HttpUri(channel), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        await node.PostAsync(channel, "marker");
        Assert.Equal("marker", await subscriber.ReceiveTextAsync());
    }

    [Fact]
    public async Task Lowered_limit_applies_to_websocket_and_post()
    {
        var node = fixture.Lowered;
        var channel = ChannelNames.Unique("lowered");
        await using var sender = await node.ConnectAsync(channel);

        using (var atLimit = await node.PostAsync(channel, Payload(1024), "text/plain"))
        {
            Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        }

        Assert.Equal(1024, (await sender.ReceiveAsync()).Bytes.Length);

        using (var over = await node.PostAsync(channel, Payload(1025), "text/plain"))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
            Assert.Equal("Error: message too large. The limit is 1024 bytes.\n", await over.Content.ReadAsStringAsync());
        }

        await sender.SendAsync(Payload(1024), WebSocketMessageType.Text);
        Assert.Equal(1024, (await sender.ReceiveAsync()).Bytes.Length);

        await sender.SendAsync(Payload(1025), WebSocketMessageType.Text);
        var close = await sender.ReceiveAsync();
        Assert.True(close.IsClose);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, close.CloseStatus);
        Assert.Equal("message too big", close.CloseReason);
    }

    /// <summary>ASCII text, so it is valid both as text and as binary.</summary>
    private static byte[] Payload(int size) => Enumerable.Range(0, size).Select(i => (byte)('a' + (i % 26))).ToArray();

    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
