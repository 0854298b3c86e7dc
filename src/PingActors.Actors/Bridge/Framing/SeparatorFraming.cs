using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// websocksy's <c>separator</c>: a binary message after each occurrence of the separator, the separator
/// included. The config is the separator, with escapes <c>\r \t \n \0 \f \\ \xHH</c>; other characters stand for
/// their UTF-8 bytes. An empty separator sends each read as it comes, like <c>binary</c>.
/// </summary>
/// <remarks>
/// Differences from websocksy: <c>\xHH</c> is read as the two hex digits (websocksy drops the first digit), a
/// separator split across reads is found, an unknown escape, a lone backslash or a short <c>\x</c> is a config
/// error (websocksy: a lone backslash, or a hang), a missing config is a config error (websocksy: segfault),
/// and the bytes after the last separator go out as one more binary message when the peer's stream ends
/// (websocksy drops them). Our own <see cref="RecordStage"/>: see there why not Akka's Delimiter.
/// </remarks>
internal sealed class SeparatorFraming : IFraming
{
    private const string Expected = @"expected a separator like ""\r\n"" (escapes \r \t \n \0 \f \\ \xHH)";

    private SeparatorFraming(byte[] separator) => Separator = separator;

    public string Name => "separator";

    public byte[] Separator { get; }

    /// <exception cref="FramingConfigException">The config is missing or has a bad escape.</exception>
    public static IFraming Parse(string? config)
    {
        if (config is null)
        {
            throw new FramingConfigException($"framing separator: {Expected}, got nothing");
        }

        var bytes = new List<byte>();
        for (var i = 0; i < config.Length; i++)
        {
            if (config[i] != '\\')
            {
                // A run of plain text at once, so a surrogate pair is encoded as one character.
                var end = config.IndexOf('\\', i);
                end = end < 0 ? config.Length : end;
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(config[i..end]));
                i = end - 1;
                continue;
            }

            var escape = i + 1 < config.Length ? config[i + 1] : '\0';
            byte? single = escape switch
            {
                'r' => (byte)'\r',
                't' => (byte)'\t',
                'n' => (byte)'\n',
                '0' => 0,
                'f' => (byte)'\f',
                '\\' => (byte)'\\',
                'x' when i + 3 < config.Length && char.IsAsciiHexDigit(config[i + 2]) && char.IsAsciiHexDigit(config[i + 3])
                    => Convert.ToByte(config.Substring(i + 2, 2), 16),
                _ => null,
            };
            if (single is null)
            {
                var what = i + 1 >= config.Length ? "a lone \\ at the end" : escape == 'x' ? "\\x without two hex digits" : $"unknown escape \\{escape}";
                throw new FramingConfigException($"framing separator: {Expected}, got {ConfigText.Quote(config)} ({what})");
            }

            bytes.Add(single.Value);
            i += escape == 'x' ? 3 : 1;
        }

        return bytes.Count == 0 ? new BinaryFraming("separator") : new SeparatorFraming(bytes.ToArray());
    }

    public Flow<ByteString, Payload, NotUsed> Decoder(int maxMessageSize) =>
        Flow.FromGraph(new RecordStage(Name, () => new SeparatorCutter(Separator, false, "separator"), maxMessageSize));

    public override string ToString() => $"separator {Convert.ToHexString(Separator)}";
}
