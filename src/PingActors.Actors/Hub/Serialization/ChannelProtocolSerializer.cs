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
    private const string RecoverManifest = "RC";
    private const string RecoveredManifest = "RD";

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
        Recover => RecoverManifest,
        Recovered => RecoveredManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a channel wire message", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        ChannelMessage m => ToData(m).ToByteArray(),
        Publish p => new PublishData { Channel = p.Channel, Payload = ToData(p.Payload) }.ToByteArray(),
        Published p => new PublishedData { Channel = p.Channel, Incarnation = p.Incarnation, Seq = p.Seq, Nodes = p.Nodes }.ToByteArray(),
        Subscribe s => new SubscribeData
        {
            Channel = s.Channel,
            Subscriber = Akka.Serialization.Serialization.SerializedActorPath(s.Subscriber),
            ResumeIncarnation = s.ResumeIncarnation,
            ResumeAfterSeq = s.ResumeAfterSeq,
            Handoff = ToData(s.Handoff),
        }.ToByteArray(),
        Subscribed s => new SubscribedData { Channel = s.Channel, Incarnation = s.Incarnation, LastSeq = s.LastSeq, Gap = s.Gap }.ToByteArray(),
        Resubscribe r => new ResubscribeData { Channel = r.Channel, Handoff = ToData(r.Handoff) }.ToByteArray(),
        StopChannel => [],
        Delivered d => new DeliveredData { Channel = d.Channel, Incarnation = d.Incarnation, Seq = d.Seq }.ToByteArray(),
        Recover r => new RecoverData { Channel = r.Channel, RequestId = r.RequestId, Incarnation = r.Incarnation, AfterSeq = r.AfterSeq }.ToByteArray(),
        Recovered r => ToData(r).ToByteArray(),
        _ => throw new ArgumentException($"{obj.GetType()} is not a channel wire message", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case MessageManifest:
                return FromData(ChannelMessageData.Parser.ParseFrom(bytes));
            case PublishManifest:
                var p = PublishData.Parser.ParseFrom(bytes);
                return new Publish(p.Channel, FromData(p.Payload));
            case PublishedManifest:
                var pd = PublishedData.Parser.ParseFrom(bytes);
                return new Published(pd.Channel, pd.Incarnation, pd.Seq, pd.Nodes);
            case SubscribeManifest:
                var s = SubscribeData.Parser.ParseFrom(bytes);
                return new Subscribe(s.Channel, system.Provider.ResolveActorRef(s.Subscriber), s.ResumeIncarnation, s.ResumeAfterSeq, FromData(s.Handoff));
            case SubscribedManifest:
                var sd = SubscribedData.Parser.ParseFrom(bytes);
                return new Subscribed(sd.Channel, sd.Incarnation, sd.LastSeq, sd.Gap);
            case ResubscribeManifest:
                var r = ResubscribeData.Parser.ParseFrom(bytes);
                return new Resubscribe(r.Channel, FromData(r.Handoff));
            case StopManifest:
                return StopChannel.Instance;
            case DeliveredManifest:
                var dd = DeliveredData.Parser.ParseFrom(bytes);
                return new Delivered(dd.Channel, dd.Incarnation, dd.Seq);
            case RecoverManifest:
                var rc = RecoverData.Parser.ParseFrom(bytes);
                return new Recover(rc.Channel, rc.RequestId, rc.Incarnation, rc.AfterSeq);
            case RecoveredManifest:
                var rd = RecoveredData.Parser.ParseFrom(bytes);
                return new Recovered(rd.Channel, rd.RequestId, rd.Incarnation, rd.LastSeq, rd.Complete, rd.Missed.Select(FromData).ToList());
            default:
                throw new System.Runtime.Serialization.SerializationException($"Unknown channel wire manifest [{manifest}]");
        }
    }

    private static ChannelMessageData ToData(ChannelMessage m) =>
        new() { Channel = m.Channel, Incarnation = m.Incarnation, Seq = m.Seq, Payload = ToData(m.Payload) };

    private static ChannelMessage FromData(ChannelMessageData m) => new(m.Channel, m.Incarnation, m.Seq, FromData(m.Payload));

    private static HandoffData? ToData(ChannelHandoff? h)
    {
        if (h is null)
        {
            return null;
        }

        var data = new HandoffData { Incarnation = h.Incarnation, LastSeq = h.LastSeq };
        data.Messages.AddRange(h.Messages.Select(ToData));
        return data;
    }

    private static ChannelHandoff? FromData(HandoffData? h) =>
        h is null ? null : new ChannelHandoff(h.Incarnation, h.LastSeq, h.Messages.Select(FromData).ToList());

    private static RecoveredData ToData(Recovered r)
    {
        var data = new RecoveredData { Channel = r.Channel, RequestId = r.RequestId, Incarnation = r.Incarnation, LastSeq = r.LastSeq, Complete = r.Complete };
        data.Missed.AddRange(r.Missed.Select(ToData));
        return data;
    }

    private static PayloadData ToData(Payload payload) =>
        new() { IsText = payload.IsText, Bytes = UnsafeByteOperations.UnsafeWrap(payload.Bytes) };

    private static Payload FromData(PayloadData? data) =>
        data is null ? Payload.EmptyText : new Payload(data.IsText, data.Bytes.ToByteArray());
}
