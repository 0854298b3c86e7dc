using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace PingActors.Actors.Dispatch;

/// <summary>
/// Every place the node reaches past Akka's public API, in one file, so an Akka upgrade has one place to
/// check; tests/PingActors.Tests/Dispatch/AkkaInternalsSpecs.cs fails if what these rely on changes.
/// </summary>
internal static class AkkaInternals
{
    /// <summary>
    /// The message queue of the actor whose context this is. Akka creates it from the actor's mailbox type but
    /// exposes it only on <see cref="ActorCell"/>; the node-local channels tell theirs their socket count.
    /// </summary>
    public static IMessageQueue? MessageQueueOf(IActorContext context) => (context as ActorCell)?.Mailbox?.MessageQueue;

    /// <summary>
    /// The queue of a mailbox run that a dispatcher hands its executor: Akka hands the <see cref="Mailbox"/>
    /// itself as the <see cref="IRunnable"/>, so an executor can choose a thread by what the queue holds.
    /// </summary>
    public static IMessageQueue? MessageQueueOf(IRunnable run) => (run as Mailbox)?.MessageQueue;

    /// <summary>
    /// Akka's fork-join executor (the dedicated threads of a <c>ForkJoinDispatcher</c>), produced from a
    /// dispatcher's <c>dedicated-thread-pool</c> section, for an executor of ours to own and shut down.
    /// </summary>
    /// <remarks>
    /// Akka keeps that executor internal; a dispatcher configurator can still ask for it through its protected
    /// <see cref="MessageDispatcherConfigurator.ConfigureExecutor"/>. Wrapping a whole <c>ForkJoinDispatcher</c>
    /// instead costs an allocation and two interlocked counts per hand-off (<c>MessageDispatcher.Schedule</c>
    /// counts each task as an inhabitant), and a dispatcher with no actors of its own shuts its threads down
    /// <c>shutdown-timeout</c> after its last task: the threads were torn down and started again after every
    /// second of quiet.
    /// </remarks>
    public static ExecutorService DedicatedThreads(string id, Config dispatcherConfig, IDispatcherPrerequisites prerequisites) =>
        ExecutorOnly.Produce(id, dispatcherConfig, prerequisites);

    private sealed class ExecutorOnly : MessageDispatcherConfigurator
    {
        private ExecutorOnly(Config dispatcherConfig, IDispatcherPrerequisites prerequisites)
            : base(ConfigurationFactory.ParseString("executor = fork-join-executor").WithFallback(dispatcherConfig), prerequisites)
        {
        }

        public static ExecutorService Produce(string id, Config dispatcherConfig, IDispatcherPrerequisites prerequisites) =>
            new ExecutorOnly(dispatcherConfig, prerequisites).ConfigureExecutor().Produce(id);

        public override MessageDispatcher Dispatcher() =>
            throw new NotSupportedException("AkkaInternals.DedicatedThreads produces an executor, not a dispatcher");
    }
}
