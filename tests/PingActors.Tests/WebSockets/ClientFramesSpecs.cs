using System.Buffers.Binary;
using PingActors.Actors.Sessions;
using PingActors.Node.Configuration;
using PingActors.Node.Hosting;
using PingActors.Node.WebSockets;

namespace PingActors.Tests.WebSockets;

/// <summary>
/// The frame-header check under every socket: it must never refuse what a valid client sends, however the
/// bytes are split into reads, and must refuse as soon as the deciding header bytes are in.
/// </summary>
public sealed class ClientFramesSpecs
{
    private const long Limit = 1000;

    public static TheoryData<int> ReadSizes => new() { 1, 2, 3, 7, 13, 64, 4096, int.MaxValue };

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public void Valid_frames_pass_however_they_are_split(int readSize)
    {
        var stream = Concat(
            Frame(0x81, 0),
            Frame(0x81, 125),
            Frame(0x82, 126),
            Frame(0x02, 400),   // a fragmented binary message, 1000 bytes in all, with a ping in between
            Frame(0x89, 125),
            Frame(0x00, 300),
            Frame(0x80, 300),
            Frame(0x82, (int)Limit), // each message counts from zero
            Frame(0x8A, 0),
            Frame(0x88, 2));
        var frames = new ClientFrames(Limit);
        foreach (var read in Split(stream, readSize))
        {
            Assert.Null(frames.Inspect(read));
        }
    }

    [Fact]
    public void Lengths_of_16_and_64_bits_are_followed_past_their_payload()
    {
        var frames = new ClientFrames(64 * 1024 * 1024);
        Assert.Null(frames.Inspect(Concat(Frame(0x82, 70_000), Frame(0x81, 65_535), Frame(0x81, 3))));
    }

    [Fact]
    public void Unmasked_frame_is_refused_at_its_second_byte()
    {
        var frames = new ClientFrames(Limit);
        Assert.Null(frames.Inspect(Frame(0x81, 5)));
        Assert.Null(frames.Inspect([0x81]));
        Assert.Equal(CloseReasons.ProtocolError, frames.Inspect([0x00]));
    }

    [Fact]
    public void Length_past_the_largest_message_is_refused_before_the_masking_key()
    {
        var header = Frame(0x82, (int)Limit + 1)[..4]; // opcode, 126, two length bytes
        var frames = new ClientFrames(Limit);
        Assert.Null(frames.Inspect(header[..3]));
        Assert.Equal(CloseReasons.MessageTooBig, frames.Inspect(header[3..]));
    }

    [Fact]
    public void Fragments_that_add_up_past_the_largest_message_are_refused()
    {
        var frames = new ClientFrames(Limit);
        Assert.Null(frames.Inspect(Concat(Frame(0x01, 600), Frame(0x89, 10))));
        Assert.Equal(CloseReasons.MessageTooBig, frames.Inspect(Frame(0x80, 401)[..4]));
    }

    [Fact]
    public void Control_frames_are_left_to_the_websocket()
    {
        // A ping can carry at most 125 bytes; .NET's WebSocket refuses a longer one with 1002 once its header is in.
        var frames = new ClientFrames(Limit);
        Assert.Null(frames.Inspect(Header(0x89, Limit + 1)));
    }

    [Theory]
    [InlineData(0x8000_0000_0000_0000UL)]
    [InlineData(ulong.MaxValue)]
    public void Length_with_the_most_significant_bit_set_is_a_protocol_error(ulong length)
    {
        var header = new byte[14];
        header[0] = 0x82;
        header[1] = 0x80 | 127;
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), length);
        Assert.Equal(CloseReasons.ProtocolError, new ClientFrames(Limit).Inspect(header));
    }

    /// <summary>A masked client frame of <paramref name="length"/> zero bytes; <paramref name="first"/> is FIN, RSV and opcode.</summary>
    private static byte[] Frame(byte first, int length) => [.. Header(first, length), .. new byte[length]];

    private static byte[] Header(byte first, long length)
    {
        var header = new List<byte> { first };
        if (length < 126)
        {
            header.Add((byte)(0x80 | length));
        }
        else if (length <= ushort.MaxValue)
        {
            header.AddRange([0x80 | 126, (byte)(length >> 8), (byte)length]);
        }
        else
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(bytes, length);
            header.Add(0x80 | 127);
            header.AddRange(bytes);
        }

        header.AddRange([0x11, 0x22, 0x33, 0x44]);
        return [.. header];
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static IEnumerable<byte[]> Split(byte[] bytes, int size)
    {
        for (var i = 0; i < bytes.Length; i += size)
        {
            yield return bytes[i..(int)Math.Min(bytes.Length, (long)i + size)];
        }
    }
}
