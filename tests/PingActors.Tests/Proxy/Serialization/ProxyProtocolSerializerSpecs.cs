using Akka.Actor;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Proxy.Delivery;
using PingActors.Actors.Proxy.Serialization;
using PingActors.Actors.Sessions;

namespace PingActors.Tests.Proxy.Serialization;

/// <summary>Every proxy message that crosses nodes survives the trip through its serializer, as bound in reference.conf.</summary>
public sealed class ProxyProtocolSerializerSpecs() : TestKit(Akka.Configuration.ConfigurationFactory.ParseString("akka.actor.provider = local")
    .WithFallback(Akka.Configuration.ConfigurationFactory.ParseString(PingActors.Node.Configuration.ConfigLoader.ReferenceText())))
{
    [Fact]
    public void Every_wire_message_round_trips()
    {
        var serializer = new ProxyProtocolSerializer((ExtendedActorSystem)Sys);
        var deliver = new RemoteDeliver(7, ["a", "b"], new Payload(false, [1, 2, 3]), Close: true);
        var delivered = new RemoteDelivered(7, [DeliveryOutcome.Queued, DeliveryOutcome.QueueFull]);

        var backDeliver = (RemoteDeliver)RoundTrip(serializer, deliver);
        Assert.Equal((7L, false, true), (backDeliver.Id, backDeliver.Payload.IsText, backDeliver.Close));
        Assert.Equal(["a", "b"], backDeliver.Keys);
        Assert.Equal(new byte[] { 1, 2, 3 }, backDeliver.Payload.Bytes);

        var backDelivered = (RemoteDelivered)RoundTrip(serializer, delivered);
        Assert.Equal(delivered.Outcomes, backDelivered.Outcomes);

        var batch = (RemoteDeliverBatch)RoundTrip(serializer, new RemoteDeliverBatch([deliver, deliver with { Id = 8 }]));
        Assert.Equal([7L, 8L], batch.Items.Select(i => i.Id));

        var answers = (RemoteDeliveredBatch)RoundTrip(serializer, new RemoteDeliveredBatch([delivered, delivered with { Id = 8 }]));
        Assert.Equal([7L, 8L], answers.Items.Select(i => i.Id));
        Assert.Equal(delivered.Outcomes, answers.Items[1].Outcomes);

        var lookup = (RemoteLookup)RoundTrip(serializer, new RemoteLookup(9, ["x"]));
        Assert.Equal((9L, "x"), (lookup.Id, lookup.Keys.Single()));
        var found = (RemoteFound)RoundTrip(serializer, new RemoteFound(9, [true, false]));
        Assert.Equal([true, false], found.Found);

        var describe = (RemoteDescribe)RoundTrip(serializer, new RemoteDescribe(10, "k"));
        Assert.Equal((10L, "k"), (describe.Id, describe.Key));
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        var info = new ConnectionInfo("k", "wsaas", at, at.AddSeconds(5), "akka.tcp://PingActors@127.0.0.1:4053", null);
        Assert.Equal(info, ((RemoteDescribed)RoundTrip(serializer, new RemoteDescribed(10, info))).Info);
        Assert.Null(((RemoteDescribed)RoundTrip(serializer, new RemoteDescribed(11, null))).Info);
    }

    [Fact]
    public void The_serializer_is_the_one_bound_to_proxy_wire_messages()
    {
        var bound = Sys.Serialization.FindSerializerFor(new RemoteDeliverBatch([]));
        Assert.IsType<ProxyProtocolSerializer>(bound);
    }

    private static object RoundTrip(ProxyProtocolSerializer serializer, object message) =>
        serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));
}
