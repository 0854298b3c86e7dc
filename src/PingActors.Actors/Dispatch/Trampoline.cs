using Akka.Dispatch;

namespace PingActors.Actors.Dispatch;

/// <summary>
/// Runs mailboxes on the calling thread, one after another: a thread already running one queues the next
/// and runs it once the first is done, so an actor telling another never nests and the stack stays flat.
/// After <c>maxRuns</c> runs in a row the rest goes to <c>elsewhere</c>, so a thread that happens to find
/// a long queue does not serve everyone else's messages for long.
/// </summary>
internal sealed class Trampoline(int maxRuns, Action<IRunnable> elsewhere)
{
    private readonly ThreadLocal<State> _state = new(() => new State());

    public void Run(IRunnable run)
    {
        var state = _state.Value!;
        if (state.Running)
        {
            state.Pending.Enqueue(run);
            return;
        }

        state.Running = true;
        try
        {
            run.Run();
            for (var runs = 1; runs < maxRuns && state.Pending.TryDequeue(out var next); runs++)
            {
                next.Run();
            }
        }
        finally
        {
            state.Running = false;
            while (state.Pending.TryDequeue(out var rest))
            {
                elsewhere(rest);
            }
        }
    }

    private sealed class State
    {
        public readonly Queue<IRunnable> Pending = new();
        public bool Running;
    }
}
