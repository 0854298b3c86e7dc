using System.Text;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using PingActors.Actors.Bridge.Framing;
using PingActors.Actors.Sessions;

namespace PingActors.Tests.Bridge.Framing;

/// <summary>What every framing shares: the peer is read only as messages are taken, and errors fit a close frame.</summary>
public sealed class DemandAndLimitSpecs : FramingRun
{
    [Theory]
    [InlineData("separator", ";", "a;", 2)]
    [InlineData("newline", "lf", "a\n", 2)]
    [InlineData("fixedlength", "2", "ab", 2)]
    [InlineData("json", null, "[]", 2)]
    [InlineData("dynamic32", "", "\0\0\0\0", 2)]
    [InlineData("auto", null, "ab", 1)]
    public void Reads_from_the_peer_only_once_the_messages_it_has_are_taken(string name, string? config, string record, int perRead)
    {
        // A Select fused with the decoder passes a read on only when the decoder pulls, so it counts exactly those.
        var handedOut = 0;
        var read = ByteString.FromBytes(B(string.Concat(Enumerable.Repeat(record, perRead))));
        var messages = Source.From([read, read])
            .Select(r =>
            {
                Interlocked.Increment(ref handedOut);
                return r;
            })
            .Via(Framings.Parse(name, config).Decoder(Max))
            .RunWith(this.SinkProbe<Payload>(), Sys.Materializer());
        for (var taken = 1; taken <= 2 * perRead; taken++)
        {
            messages.Request(1);
            messages.ExpectNext();
            if (taken < 2 * perRead)
            {
                // Time for a read-ahead to show (after the last message, completion may come without demand).
                messages.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
            }

            Assert.Equal((taken + perRead - 1) / perRead, Volatile.Read(ref handedOut));
        }

        messages.Request(1);
        messages.ExpectComplete();
    }

    [Fact]
    public void Records_still_pending_when_the_peer_ends_go_out_as_they_are_taken_before_the_tail()
    {
        var (reads, messages) = Probes(Framings.Parse("separator", ";"));
        messages.Request(1);
        reads.ExpectRequest();
        reads.SendNext(ByteString.FromString("a;b;tail"));
        reads.SendComplete();
        Assert.Equal("a;", Encoding.ASCII.GetString(messages.ExpectNext().Bytes));
        messages.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        messages.Request(2);
        Assert.Equal("b;", Encoding.ASCII.GetString(messages.ExpectNext().Bytes));
        Assert.Equal("tail", Encoding.ASCII.GetString(messages.ExpectNext().Bytes));
        messages.ExpectComplete();
    }

    [Theory]
    [InlineData("fixedlength", "2147483647", "a")]
    [InlineData("dynamic32", "static=2147483647", "\xff\xff\xff\xff")]
    public async Task The_longest_size_errors_fit_in_a_close_frames_reason(string name, string config, string read)
    {
        // The bridge closes with 1009 and this message as the reason, which may be at most 123 bytes of UTF-8.
        var (_, error) = await Decode(Framings.Parse(name, config), int.MaxValue - 1, B(read));
        var message = Assert.IsType<FramingException>(error).Message;
        Assert.InRange(Encoding.UTF8.GetByteCount(message), 1, 123);
    }

    private (TestPublisher.Probe<ByteString> Reads, TestSubscriber.Probe<Payload> Messages) Probes(IFraming framing) =>
        this.SourceProbe<ByteString>()
            .Via(framing.Decoder(Max))
            .ToMaterialized(this.SinkProbe<Payload>(), Keep.Both)
            .Run(Sys.Materializer());
}
