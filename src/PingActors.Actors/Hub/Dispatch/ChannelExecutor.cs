using Akka.Configuration;
using Akka.Dispatch;
using PingActors.Actors.Dispatch;

namespace PingActors.Actors.Hub.Dispatch;

/// <summary>
/// The channel dispatcher's executor: threads of its own for the node-local channels, except that a
/// channel with few sockets on this node runs on the thread-pool thread that sent it the message (the
/// publisher's request, through its entity), like <see cref="InlineExecutor"/>.
/// </summary>
/// <remarks>
/// A big channel's fan-out belongs on the channel threads: there it runs beside the stream hosts that
/// write its frames, and their lag behind it is what packs several frames into one <c>send</c>. A small
/// channel has nothing to pack, and the hop to the channel thread (waiting for that one thread to be
/// scheduled) was most of its latency tail (docs/benchmarks-log.md, "Small channels on the
/// publisher's thread"). The size is the channel's socket count, which it keeps in its queue
/// (<see cref="BacklogMessageQueue.Weight"/>); a mailbox may switch between the two as the channel grows or
/// shrinks, which is safe because a mailbox runs on one thread at a time whoever runs it. Told from inside
/// the entity's receive (another executor, another trampoline), the channel's run nests in the entity's,
/// as runs do under Akka's CallingThreadDispatcher: the cell sets the thread's current actor for its run
/// and puts the caller's back after it, so the entity still answers its own sender.
/// </remarks>
public sealed class ChannelExecutor : ExecutorService
{
    private readonly ExecutorService _threads;
    private readonly int _inlineMaxSockets;
    private readonly Trampoline _trampoline;

    public ChannelExecutor(string id, ExecutorService threads, int inlineMaxSockets, int maxRuns)
        : base(id)
    {
        _threads = threads;
        _inlineMaxSockets = inlineMaxSockets;
        _trampoline = new Trampoline(maxRuns, threads.Execute);
    }

    public override void Execute(IRunnable run)
    {
        if (_inlineMaxSockets > 0
            && AkkaInternals.MessageQueueOf(run) is BacklogMessageQueue { RunsInlineWhenSmall: true } queue
            && queue.Weight <= _inlineMaxSockets
            && Thread.CurrentThread.IsThreadPoolThread)
        {
            _trampoline.Run(run);
        }
        else
        {
            _threads.Execute(run);
        }
    }

    public override void Shutdown() => _threads.Shutdown();
}

/// <summary>
/// Makes <see cref="ChannelExecutor"/> a dispatcher's executor in HOCON:
/// <c>executor = "PingActors.Actors.Dispatch.ChannelExecutorConfigurator, PingActors.Actors"</c>, with
/// threads of its own from <c>dedicated-thread-pool</c> (as a <c>ForkJoinDispatcher</c>'s),
/// <c>channel-executor.inline-max-sockets</c> (0: every channel on the threads) and
/// <c>channel-executor.max-runs</c> (as <c>inline-executor.max-runs</c>).
/// </summary>
public sealed class ChannelExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id)
    {
        var inlineMaxSockets = Config.GetInt("channel-executor.inline-max-sockets", 0);
        var maxRuns = Config.GetInt("channel-executor.max-runs", InlineExecutorConfigurator.DefaultMaxRuns);
        if (inlineMaxSockets < 0)
        {
            throw new ConfigurationException($"{id}.channel-executor.inline-max-sockets must be 0 or more, got {inlineMaxSockets}");
        }

        if (maxRuns < 1)
        {
            throw new ConfigurationException($"{id}.channel-executor.max-runs must be at least 1, got {maxRuns}");
        }

        return new ChannelExecutor(id, AkkaInternals.DedicatedThreads(id, Config, Prerequisites), inlineMaxSockets, maxRuns);
    }
}
