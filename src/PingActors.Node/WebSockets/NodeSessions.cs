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

    private readonly List<Func<Task>> _afterDrain = [];

    /// <summary>Set once shutdown starts: new sessions are refused with 503 from then on.</summary>
    public bool Draining { get; set; }

    /// <summary>Adds what a drain waits for once the sockets are closed (the proxy's close callbacks); called at start only.</summary>
    public void AfterDrain(Func<Task> wait) => _afterDrain.Add(wait);

    /// <summary>Runs what <see cref="AfterDrain"/> added; each bounds its own wait.</summary>
    public async Task AfterDrainAsync()
    {
        foreach (var wait in _afterDrain)
        {
            try
            {
                await wait();
            }
            catch (TimeoutException)
            {
                // Bounded on purpose: the shutdown goes on.
            }
        }
    }
}
