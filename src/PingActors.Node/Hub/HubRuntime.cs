using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using PingActors.Actors.Hub;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Hub.Dispatch;

namespace PingActors.Node.Hub;

/// <summary>The hub's actors as its endpoint needs them, resolved once from the Akka.Hosting registry.</summary>
public sealed class HubRuntime(ActorRegistry registry, ActorSystem system, HubFeatureSettings settings, HubMetrics metrics)
{
    private readonly Lazy<HubContext> _context = new(() => HubContext.Start(
        registry.Get<LocalChannelHub>(),
        registry.Get<ChannelRegion>(),
        settings.Settings,
        metrics,
        system));

    /// <summary>What every hub session gets: the channels, the settings, the stream hosts (started on first use).</summary>
    public HubContext Context => _context.Value;

    public IActorRef ChannelRegion => Context.ChannelRegion;

    /// <summary>What waits for the node's channel threads; POST answers wait on it (pingactors.hub.publish-backlog).</summary>
    public FanoutBacklog Backlog { get; } = FanoutBacklog.For(system);

    /// <summary>Replay kept by channels with no subscriber (pingactors.hub.replay.unsubscribed-max-bytes).</summary>
    public UnsubscribedReplay UnsubscribedReplay { get; } = UnsubscribedReplay.For(system);
}
