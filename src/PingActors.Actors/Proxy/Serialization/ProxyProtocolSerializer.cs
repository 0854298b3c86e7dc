using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using PingActors.Actors.Proxy.Delivery;
using PingActors.Actors.Proxy.Serialization.Proto;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Serialization;

/// <summary>Protobuf serializer for the proxy's messages between nodes (<see cref="IProxyWireMessage"/>), bound in hocon/reference.conf.</summary>
public sealed class ProxyProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 4712;

    private const string DeliverManifest = "PD";
    private const string DeliveredManifest = "PR";
    private const string LookupManifest = "PL";
    private const string FoundManifest = "PF";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        RemoteDeliver => DeliverManifest,
        RemoteDelivered => DeliveredManifest,
        RemoteLookup => LookupManifest,
        RemoteFound => FoundManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a proxy wire message", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        IMessage data = obj switch
        {
            RemoteDeliver d => new RemoteDeliverData { Keys = { d.Keys }, IsText = d.Payload.IsText, Bytes = UnsafeByteOperations.UnsafeWrap(d.Payload.Bytes), Close = d.Close },
            RemoteDelivered d => new RemoteDeliveredData { Outcomes = { d.Outcomes.Select(o => (int)o) } },
            RemoteLookup l => new RemoteLookupData { Keys = { l.Keys } },
            RemoteFound f => new RemoteFoundData { Found = { f.Found } },
            _ => throw new ArgumentException($"{obj.GetType()} is not a proxy wire message", nameof(obj)),
        };
        return data.ToByteArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case DeliverManifest:
                var d = RemoteDeliverData.Parser.ParseFrom(bytes);
                return new RemoteDeliver(d.Keys.ToArray(), new Payload(d.IsText, d.Bytes.ToByteArray()), d.Close);
            case DeliveredManifest:
                return new RemoteDelivered(RemoteDeliveredData.Parser.ParseFrom(bytes).Outcomes.Select(o => Enum.IsDefined((DeliveryOutcome)o) ? (DeliveryOutcome)o : DeliveryOutcome.Closed).ToArray());
            case LookupManifest:
                return new RemoteLookup(RemoteLookupData.Parser.ParseFrom(bytes).Keys.ToArray());
            case FoundManifest:
                return new RemoteFound(RemoteFoundData.Parser.ParseFrom(bytes).Found.ToArray());
            default:
                throw new System.Runtime.Serialization.SerializationException($"unknown proxy wire manifest '{manifest}'");
        }
    }
}
