using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using PingActors.Actors.Sessions;
using Utf8 = System.Text.Unicode.Utf8;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// websocksy's default: each read goes out at once as one message, text when it is valid UTF-8 (a real
/// validator: overlongs, surrogates and code points past U+10FFFF are not text), else binary.
/// </summary>
/// <remarks>
/// Unlike websocksy, a read that is valid UTF-8 except for the start of a character at its very end goes out
/// as text without those 1-3 bytes, which open the next message, so text cut mid-character by TCP stays
/// text (websocksy sends both halves as binary). The cost: a peer whose binary data happens to look like that
/// has up to 3 bytes wait for its next read (use <c>binary</c> for binary peers). Held bytes still pending when
/// the peer's stream ends go out as binary. A read larger than the size limit is sent in pieces of the limit,
/// split between characters when it is text. Our own <see cref="RecordStage"/>, since the held bytes are state.
/// </remarks>
internal sealed class AutoFraming : IFraming
{
    public static readonly AutoFraming Instance = new();

    private AutoFraming()
    {
    }

    public string Name => "auto";

    public Flow<ByteString, Payload, NotUsed> Decoder(int maxMessageSize) =>
        Flow.FromGraph(new RecordStage(Name, () => new Cutter(maxMessageSize), maxMessageSize));

    public override string ToString() => Name;

    private sealed class Cutter(int maxMessageSize) : RecordCutter
    {
        public override string Awaiting => "end of a UTF-8 character";

        public override Cut Next(ReadOnlySpan<byte> pending)
        {
            var piece = pending[..Math.Min(pending.Length, maxMessageSize)];
            if (Utf8.IsValid(piece))
            {
                return new Cut(piece.Length, true);
            }

            var incomplete = Utf8Tail.Incomplete(piece);
            if (incomplete > 0 && Utf8.IsValid(piece[..^incomplete]))
            {
                return incomplete < piece.Length ? new Cut(piece.Length - incomplete, true) : Cut.None;
            }

            return Cut.Binary(piece.Length);
        }

        public override Cut AtEnd(ReadOnlySpan<byte> pending) => Cut.Binary(pending.Length);
    }
}
