using Akka.Actor;
using Akka.Hosting;
using PingActors.Actors.Channels;
using PingActors.Actors.Connections;
using PingActors.Actors.Dispatch;

namespace PingActors.Node.Hosting;

/// <summary>The node's actors as the HTTP side needs them, resolved once from the Akka.Hosting registry.</summary>
public sealed class HubRuntime(ActorRegistry registry, ActorSystem system)
{
    private readonly Lazy<IActorRef> _supervisor = new(registry.Get<ConnectionSupervisor>);
    private readonly Lazy<IActorRef> _region = new(registry.Get<ChannelRegion>);

    public ActorSystem System { get; } = system;

    public IActorRef Connections => _supervisor.Value;

    public IActorRef ChannelRegion => _region.Value;

    /// <summary>What waits for the node's channel threads; POST answers wait on it (pingactors.hub.publish-backlog).</summary>
    public FanoutBacklog Backlog { get; } = FanoutBacklog.For(system);

    /// <summary>Replay kept by channels with no subscriber (pingactors.hub.replay.unsubscribed-max-bytes).</summary>
    public UnsubscribedReplay UnsubscribedReplay { get; } = UnsubscribedReplay.For(system);

    /// <summary>True once this node has been an Up member of its cluster.</summary>
    public bool JoinedCluster { get; set; }

    /// <summary>Set when the cluster downed this node: the ActorSystem shuts itself down, the node exits non-zero.</summary>
    public bool DownedByCluster { get; set; }

    /// <summary>Set once shutdown starts: new connections are refused with 503 from then on.</summary>
    public bool Draining { get; set; }
}
