using Akka.Actor;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// The bytes of replay this node's channel entities keep while they have no subscriber, against a
/// node-wide limit (<c>pingactors.hub.replay.unsubscribed-max-bytes</c>). Such a channel keeps its
/// messages only for a node that resumes it after a hand-off or a crash, and anyone can POST to any
/// path: without a bound, a stream of POSTs to fresh paths holds every body until each channel idles
/// out (a single client held 1.6 GB within 5 s of 64 KiB POSTs, docs/benchmarks-log.md).
/// </summary>
public sealed class UnsubscribedReplay : IExtension
{
    private long _bytes;

    public static UnsubscribedReplay For(ActorSystem system) => system.WithExtension<UnsubscribedReplay, UnsubscribedReplayProvider>();

    /// <summary>Bytes held now by channels without a subscriber.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Counts <paramref name="bytes"/> in if that keeps the total within <paramref name="limit"/>.</summary>
    internal bool TryTake(long bytes, long limit)
    {
        while (true)
        {
            var held = Volatile.Read(ref _bytes);
            if (held + bytes > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _bytes, held + bytes, held) == held)
            {
                return true;
            }
        }
    }

    internal void Release(long bytes) => Interlocked.Add(ref _bytes, -bytes);
}

/// <summary>Creates the node's one <see cref="UnsubscribedReplay"/>.</summary>
public sealed class UnsubscribedReplayProvider : ExtensionIdProvider<UnsubscribedReplay>
{
    public override UnsubscribedReplay CreateExtension(ExtendedActorSystem system) => new();
}
