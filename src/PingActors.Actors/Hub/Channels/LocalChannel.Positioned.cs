using Akka.Actor;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// The members that want positions (<see cref="Join.Recovery"/>, <see cref="Activate.Format"/>): each message
/// encoded once per format, a recovering member's answer, what it missed (asked of the entity), then live.
/// </summary>
public sealed partial class LocalChannel
{
    // The channel's numbering restarted (a crash, or a hand-off whose state was not adopted): positions a
    // member was given mean nothing in the new epoch, and what it missed in between is gone, so it is
    // closed as on a gap; it reconnects with its position and is told recovered:false.
    private void EndPositionedMembers()
    {
        foreach (var member in _members.Values)
        {
            if (member.Positioned && !member.Awaiting && member.After != long.MaxValue)
            {
                member.After = long.MaxValue;
                member.Connection.Tell(ChannelGap.Instance);
            }
        }
    }

    private void StartRecovery(Member member)
    {
        if (member.RequestId != 0)
        {
            _recovering.Remove(member.RequestId);
            member.RequestId = 0;
        }

        if (member.Recovery!.Since is not { } since)
        {
            // Nothing asked: the stream starts here.
            Resolve(member, true, new ChannelPosition(_epoch, _lastSeq), _lastSeq, []);
            return;
        }

        member.RequestId = ++_nextRequest;
        _recovering.Add(member.RequestId, member);
        ChannelEpoch.TryParse(since.Epoch, out var incarnation);
        (_entity ?? _region).Tell(new Recover(_channel, member.RequestId, incarnation, since.Seq));
    }

    private void OnRecovered(Recovered r)
    {
        if (!_recovering.Remove(r.RequestId, out var member))
        {
            return; // it left, or this answers a request asked again since
        }

        member.RequestId = 0;
        if (r.Incarnation != _incarnation)
        {
            // Answered by an incarnation this channel has left (or not reached yet): its numbers do not
            // line up with the live stream here; the next confirmed subscription asks again.
            if (_subscribed)
            {
                StartRecovery(member);
            }

            return;
        }

        var since = member.Recovery!.Since!.Value;
        if (r.Complete)
        {
            _metrics.Recovered.Inc();
            Resolve(member, true, new ChannelPosition(_epoch, since.Seq), r.LastSeq, r.Missed);
        }
        else
        {
            _metrics.NotRecovered.Inc();
            Resolve(member, false, new ChannelPosition(_epoch, r.LastSeq), r.LastSeq, []);
        }
    }

    // The member's answer is known: it gets the answer, then the missed messages, then every live message
    // numbered after liveAfter (everything up to it is either missed or was sent before the answer).
    private void Resolve(Member member, bool recovered, ChannelPosition position, long liveAfter, IReadOnlyList<ChannelMessage> missed)
    {
        member.Awaiting = false;
        member.After = liveAfter;
        if (member.Deliver is null)
        {
            member.Answer = (recovered, position);
            if (missed.Count > 0)
            {
                member.Held ??= new Queue<ChannelMessage>(missed.Count);
                foreach (var message in missed)
                {
                    member.Held.Enqueue(message);
                }
            }

            return;
        }

        var format = member.Format!;
        SendAnswer(member, format, recovered, position);
        foreach (var message in missed)
        {
            member.Deliver(Encode(format, message));
        }

        _metrics.Delivered.Inc(missed.Count);
    }

    private static void SendAnswer(Member member, IDeliveryFormat format, bool recovered, ChannelPosition position)
    {
        if (format is not AsPublished)
        {
            member.Deliver!(format.Recovery(recovered, position));
        }
    }

    private string EpochOf(ChannelMessage message) => message.Incarnation == _incarnation ? _epoch : ChannelEpoch.Of(message.Incarnation);

    // A missed or held message for one member: the encoding its format's live members got, if it is still
    // among the recent ones (clients reconnecting at once all miss the same messages: encoded once, not once
    // per client).
    private Payload Encode(IDeliveryFormat format, ChannelMessage message)
    {
        if (format is AsPublished || message.Incarnation != _incarnation)
        {
            return format.Message(new ChannelPosition(EpochOf(message), message.Seq), message.Payload);
        }

        foreach (var group in _formats)
        {
            if (ReferenceEquals(group.Format, format))
            {
                return group.Recent.TryGet(message, out var encoded)
                    ? encoded
                    : group.Recent.Keep(message, format.Message(new ChannelPosition(EpochOf(message), message.Seq), message.Payload));
            }
        }

        return format.Message(new ChannelPosition(EpochOf(message), message.Seq), message.Payload);
    }

    private void JoinFormatGroup(Member member, IDeliveryFormat format)
    {
        foreach (var group in _formats)
        {
            if (ReferenceEquals(group.Format, format))
            {
                group.Members.Add(member);
                return;
            }
        }

        _formats.Add(new FormatGroup(format) { Members = { member } });
    }

    private void LeaveFormatGroup(Member member)
    {
        for (var i = 0; i < _formats.Count; i++)
        {
            var group = _formats[i];
            if (ReferenceEquals(group.Format, member.Format) && group.Members.Remove(member))
            {
                if (group.Members.Count == 0)
                {
                    _formats.RemoveAt(i);
                }

                return;
            }
        }
    }

    // Encodes the message once per format, for the first member of that format that is owed it.
    private void DeliverPositioned(ChannelMessage message)
    {
        var position = new ChannelPosition(_epoch, message.Seq);
        var delivered = 0;
        foreach (var group in _formats)
        {
            Payload? encoded = null;
            foreach (var member in group.Members)
            {
                if (message.Seq <= member.After)
                {
                    continue; // recovering: its answer brings this one; or ended
                }

                encoded ??= group.Recent.Keep(message, group.Format.Message(position, message.Payload));
                member.Deliver!(encoded);
                delivered++;
            }
        }

        _metrics.Delivered.Inc(delivered);
    }
}
