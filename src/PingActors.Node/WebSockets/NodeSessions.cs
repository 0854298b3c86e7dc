using Akka.Actor;
using Akka.Hosting;
using PingActors.Actors.Sessions;

namespace PingActors.Node.WebSockets;

/// <summary>The node's session supervisor as the HTTP side needs it, and whether new sessions are still taken.</summary>
public sealed class NodeSessions(ActorRegistry registry)
{
    private readonly Lazy<IActorRef> _supervisor = new(registry.Get<SessionSupervisor>);

    /// <summary>The one <see cref="SessionSupervisor"/> of the node, parent of every feature's sessions.</summary>
    public IActorRef Supervisor => _supervisor.Value;

    /// <summary>Set once shutdown starts: new sessions are refused with 503 from then on.</summary>
    public bool Draining { get; set; }
}
