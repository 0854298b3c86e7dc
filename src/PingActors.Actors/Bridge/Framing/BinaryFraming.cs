using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// Each read goes out at once as one binary message (websocksy's <c>binary</c>; also <c>separator</c> with an
/// empty separator and <c>fixedlength 0</c>, which websocksy treats the same way). Nothing is held back, so
/// there is no tail. A read larger than the size limit is sent in pieces of the limit rather than failing:
/// read sizes are the bridge's buffer, not the peer's records.
/// </summary>
/// <remarks>No state, so a plain <c>SelectMany</c> rather than a stage.</remarks>
internal sealed class BinaryFraming : IFraming
{
    public static readonly BinaryFraming Instance = new("binary");

    internal BinaryFraming(string name) => Name = name;

    public string Name { get; }

    public Flow<ByteString, Payload, NotUsed> Decoder(int maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        return Flow.Create<ByteString>().SelectMany(chunk => Pieces(chunk, maxMessageSize));
    }

    public override string ToString() => Name;

    private static IEnumerable<Payload> Pieces(ByteString chunk, int max)
    {
        for (var start = 0; start < chunk.Count; start += max)
        {
            yield return new Payload(false, chunk.Slice(start, Math.Min(max, chunk.Count - start)).ToArray());
        }
    }
}
