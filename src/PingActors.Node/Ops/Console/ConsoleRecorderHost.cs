using Akka.Actor;
using PingActors.Actors.Hub;
using PingActors.Node.Hub;

namespace PingActors.Node.Ops.Console;

/// <summary>
/// Starts this node's <see cref="ConsoleRecorder"/> with the node, not with the first page: its history is there
/// when a console is opened, and other members' consoles can ask it before anyone opens this node's.
/// </summary>
public sealed class ConsoleRecorderHost(ActorSystem system, HubMetrics metrics, HubRuntime runtime, NodeMetrics nodeMetrics) : IHostedService
{
    private IActorRef? _recorder;

    public IActorRef Recorder => _recorder ?? throw new InvalidOperationException("the console recorder starts with the node");

    /// <summary>Adds the recorder and the console's endpoint to the node's services.</summary>
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<ConsoleRecorderHost>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleRecorderHost>());
        services.AddSingleton<ConsoleEndpoint>();
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _recorder = system.ActorOf(ConsoleRecorder.PropsFor(metrics, runtime, new SessionTotals(nodeMetrics.Registry)), ConsoleRecorder.Name);
        return Task.CompletedTask;
    }

    // The recorder stops with the ActorSystem.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
