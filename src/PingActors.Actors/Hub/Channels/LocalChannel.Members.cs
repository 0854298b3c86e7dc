using Akka.Actor;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Channels;

/// <summary>What a node-local channel keeps per member and per delivery format.</summary>
public sealed partial class LocalChannel
{
    private sealed class Member(IActorRef connection, RecoveryRequest? recovery)
    {
        public IActorRef Connection { get; } = connection;

        public RecoveryRequest? Recovery { get; } = recovery;

        /// <summary>It joined with a recovery request: it is owed an answer and a stream without holes.</summary>
        public bool Positioned => Recovery is not null;

        /// <summary>Its recovery is not answered yet: no message is its own until the answer says where it stands.</summary>
        public bool Awaiting { get; set; } = recovery is not null;

        /// <summary>Messages numbered up to this are not its own (its answer brought them); long.MaxValue: none any more.</summary>
        public long After { get; set; } = recovery is null ? 0 : long.MaxValue;

        public long RequestId { get; set; }

        /// <summary>The answer owed to it once its socket opens.</summary>
        public (bool Recovered, ChannelPosition Position)? Answer { get; set; }

        public Action<Payload>? Deliver { get; set; }

        /// <summary>Its format once its socket is open (null: a plain member in the outbox list).</summary>
        public IDeliveryFormat? Format { get; set; }

        /// <summary>Its position in the channel's outbox list while its socket is open.</summary>
        public int Slot { get; set; }

        public Queue<ChannelMessage>? Held { get; set; }

        /// <summary>
        /// Holds a message until the socket opens: a plain member keeps the newest <paramref name="max"/>; a
        /// recovering one may also hold what it missed, and is never silently cut (false: it overflowed).
        /// </summary>
        public bool Hold(ChannelMessage message, int max, int replayMax, HubMetrics metrics)
        {
            Held ??= new Queue<ChannelMessage>();
            if (Positioned)
            {
                if (Held.Count >= max + replayMax)
                {
                    return false;
                }
            }
            else if (Held.Count >= max)
            {
                Held.Dequeue();
                metrics.Session.Dropped.Inc();
            }

            Held.Enqueue(message);
            return true;
        }
    }

    private sealed class FormatGroup(IDeliveryFormat format)
    {
        public IDeliveryFormat Format { get; } = format;

        public List<Member> Members { get; } = [];

        public RecentEncodings Recent { get; } = new();
    }

    /// <summary>The newest encodings of one format, by seq of the current incarnation; bounded in count and bytes.</summary>
    private sealed class RecentEncodings
    {
        private const int MaxCount = 4096;
        private const long MaxBytes = 4 * 1024 * 1024;
        private readonly Dictionary<long, Payload> _bySeq = [];
        private readonly Queue<long> _order = new();
        private long _bytes;

        public bool TryGet(ChannelMessage message, out Payload encoded) => _bySeq.TryGetValue(message.Seq, out encoded!);

        public Payload Keep(ChannelMessage message, Payload encoded)
        {
            if (!_bySeq.TryAdd(message.Seq, encoded))
            {
                return encoded;
            }

            _order.Enqueue(message.Seq);
            _bytes += encoded.Length;
            while (_order.Count > MaxCount || _bytes > MaxBytes)
            {
                var seq = _order.Dequeue();
                _bytes -= _bySeq[seq].Length;
                _bySeq.Remove(seq);
            }

            return encoded;
        }

        public void Clear()
        {
            _bySeq.Clear();
            _order.Clear();
            _bytes = 0;
        }
    }

    /// <summary>The payload as published: a recovering member that activated without a format of its own.</summary>
    private sealed class AsPublished : IDeliveryFormat
    {
        public static readonly AsPublished Instance = new();

        public Payload Message(ChannelPosition position, Payload payload) => payload;

        public Payload Recovery(bool recovered, ChannelPosition position) => throw new NotSupportedException("no answer as published");
    }
}
