using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>Pinghub case 12 (the client's close code is echoed) and protocol errors (close 1002).</summary>
public sealed class CloseCodeSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private TestNode Node => fixture.Node;

    [Theory]
    [InlineData(1000)]
    [InlineData(4000)]
    [InlineData(4999)]
    public async Task Client_close_code_is_echoed(int code)
    {
        var channel = ChannelNames.Unique("echo");
        await using var client = await Node.ConnectAsync(channel);
        using var cts = new CancellationTokenSource(WsClient.DefaultTimeout);
        await client.Socket.CloseAsync((WebSocketCloseStatus)code, "client says bye", cts.Token);
        Assert.Equal(WebSocketState.Closed, client.Socket.State);
        Assert.Equal((WebSocketCloseStatus)code, client.Socket.CloseStatus);
    }

    [Fact]
    public async Task Raw_client_close_gets_the_same_code_and_then_the_connection_ends()
    {
        var channel = ChannelNames.Unique("rawecho");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);
        await raw.SendCloseAsync(4321, "done");
        var close = await raw.ReadUntilCloseAsync();
        Assert.NotNull(close);
        Assert.Equal(4321, close.CloseCode);
        Assert.Null(await raw.ReadFrameAsync());
    }

    [Fact]
    public async Task Other_subscribers_keep_receiving_after_one_closes()
    {
        var channel = ChannelNames.Unique("gone");
        var leaving = await Node.ConnectAsync(channel);
        await using var staying = await Node.ConnectAsync(channel);
        using (var cts = new CancellationTokenSource(WsClient.DefaultTimeout))
        {
            await leaving.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        }

        Assert.Equal(WebSocketCloseStatus.NormalClosure, leaving.Socket.CloseStatus);
        await leaving.DisposeAsync();
        using var response = await Node.PostAsync(channel, "after leave");
        Assert.Equal("after leave", await staying.ReceiveTextAsync());
    }

    public static TheoryData<string> ProtocolErrors => new() { "unmasked", "opcode 0x3", "opcode 0xB", "rsv1" };

    [Theory]
    [MemberData(nameof(ProtocolErrors))]
    public async Task Protocol_error_is_closed_with_1002(string error)
    {
        var channel = ChannelNames.Unique("protocol");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);
        await SendProtocolError(raw, error);
        var close = await raw.ReadUntilCloseAsync();
        Assert.True(close is not null, "the connection ended without a close frame");
        Assert.Equal(1002, close.CloseCode);
    }

    [Theory]
    [MemberData(nameof(ProtocolErrors))]
    public async Task Protocol_error_ends_the_connection_and_publishes_nothing(string error)
    {
        var channel = ChannelNames.Unique("protoother");
        await using var good = await Node.ConnectAsync(channel);
        await using (var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel))
        {
            await SendProtocolError(raw, error);

            // A close frame (1002) or the bare end of the connection (see the skipped spec above).
            var close = await raw.ReadUntilCloseAsync();
            if (close is not null)
            {
                Assert.Equal(1002, close.CloseCode);
                Assert.Null(await raw.ReadFrameAsync());
            }
        }

        await Node.PostAsync(channel, "still here");
        Assert.Equal("still here", await good.ReceiveTextAsync());
    }

    // Payloads are longer than a masking key: .NET waits for a full (masked) header before judging a frame.
    private static Task SendProtocolError(RawWebSocket raw, string error)
    {
        var payload = "this frame breaks the protocol"u8.ToArray();
        return error switch
        {
            "unmasked" => raw.SendFrameAsync(RawFrame.Text, payload, mask: false),
            "opcode 0x3" => raw.SendFrameAsync(0x3, payload),
            "opcode 0xB" => raw.SendFrameAsync(0xB, payload),
            "rsv1" => raw.SendFrameAsync(RawFrame.Text, payload, rsv: 0x4),
            _ => throw new ArgumentOutOfRangeException(nameof(error)),
        };
    }
}
