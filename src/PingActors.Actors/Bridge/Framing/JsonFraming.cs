using System.Text.Json;
using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// websocksy's <c>json</c>: one text message per complete top-level JSON value (object, array, string, number,
/// true, false, null), the whitespace before it included; an incomplete value waits; on a parse error the
/// whole pending buffer goes out as one binary message and parsing starts afresh after it.
/// </summary>
/// <remarks>
/// Parsed by <see cref="Utf8JsonReader"/>, resumed read after read from its saved state, so a value arriving in
/// many reads is parsed once and a parse error shows as soon as its bytes arrive. Differences from websocksy's
/// hand-made parser: strings with non-ASCII UTF-8 are valid (websocksy dumps them as binary), a top-level
/// number followed by whitespace or a newline is complete (websocksy: binary), escapes such as <c>"\\"</c>
/// are read correctly, and a value that is not valid UTF-8 goes out binary, never as a bad text frame. When
/// the peer's stream ends, a value the end completes (a bare number) goes out as text, other leftover bytes
/// that are not just whitespace as binary (websocksy drops them). Our own <see cref="RecordStage"/>: Akka has
/// a JSON framing only on the JVM.
/// </remarks>
internal sealed class JsonFraming : IFraming
{
    public static readonly JsonFraming Instance = new();

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 1024 };

    private JsonFraming()
    {
    }

    public string Name => "json";

    public Flow<ByteString, Payload, NotUsed> Decoder(int maxMessageSize) =>
        Flow.FromGraph(new RecordStage(Name, () => new Cutter(), maxMessageSize));

    public override string ToString() => Name;

    private sealed class Cutter : RecordCutter
    {
        private JsonReaderState _state = new(Options);

        // How much of the pending bytes the reader has consumed in earlier reads (whole tokens only).
        private int _consumed;

        public override string Awaiting => "end of the JSON value";

        public override Cut Next(ReadOnlySpan<byte> pending)
        {
            var reader = new Utf8JsonReader(pending[_consumed..], isFinalBlock: false, _state);
            int? end;
            try
            {
                end = ValueEnd(ref reader);
            }
            catch (JsonException)
            {
                Reset();
                return Cut.Binary(pending.Length);
            }

            if (end is null)
            {
                _consumed += (int)reader.BytesConsumed;
                _state = reader.CurrentState;
                return Cut.None;
            }

            var length = _consumed + end.Value;
            Reset();
            return Cut.TextIfUtf8(pending[..length]);
        }

        public override Cut AtEnd(ReadOnlySpan<byte> pending)
        {
            // Whitespace before a value that never came: the reader calls it an error, but there is nothing to send.
            if (pending.IndexOfAnyExcept(" \t\r\n"u8) < 0)
            {
                return Cut.None;
            }

            var reader = new Utf8JsonReader(pending, isFinalBlock: true, new JsonReaderState(Options));
            try
            {
                var end = ValueEnd(ref reader);
                return end is null ? Cut.None : Cut.TextIfUtf8(pending[..end.Value]);
            }
            catch (JsonException)
            {
                return Cut.Binary(pending.Length);
            }
        }

        /// <returns>Where the first top-level value ends, or null when the bytes end first (or are only whitespace).</returns>
        private static int? ValueEnd(ref Utf8JsonReader reader)
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                {
                    return (int)reader.BytesConsumed;
                }
            }

            return null;
        }

        private void Reset()
        {
            _state = new JsonReaderState(Options);
            _consumed = 0;
        }
    }
}
