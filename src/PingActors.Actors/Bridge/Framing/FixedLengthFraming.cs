using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// websocksy's <c>fixedlength</c>: binary messages of exactly N bytes; the config is N as C's strtoul reads it
/// (<c>512</c>, <c>0x200</c>, <c>01000</c>). N = 0 sends each read as it comes, like <c>binary</c>.
/// </summary>
/// <remarks>
/// A short last record is dropped when the peer's stream ends, as websocksy does: a client may rely on every
/// message being N bytes. N larger than the size limit fails the flow at the first read instead of
/// buffering up to the limit. Differences from websocksy: a missing, empty, signed or junk-trailed config
/// is a config error (websocksy crashes, or reads a number prefix). Our own <see cref="RecordStage"/>: Akka
/// has no fixed-size framing stage.
/// </remarks>
internal sealed class FixedLengthFraming : IFraming
{
    private FixedLengthFraming(int length) => Length = length;

    public string Name => "fixedlength";

    public int Length { get; }

    /// <exception cref="FramingConfigException">The config is not such a number.</exception>
    public static IFraming Parse(string? config)
    {
        if (config is null || !ConfigText.TryParseNumber(config, out var length))
        {
            throw new FramingConfigException($"framing fixedlength: expected a length like 512, 0x200 or 01000, got {ConfigText.Quote(config)}");
        }

        return length == 0 ? new BinaryFraming("fixedlength") : new FixedLengthFraming(length);
    }

    public Flow<ByteString, Payload, NotUsed> Decoder(int maxMessageSize) =>
        Flow.FromGraph(new RecordStage(Name, () => new Cutter(Length, maxMessageSize), maxMessageSize));

    public override string ToString() => $"fixedlength {Length}";

    private sealed class Cutter(int length, int maxMessageSize) : RecordCutter
    {
        public override string Awaiting => $"{length}-byte record";

        public override Cut Next(ReadOnlySpan<byte> pending)
        {
            if (length > maxMessageSize)
            {
                throw new FramingException($"framing fixedlength: records of {length} bytes are over the {maxMessageSize}-byte limit");
            }

            return pending.Length >= length ? Cut.Binary(length) : Cut.None;
        }
    }
}
