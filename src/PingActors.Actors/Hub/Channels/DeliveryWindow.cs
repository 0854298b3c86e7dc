using Akka.Actor;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// How far the channel's slowest subscribing node is behind in handing messages to its sockets, and the POST
/// answers a <see cref="ChannelEntity"/> holds while that is more than the window
/// (<c>pingactors.hub.publish-window</c>). A node's own publishers wait on its own fan-out backlog; this carries
/// the same pacing across nodes, so a publisher anywhere runs ahead of the slowest node by the window at most.
/// </summary>
internal sealed class DeliveryWindow(int window)
{
    private readonly Dictionary<IActorRef, long> _delivered = [];
    private readonly Queue<(IActorRef Asker, Published Answer)> _held = new();

    /// <summary>Answers are being held; later ones queue behind them, so publishers are answered in order.</summary>
    public bool Holding => _held.Count > 0;

    /// <summary>How often a node-local channel reports what it delivered: a quarter of the window, so it reports again before the window fills.</summary>
    public static long ReportEvery(int window) => Math.Max(1, window / 4);

    public void Track(IActorRef subscriber, long deliveredUpTo) => _delivered[subscriber] = deliveredUpTo;

    public void Forget(IActorRef subscriber) => _delivered.Remove(subscriber);

    public void Delivered(IActorRef subscriber, long seq)
    {
        if (_delivered.TryGetValue(subscriber, out var known) && seq > known)
        {
            _delivered[subscriber] = seq;
        }
    }

    /// <summary>True when every subscribing node is within the window of <paramref name="lastSeq"/>.</summary>
    public bool IsOpen(long lastSeq)
    {
        if (window == 0)
        {
            return true;
        }

        foreach (var delivered in _delivered.Values)
        {
            if (lastSeq - delivered > window)
            {
                return false;
            }
        }

        return true;
    }

    public void Hold(IActorRef asker, Published answer) => _held.Enqueue((asker, answer));

    /// <summary>Sends every held answer, in order.</summary>
    public void Release()
    {
        while (_held.TryDequeue(out var held))
        {
            held.Asker.Tell(held.Answer);
        }
    }
}
