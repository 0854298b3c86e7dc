using System.Text;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Bridge.Framing;
using PingActors.Actors.Sessions;

namespace PingActors.Tests.Bridge.Framing;

/// <summary>
/// Runs a framing's decoder over given reads and shows its messages as short strings: <c>T:</c> text,
/// <c>B:</c> binary, bytes outside printable ASCII as <c>\xHH</c> (and <c>\r \n</c>), so expectations read like
/// the peer's bytes.
/// </summary>
public abstract class FramingRun : TestKit
{
    protected const int Max = 1024;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private IMaterializer? _materializer;

    private IMaterializer Materializer => _materializer ??= Sys.Materializer();

    protected static byte[] B(string latin1) => Encoding.Latin1.GetBytes(latin1);

    protected static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Render(Payload p)
    {
        var s = new StringBuilder(p.IsText ? "T:" : "B:");
        foreach (var b in p.Bytes)
        {
            s.Append(b switch
            {
                (byte)'\r' => @"\r",
                (byte)'\n' => @"\n",
                >= 0x20 and < 0x7f and not (byte)'\\' => ((char)b).ToString(),
                _ => $"\\x{b:X2}",
            });
        }

        return s.ToString();
    }

    /// <summary>The messages, and the error the flow failed with after them (null when it completed).</summary>
    protected async Task<(List<string> Messages, Exception? Error)> Decode(IFraming framing, int max, params byte[][] reads)
    {
        var messages = new List<string>();
        var done = Source.From(reads.Select(ByteString.FromBytes))
            .Via(framing.Decoder(max))
            .RunForeach(p => messages.Add(Render(p)), Materializer);
        try
        {
            await done.WaitAsync(Patience);
            return (messages, null);
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            return (messages, e is AggregateException { InnerException: { } inner } ? inner : e);
        }
    }

    protected async Task<List<string>> Messages(IFraming framing, params byte[][] reads)
    {
        var (messages, error) = await Decode(framing, Max, reads);
        Assert.Null(error);
        return messages;
    }

    /// <summary>
    /// The same bytes as every way of cutting them into reads that a property test can afford: one read, two
    /// reads at each split point, three reads at each pair of points (short inputs), and a read per byte.
    /// </summary>
    protected static IEnumerable<byte[][]> Splits(byte[] data)
    {
        yield return [data];
        for (var i = 0; i <= data.Length; i++)
        {
            yield return [data[..i], data[i..]];
        }

        if (data.Length <= 24)
        {
            for (var i = 1; i < data.Length; i++)
            {
                for (var j = i + 1; j < data.Length; j++)
                {
                    yield return [data[..i], data[i..j], data[j..]];
                }
            }
        }

        yield return data.Select(b => new[] { b }).ToArray();
    }

    /// <summary>Asserts the framing gives <paramref name="expected"/> however <paramref name="data"/> is split into reads.</summary>
    protected async Task SameForEverySplit(IFraming framing, byte[] data, params string[] expected)
    {
        foreach (var reads in Splits(data))
        {
            var got = await Messages(framing, reads);
            Assert.True(expected.SequenceEqual(got), $"reads of {string.Join(",", reads.Select(r => r.Length))} bytes gave [{string.Join(" | ", got)}]");
        }
    }
}
