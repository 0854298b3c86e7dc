using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Sessions;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Hub;
using PingActors.Actors.Hub.Serialization;
using PingActors.Node.Configuration;

namespace PingActors.Tests.Hub.Serialization;

/// <summary>Every channel message that crosses nodes round-trips through the bindings of the real reference.conf.</summary>
public sealed class ChannelProtocolSerializerSpecs : TestKit
{
    public ChannelProtocolSerializerSpecs()
        : base(ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .WithFallback(ConfigurationFactory.ParseString(ConfigLoader.ReferenceText())))
    {
    }

    public static TheoryData<string> MessageNames => new() { "Subscribe", "SubscribeResume", "Publish", "PublishBinary", "Subscribed", "SubscribedGap", "Published", "ChannelMessage", "Resubscribe", "StopChannel", "Delivered", "ResubscribeHandoff", "SubscribeHandoff", "Recover", "Recovered", "NotRecovered" };

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Round_trips_through_the_channel_serializer(string name)
    {
        var original = Sample(name);
        var serializer = Sys.Serialization.FindSerializerFor(original);
        Assert.IsType<ChannelProtocolSerializer>(serializer);

        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, original);
        var copy = Sys.Serialization.Deserialize(serializer.ToBinary(original), serializer.Identifier, manifest);

        Assert.Equal(Describe(original), Describe(copy));
    }

    [Fact]
    public void A_message_without_a_binding_is_refused_rather_than_sent_as_json()
    {
        var error = Assert.ThrowsAny<Exception>(() => Sys.Serialization.FindSerializerFor(new Unbound("x")));
        Assert.Contains("allow-unregistered-types", error.Message);
    }

    private object Sample(string name) => name switch
    {
        "Subscribe" => new Subscribe("/a/b", TestActor),
        "SubscribeResume" => new Subscribe("/ü", TestActor, 123456789012345, 42),
        "Publish" => new Publish("/a", Payload.Text("héllo")),
        "PublishBinary" => new Publish("/a", new Payload(false, [0, 255, 1, 254])),
        "Subscribed" => new Subscribed("/a", 7, 99),
        "SubscribedGap" => new Subscribed("/a", 7, 99, Gap: true),
        "Published" => new Published("/a", 7, 100, 3),
        "ChannelMessage" => new ChannelMessage("/a", 7, 101, new Payload(true, "x"u8.ToArray())),
        "Resubscribe" => new Resubscribe("/a"),
        "Delivered" => new Delivered("/a", 7, 100),
        "StopChannel" => StopChannel.Instance,
        "ResubscribeHandoff" => new Resubscribe("/a", Handoff()),
        "SubscribeHandoff" => new Subscribe("/a", TestActor, 0x1234, 41, Handoff()),
        "Recover" => new Recover("/a", 3, 0x1234, 40),
        "Recovered" => new Recovered("/a", 3, 0x1234, 42, true, Handoff().Messages),
        "NotRecovered" => new Recovered("/a", 4, 0x1234, 42, false, []),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static ChannelHandoff Handoff() =>
        new(0x1234, 42, [new ChannelMessage("/a", 0x1234, 41, Payload.Text("é")), new ChannelMessage("/a", 0x1234, 42, new Payload(false, [0, 255]))]);

    // Payload compares by reference, so compare what the records hold, with payload bytes spelled out.
    private static string Describe(object? message) => message switch
    {
        Publish p => $"Publish {p.Channel} {Describe(p.Payload)}",
        ChannelMessage m => $"ChannelMessage {m.Channel} {m.Incarnation} {m.Seq} {Describe(m.Payload)}",
        Subscribe s => $"Subscribe {s.Channel} {s.Subscriber.Path} {s.ResumeIncarnation} {s.ResumeAfterSeq} {Describe(s.Handoff)}",
        Resubscribe r => $"Resubscribe {r.Channel} {Describe(r.Handoff)}",
        ChannelHandoff h => $"Handoff {h.Incarnation} {h.LastSeq} [{string.Join(", ", h.Messages.Select(Describe))}]",
        Recovered r => $"Recovered {r.Channel} {r.RequestId} {r.Incarnation} {r.LastSeq} {r.Complete} [{string.Join(", ", r.Missed.Select(Describe))}]",
        null => "none",
        Payload p => $"{(p.IsText ? "text" : "binary")}:{Convert.ToHexString(p.Bytes)}",
        _ => message.ToString()!,
    };

    private sealed record Unbound(string Value);
}
