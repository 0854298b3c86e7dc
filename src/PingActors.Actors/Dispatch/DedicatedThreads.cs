using Akka.Configuration;
using Akka.Dispatch;

namespace PingActors.Actors.Dispatch;

/// <summary>
/// Akka's fork-join executor (the dedicated threads of a <c>ForkJoinDispatcher</c>), produced from a
/// dispatcher's <c>dedicated-thread-pool</c> section, for an executor of ours to own and shut down.
/// </summary>
/// <remarks>
/// Akka keeps that executor internal; a dispatcher configurator can still ask for it through its protected
/// <see cref="MessageDispatcherConfigurator.ConfigureExecutor"/>, which is all this class is for. Wrapping
/// a whole <c>ForkJoinDispatcher</c> instead, as the channel executor first did, costs an allocation and two
/// interlocked counts per hand-off (<c>MessageDispatcher.Schedule</c> counts each task as an inhabitant),
/// and a dispatcher with no actors of its own shuts its threads down <c>shutdown-timeout</c> after its
/// last task: the channel threads were torn down and started again after every second of quiet.
/// </remarks>
internal sealed class DedicatedThreads : MessageDispatcherConfigurator
{
    private DedicatedThreads(Config dispatcherConfig, IDispatcherPrerequisites prerequisites)
        : base(ConfigurationFactory.ParseString("executor = fork-join-executor").WithFallback(dispatcherConfig), prerequisites)
    {
    }

    public static ExecutorService Produce(string id, Config dispatcherConfig, IDispatcherPrerequisites prerequisites) =>
        new DedicatedThreads(dispatcherConfig, prerequisites).ConfigureExecutor().Produce(id);

    public override MessageDispatcher Dispatcher() =>
        throw new NotSupportedException("DedicatedThreads produces an executor, not a dispatcher");
}
