using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>
/// Frames whose header alone decides the answer: the server closes at once, with the code and reason,
/// without waiting for bytes that a valid frame would have (keepalive would end these only after a minute).
/// </summary>
public sealed class MalformedFrameSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);

    private TestNode Node => fixture.Node;

    public static TheoryData<string, byte[]> ShortUnmaskedFrames => new()
    {
        { "empty text", [0x81, 0x00] },
        { "empty binary", [0x82, 0x00] },
        { "text of 3", [0x81, 0x03, (byte)'a', (byte)'b', (byte)'c'] },
        { "16-bit length", [0x81, 0x7E, 0x00] },
        { "empty ping", [0x89, 0x00] },
        { "empty close", [0x88, 0x00] },
    };

    [Theory]
    [MemberData(nameof(ShortUnmaskedFrames))]
    public async Task Unmasked_frame_shorter_than_a_masked_header_is_closed_with_1002_at_once(string name, byte[] frame)
    {
        var channel = ChannelNames.Unique("unmasked");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);
        var clock = Stopwatch.StartNew();
        await raw.WriteAsync(frame);

        var close = await raw.ReadUntilCloseAsync(Promptly);
        Assert.True(close is not null, $"{name}: the connection ended without a close frame");
        Assert.Equal(1002, close.CloseCode);
        Assert.Equal("protocol error", close.CloseReason);
        Assert.True(clock.Elapsed < Promptly, $"{name}: closed after {clock.Elapsed}");
    }

    [Theory]
    [InlineData(0x1, 0x2_0000_0000L)]
    [InlineData(0x2, 0x2_0000_0000L)]
    [InlineData(0x1, long.MaxValue)]
    [InlineData(0x2, 64L * 1024 * 1024 + 1)]
    [InlineData(0x1, (64L * 1024) + 1)] // the default max-message-size, plus one
    public async Task Header_announcing_more_than_the_limit_is_closed_with_1009_before_its_payload(byte opcode, long length)
    {
        var channel = ChannelNames.Unique("huge");
        await using var good = await Node.ConnectAsync(channel);
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);
        await raw.WriteAsync(MaskedHeader(opcode, length));

        var close = await raw.ReadUntilCloseAsync(Promptly);
        Assert.True(close is not null, "the connection ended without a close frame");
        Assert.Equal(1009, close.CloseCode);
        Assert.Equal("message too big", close.CloseReason);
        Assert.Null(await raw.ReadFrameAsync(Promptly));

        using (await Node.PostAsync(channel, "still here"))
        {
        }

        Assert.Equal("still here", await good.ReceiveTextAsync());
    }

    [Fact]
    public async Task Header_split_across_packets_is_judged_when_it_is_whole()
    {
        var channel = ChannelNames.Unique("hugesplit");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);
        var header = MaskedHeader(0x2, 0x2_0000_0000L);
        foreach (var part in new[] { header[..1], header[1..5], header[5..11], header[11..] })
        {
            await raw.WriteAsync(part);
            await Task.Yield();
        }

        var close = await raw.ReadUntilCloseAsync(Promptly);
        Assert.True(close is not null, "the connection ended without a close frame");
        Assert.Equal(1009, close.CloseCode);
        Assert.Equal("message too big", close.CloseReason);
    }

    [Fact]
    public async Task Continuation_that_takes_a_message_past_the_limit_is_closed_with_1009()
    {
        var channel = ChannelNames.Unique("hugecont");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);
        await raw.SendFrameAsync(RawFrame.Text, "first part"u8.ToArray(), fin: false);
        await raw.WriteAsync(MaskedHeader(0x0, 64L * 1024 * 1024, fin: true));

        var close = await raw.ReadUntilCloseAsync(Promptly);
        Assert.True(close is not null, "the connection ended without a close frame");
        Assert.Equal(1009, close.CloseCode);
        Assert.Equal("message too big", close.CloseReason);
    }

    [Fact]
    public async Task Refusal_goes_after_a_write_in_progress_and_every_frame_before_it_is_whole()
    {
        var channel = ChannelNames.Unique("refusalorder");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel, receiveBufferSize: 4096);
        var payload = new string('x', 60_000);

        // About 3 MB for a client that reads nothing yet: the server's writes to it wait, within the outbox's bounds.
        for (var i = 0; i < 50; i++)
        {
            using var response = await Node.PostAsync(channel, payload);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        await raw.WriteAsync([0x81, 0x00]);
        var whole = 0;
        while (true)
        {
            var frame = await raw.ReadFrameAsync();
            Assert.True(frame is not null, $"the connection ended without a close frame after {whole} messages");
            if (frame.IsClose)
            {
                Assert.Equal(1002, frame.CloseCode);
                Assert.Equal("protocol error", frame.CloseReason);
                break;
            }

            Assert.True(frame.AsText == payload, $"message {whole + 1} came broken: opcode {frame.Opcode}, {frame.Payload.Length} bytes");
            whole++;
        }

        var after = await raw.ReadFrameAsync(Promptly);
        Assert.True(after is null, $"a frame followed the close frame: opcode {after?.Opcode}, {after?.Payload.Length} bytes");
    }

    /// <summary>A client frame header with a 64-bit length and its masking key, and none of the payload.</summary>
    private static byte[] MaskedHeader(byte opcode, long length, bool fin = true)
    {
        var header = new byte[2 + 8 + 4];
        header[0] = (byte)((fin ? 0x80 : 0) | opcode);
        header[1] = 0x80 | 127;
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(2), length);
        RandomNumberGenerator.Fill(header.AsSpan(10));
        return header;
    }
}
