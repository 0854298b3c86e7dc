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
    private const string DeliverBatchManifest = "PDB";
    private const string DeliveredBatchManifest = "PRB";
    private const string DescribeManifest = "PQ";
    private const string DescribedManifest = "PA";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        RemoteDeliver => DeliverManifest,
        RemoteDelivered => DeliveredManifest,
        RemoteLookup => LookupManifest,
        RemoteFound => FoundManifest,
        RemoteDeliverBatch => DeliverBatchManifest,
        RemoteDeliveredBatch => DeliveredBatchManifest,
        RemoteDescribe => DescribeManifest,
        RemoteDescribed => DescribedManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a proxy wire message", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        IMessage data = obj switch
        {
            RemoteDeliver d => ToData(d),
            RemoteDelivered d => ToData(d),
            RemoteDeliverBatch b => new RemoteDeliverBatchData { Items = { b.Items.Select(ToData) } },
            RemoteDeliveredBatch b => new RemoteDeliveredBatchData { Items = { b.Items.Select(ToData) } },
            RemoteDescribe d => new RemoteDescribeData { Id = d.Id, Key = d.Key },
            RemoteDescribed d => new RemoteDescribedData { Id = d.Id, Info = d.Info is { } i ? ToData(i) : null },
            RemoteLookup l => new RemoteLookupData { Id = l.Id, Keys = { l.Keys } },
            RemoteFound f => new RemoteFoundData { Id = f.Id, Found = { f.Found } },
            _ => throw new ArgumentException($"{obj.GetType()} is not a proxy wire message", nameof(obj)),
        };
        return data.ToByteArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case DeliverManifest:
                return FromData(RemoteDeliverData.Parser.ParseFrom(bytes));
            case DeliveredManifest:
                return FromData(RemoteDeliveredData.Parser.ParseFrom(bytes));
            case DeliverBatchManifest:
                return new RemoteDeliverBatch(RemoteDeliverBatchData.Parser.ParseFrom(bytes).Items.Select(FromData).ToArray());
            case DescribeManifest:
                var describe = RemoteDescribeData.Parser.ParseFrom(bytes);
                return new RemoteDescribe(describe.Id, describe.Key);
            case DescribedManifest:
                var described = RemoteDescribedData.Parser.ParseFrom(bytes);
                return new RemoteDescribed(described.Id, described.Info is { } info ? FromData(info) : null);
            case DeliveredBatchManifest:
                return new RemoteDeliveredBatch(RemoteDeliveredBatchData.Parser.ParseFrom(bytes).Items.Select(FromData).ToArray());
            case LookupManifest:
                var lookup = RemoteLookupData.Parser.ParseFrom(bytes);
                return new RemoteLookup(lookup.Id, lookup.Keys.ToArray());
            case FoundManifest:
                var found = RemoteFoundData.Parser.ParseFrom(bytes);
                return new RemoteFound(found.Id, found.Found.ToArray());
            default:
                throw new System.Runtime.Serialization.SerializationException($"unknown proxy wire manifest '{manifest}'");
        }
    }

    private static RemoteDeliverData ToData(RemoteDeliver d) =>
        new() { Id = d.Id, Keys = { d.Keys }, IsText = d.Payload.IsText, Bytes = UnsafeByteOperations.UnsafeWrap(d.Payload.Bytes), Close = d.Close };

    private static RemoteDeliveredData ToData(RemoteDelivered d) => new() { Id = d.Id, Outcomes = { d.Outcomes.Select(o => (int)o) } };

    private static RemoteDeliver FromData(RemoteDeliverData d) => new(d.Id, d.Keys.ToArray(), new Payload(d.IsText, d.Bytes.ToByteArray()), d.Close);

    private static RemoteDelivered FromData(RemoteDeliveredData d) =>
        new(d.Id, d.Outcomes.Select(o => Enum.IsDefined((DeliveryOutcome)o) ? (DeliveryOutcome)o : DeliveryOutcome.Closed).ToArray());

    private static ConnectionInfoData ToData(ConnectionInfo i) => new()
    {
        Id = i.Id,
        Face = i.Face,
        ConnectedAtMs = i.ConnectedAt.ToUnixTimeMilliseconds(),
        LastActiveAtMs = i.LastActiveAt.ToUnixTimeMilliseconds(),
        Node = i.Node,
        RemoteAddress = i.RemoteAddress ?? string.Empty,
    };

    private static ConnectionInfo FromData(ConnectionInfoData i) => new(
        i.Id,
        i.Face,
        DateTimeOffset.FromUnixTimeMilliseconds(i.ConnectedAtMs),
        DateTimeOffset.FromUnixTimeMilliseconds(i.LastActiveAtMs),
        i.Node,
        i.RemoteAddress.Length == 0 ? null : i.RemoteAddress);
}
