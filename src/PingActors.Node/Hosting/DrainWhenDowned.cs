using Akka;
using Akka.Actor;
using PingActors.Actors.Sessions;
using PingActors.Node.Ops;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Hosting;

/// <summary>
/// A node the cluster downs (the other side of a partition removed it, or it was paused too long) runs
/// Akka's CoordinatedShutdown on its own, and the ActorSystem is gone before the host's drain
/// (<see cref="ShutdownDrainService"/>) gets to run: its clients would wait on sockets that no longer
/// deliver anything, then see them aborted. So close them first, as on SIGTERM (1001, spread over the drain
/// window), in CoordinatedShutdown's first phase; the host then stops and the node exits non-zero
/// (Program.cs) so a supervisor restarts it and it joins again.
/// </summary>
public static class DrainWhenDowned
{
    public static void Register(ActorSystem system, NodeSessions sessions, NodeStatus status, TimeSpan drainWindow, TimeSpan bound, ILogger log)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "pingactors-drain-when-downed", async () =>
        {
            if (shutdown.ShutdownReason is not CoordinatedShutdown.ClusterDowningReason)
            {
                return Done.Instance;
            }

            log.LogError("PingActors node was downed by the cluster; closing its connections and stopping (it can be restarted to join again)");
            status.DownedByCluster = true;
            sessions.Draining = true;
            try
            {
                await sessions.Supervisor.Ask<Drained>(new Drain(drainWindow), bound);
                await sessions.AfterDrainAsync();
            }
            catch (AskTimeoutException)
            {
                log.LogWarning("Connections still open after {Bound}; stopping anyway", bound);
            }

            return Done.Instance;
        });
    }
}
