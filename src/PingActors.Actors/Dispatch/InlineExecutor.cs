using Akka.Configuration;
using Akka.Dispatch;

namespace PingActors.Actors.Dispatch;

/// <summary>
/// Runs an actor's mailbox on the thread-pool thread that sent it a message, instead of handing it to
/// another thread. The channel entities and the shard machinery in front of them do a few microseconds of
/// work per publish; waking another thread for that and waking the publisher's thread again for the answer
/// cost more than the work, and made a POST's round trip three thread hand-offs long
/// (docs/benchmarks-log.md, "Sequencing a POST on its own thread").
/// </summary>
/// <remarks>
/// A thread already running a mailbox queues the next one and runs it once the first is done (a
/// trampoline), so an actor telling another never nests and the stack stays flat. After
/// <c>inline-executor.max-runs</c> mailbox runs the rest goes to the thread pool, so a thread that
/// happens to find a long queue does not serve everyone else's messages for long. Threads outside the
/// pool (Akka's scheduler, remoting, dedicated dispatchers) never run mailboxes here: their work is
/// handed to the pool, as a default dispatcher would.
/// </remarks>
public sealed class InlineExecutor : ExecutorService
{
    private readonly Trampoline _trampoline;

    public InlineExecutor(string id, int maxRuns)
        : base(id) => _trampoline = new Trampoline(maxRuns, ToPool);

    public override void Execute(IRunnable run)
    {
        if (Thread.CurrentThread.IsThreadPoolThread)
        {
            _trampoline.Run(run);
        }
        else
        {
            ToPool(run);
        }
    }

    public override void Shutdown()
    {
        // Owns no threads. The thread-local trampolines are left to the garbage collector: a mailbox may
        // still be running on one while the dispatcher shuts its executor down.
    }

    private static void ToPool(IRunnable run) => ThreadPool.UnsafeQueueUserWorkItem(static r => r.Run(), run, preferLocal: false);
}

/// <summary>
/// Makes <see cref="InlineExecutor"/> a dispatcher's executor in HOCON:
/// <c>executor = "PingActors.Actors.Dispatch.InlineExecutorConfigurator, PingActors.Actors"</c>, with
/// <c>inline-executor.max-runs</c> (default 64).
/// </summary>
public sealed class InlineExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
{
    public const int DefaultMaxRuns = 64;

    public override ExecutorService Produce(string id)
    {
        var maxRuns = Config.GetInt("inline-executor.max-runs", DefaultMaxRuns);
        if (maxRuns < 1)
        {
            throw new ConfigurationException($"{id}.inline-executor.max-runs must be at least 1, got {maxRuns}");
        }

        return new InlineExecutor(id, maxRuns);
    }
}
