using Akka.Actor;
using PingActors.Actors.Sessions;
using PingActors.Node.Ops;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Hosting;

/// <summary>
/// Runs first when the host stops (StoppingAsync comes before any hosted service's StopAsync): refuse new
/// sockets, close the open ones with 1001 spread over the drain window. Only then does Kestrel stop
/// (with nothing left to wait for) and Akka leave the cluster.
/// </summary>
public sealed class ShutdownDrainService(NodeSessions sessions, NodeStatus status, ActorSystem system, NodeSetup setup, ILogger<ShutdownDrainService> log) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (status.DownedByCluster || system.WhenTerminated.IsCompleted)
        {
            // Downed by the cluster: the connections were closed before the ActorSystem went, and there is
            // no supervisor left to ask (the Ask would only wait out its timeout).
            return;
        }

        sessions.Draining = true;
        var bound = setup.DrainBound;
        try
        {
            await sessions.Supervisor.Ask<Drained>(new Drain(setup.Node.DrainWindow), bound, cancellationToken);
            log.LogInformation("All connections closed");
            await sessions.AfterDrainAsync();
        }
        catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
        {
            log.LogWarning("Connections still open after {Bound}; stopping anyway", bound);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
