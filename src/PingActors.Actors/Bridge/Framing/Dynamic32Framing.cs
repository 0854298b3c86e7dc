using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using PingActors.Actors.Sessions;
using AkkaFraming = Akka.Streams.Dsl.Framing;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// websocksy's <c>dynamic32</c>: a u32 length at <c>offset</c>; the frame is offset + 4 + <c>static</c> + length
/// bytes, header included, sent as one binary message. Config: a comma list of <c>offset=N</c>, <c>static=N</c>
/// (numbers as strtoul reads them) and <c>endian=big|little</c> (default little); empty means all defaults.
/// </summary>
/// <remarks>
/// Built on Akka's <c>Framing.LengthField</c> with computeFrameSize, which keeps the header in the frame and
/// checks the size as soon as the header is in, so a declared frame over the size limit fails the flow at
/// once, before its body is buffered. LengthField fails on a truncated frame at the end of the stream; we drop
/// it instead, as websocksy does (a partial frame is of no use, and the peer's end is not an error).
/// Differences from websocksy: several options work (websocksy hangs), a missing config, an unknown option or
/// a bad value is a config error (websocksy segfaults or ignores it), spaces around items are allowed.
/// </remarks>
internal sealed class Dynamic32Framing : IFraming
{
    private const string Expected = "expected options like \"offset=0,static=0,endian=big\"";

    private Dynamic32Framing(int offset, int fixedPart, bool bigEndian)
    {
        Offset = offset;
        Static = fixedPart;
        BigEndian = bigEndian;
    }

    public string Name => "dynamic32";

    public int Offset { get; }

    public int Static { get; }

    public bool BigEndian { get; }

    /// <exception cref="FramingConfigException">The config is missing or has an item that is none of the three options.</exception>
    public static IFraming Parse(string? config)
    {
        if (config is null)
        {
            throw new FramingConfigException($"framing dynamic32: {Expected}, got nothing");
        }

        int offset = 0, fixedPart = 0;
        var big = false;
        foreach (var item in config.Trim().Length == 0 ? [] : config.Split(','))
        {
            var (key, value) = item.Split('=', 2) is [var k, var v] ? (k.Trim(), v.Trim()) : (item.Trim(), null);
            var ok = key switch
            {
                "offset" => value is not null && ConfigText.TryParseNumber(value, out offset),
                "static" => value is not null && ConfigText.TryParseNumber(value, out fixedPart),
                "endian" => value is "big" or "little",
                _ => false,
            };
            big = key == "endian" && ok ? value == "big" : big;
            if (!ok)
            {
                throw new FramingConfigException($"framing dynamic32: {Expected}, got {ConfigText.Quote(config)}");
            }
        }

        return new Dynamic32Framing(offset, fixedPart, big);
    }

    public Flow<ByteString, Payload, NotUsed> Decoder(int maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        var order = BigEndian ? ByteOrder.BigEndian : ByteOrder.LittleEndian;
        return AkkaFraming.LengthField(4, Offset, maxMessageSize, order, (_, length) => FrameSize(length, maxMessageSize))
            .Select(frame => new Payload(false, frame.ToArray()))
            .RecoverWithRetries(
                // Our own size check runs first, so what LengthField itself fails with is the truncated tail.
                e => e is AkkaFraming.FramingException ? Source.Empty<Payload>() : Source.Failed<Payload>(e),
                1);
    }

    public override string ToString() => $"dynamic32 offset={Offset},static={Static},endian={(BigEndian ? "big" : "little")}";

    // Thrown inside LengthField's stage, which fails with it: our message, with the size, and no overflow.
    private int FrameSize(int length, int maxMessageSize)
    {
        var size = (long)Offset + 4 + Static + (uint)length;
        return size <= maxMessageSize
            ? (int)size
            : throw new FramingException($"framing dynamic32: a frame of {size} bytes is over the {maxMessageSize}-byte limit");
    }
}
