namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// Where a message stands in its channel, as clients see it: the channel's epoch (which changes only when
/// the channel's numbering restarts, so positions of different epochs are never compared) and the message's
/// sequence number within it.
/// </summary>
public readonly record struct ChannelPosition(string Epoch, long Seq)
{
    /// <summary>The form clients carry back: <c>epoch:seq</c> (SSE's event id and Last-Event-ID).</summary>
    public override string ToString() => Epoch + ":" + Seq;
}
