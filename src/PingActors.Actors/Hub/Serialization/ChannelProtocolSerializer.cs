using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;
using PingActors.Actors.Hub.Serialization.Proto;

namespace PingActors.Actors.Hub.Serialization;

/// <summary>
/// Protobuf serializer for every channel message that crosses nodes (<see cref="IChannelWireMessage"/>),
/// bound in hocon/reference.conf. Short string manifests keep the per-message overhead small; the
/// payload bytes are wrapped, not copied, when writing.
/// </summary>
public sealed class ChannelProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 4711;

    private const string SubscribeManifest = "S";
    private const string PublishManifest = "P";
    private const string SubscribedManifest = "SD";
    private const string PublishedManifest = "PD";
    private const string MessageManifest = "M";
    private const string ResubscribeManifest = "R";
    private const string StopManifest = "X";
    private const string DeliveredManifest = "D";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        ChannelMessage => MessageManifest,
        Publish => PublishManifest,
        Published => PublishedManifest,
        Subscribe => SubscribeManifest,
        Subscribed => SubscribedManifest,
        Resubscribe => ResubscribeManifest,
        StopChannel => StopManifest,
        Delivered => DeliveredManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a channel wire message", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        ChannelMessage m => new ChannelMessageData { Channel = m.Channel, Incarnation = m.Incarnation, Seq = m.Seq, Payload = ToData(m.Payload) }.ToByteArray(),
        Publish p => new PublishData { Channel = p.Channel, Payload = ToData(p.Payload) }.ToByteArray(),
        Published p => new PublishedData { Channel = p.Channel, Incarnation = p.Incarnation, Seq = p.Seq, Nodes = p.Nodes }.ToByteArray(),
        Subscribe s => new SubscribeData
        {
            Channel = s.Channel,
            Subscriber = Akka.Serialization.Serialization.SerializedActorPath(s.Subscriber),
            ResumeIncarnation = s.ResumeIncarnation,
            ResumeAfterSeq = s.ResumeAfterSeq,
        }.ToByteArray(),
        Subscribed s => new SubscribedData { Channel = s.Channel, Incarnation = s.Incarnation, LastSeq = s.LastSeq, Gap = s.Gap }.ToByteArray(),
        Resubscribe r => new ResubscribeData { Channel = r.Channel }.ToByteArray(),
        StopChannel => [],
        Delivered d => new DeliveredData { Channel = d.Channel, Incarnation = d.Incarnation, Seq = d.Seq }.ToByteArray(),
        _ => throw new ArgumentException($"{obj.GetType()} is not a channel wire message", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case MessageManifest:
                var m = ChannelMessageData.Parser.ParseFrom(bytes);
                return new ChannelMessage(m.Channel, m.Incarnation, m.Seq, FromData(m.Payload));
            case PublishManifest:
                var p = PublishData.Parser.ParseFrom(bytes);
                return new Publish(p.Channel, FromData(p.Payload));
            case PublishedManifest:
                var pd = PublishedData.Parser.ParseFrom(bytes);
                return new Published(pd.Channel, pd.Incarnation, pd.Seq, pd.Nodes);
            case SubscribeManifest:
                var s = SubscribeData.Parser.ParseFrom(bytes);
                return new Subscribe(s.Channel, system.Provider.ResolveActorRef(s.Subscriber), s.ResumeIncarnation, s.ResumeAfterSeq);
            case SubscribedManifest:
                var sd = SubscribedData.Parser.ParseFrom(bytes);
                return new Subscribed(sd.Channel, sd.Incarnation, sd.LastSeq, sd.Gap);
            case ResubscribeManifest:
                return new Resubscribe(ResubscribeData.Parser.ParseFrom(bytes).Channel);
            case StopManifest:
                return StopChannel.Instance;
            case DeliveredManifest:
                var dd = DeliveredData.Parser.ParseFrom(bytes);
                return new Delivered(dd.Channel, dd.Incarnation, dd.Seq);
            default:
                throw new System.Runtime.Serialization.SerializationException($"Unknown channel wire manifest [{manifest}]");
        }
    }

    private static PayloadData ToData(Payload payload) =>
        new() { IsText = payload.IsText, Bytes = UnsafeByteOperations.UnsafeWrap(payload.Bytes) };

    private static Payload FromData(PayloadData? data) =>
        data is null ? Payload.EmptyText : new Payload(data.IsText, data.Bytes.ToByteArray());
}
