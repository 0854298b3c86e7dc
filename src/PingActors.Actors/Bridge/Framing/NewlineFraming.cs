using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// websocksy's <c>newline</c>: a message per line, the newline included (it is a separator of that sequence),
/// text when the line is valid UTF-8, else binary. Config: <c>lf</c>, <c>crlf</c>, <c>lfcr</c> or <c>cr</c>.
/// </summary>
/// <remarks>
/// A line without its newline waits; when the peer's stream ends it goes out as one more message, typed like a
/// line (websocksy drops it). A UTF-8 character split across reads is whole again in its line, so it does
/// not make the line binary. websocksy reads any other config, or none, as <c>crlf</c> (or segfaults when it is
/// missing): <see cref="Framings.Parse"/> refuses it, <see cref="Framings.ParseOrAuto"/> warns and uses crlf.
/// Our own <see cref="RecordStage"/>, as for <see cref="SeparatorFraming"/>.
/// </remarks>
internal sealed class NewlineFraming : IFraming
{
    public const string Expected = "expected lf, crlf, lfcr or cr";

    public static readonly NewlineFraming Crlf = new("crlf", "\r\n"u8.ToArray());

    private NewlineFraming(string config, byte[] newline)
    {
        Config = config;
        Newline = newline;
    }

    public string Name => "newline";

    public string Config { get; }

    public byte[] Newline { get; }

    /// <returns>The framing, or null when the config is none of the four (the caller decides how to complain).</returns>
    public static NewlineFraming? TryParse(string? config) => config switch
    {
        "lf" => new("lf", "\n"u8.ToArray()),
        "crlf" => Crlf,
        "lfcr" => new("lfcr", "\n\r"u8.ToArray()),
        "cr" => new("cr", "\r"u8.ToArray()),
        _ => null,
    };

    public Flow<ByteString, Payload, NotUsed> Decoder(int maxMessageSize) =>
        Flow.FromGraph(new RecordStage(Name, () => new SeparatorCutter(Newline, true, "newline"), maxMessageSize));

    public override string ToString() => $"newline {Config}";
}
