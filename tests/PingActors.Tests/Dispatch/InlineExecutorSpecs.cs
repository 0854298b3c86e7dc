using Akka.Dispatch;
using PingActors.Actors.Dispatch;

namespace PingActors.Tests.Dispatch;

/// <summary>The executor of the sharded channels: a mailbox runs on the thread-pool thread that scheduled it.</summary>
public sealed class InlineExecutorSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_pool_thread_runs_the_mailbox_itself_before_execute_returns()
    {
        var executor = new InlineExecutor("test", maxRuns: 64);

        var (caller, ranOn, ranBeforeReturn) = await Task.Run(() =>
        {
            int? ran = null;
            executor.Execute(new ActionRunnable(() => ran = Environment.CurrentManagedThreadId));
            return (Environment.CurrentManagedThreadId, ran, ran.HasValue);
        });

        Assert.True(ranBeforeReturn);
        Assert.Equal(caller, ranOn);
    }

    [Fact]
    public async Task A_thread_outside_the_pool_hands_the_mailbox_to_the_pool()
    {
        var executor = new InlineExecutor("test", maxRuns: 64);
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = new Thread(() => executor.Execute(new ActionRunnable(() => ran.SetResult(Thread.CurrentThread.IsThreadPoolThread))));

        caller.Start();
        caller.Join();

        Assert.True(await ran.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_mailbox_scheduled_from_a_running_one_runs_after_it_on_the_same_thread()
    {
        var executor = new InlineExecutor("test", maxRuns: 64);

        var steps = await Task.Run(() =>
        {
            var log = new List<string>();
            var thread = Environment.CurrentManagedThreadId;
            executor.Execute(new ActionRunnable(() =>
            {
                log.Add("outer starts");
                executor.Execute(new ActionRunnable(() => log.Add(Environment.CurrentManagedThreadId == thread ? "inner, same thread" : "inner, other thread")));
                log.Add("outer ends");
            }));
            return log;
        });

        Assert.Equal(["outer starts", "outer ends", "inner, same thread"], steps);
    }

    [Fact]
    public async Task After_max_runs_the_rest_goes_to_the_pool()
    {
        var executor = new InlineExecutor("test", maxRuns: 2);
        using var executeReturned = new ManualResetEventSlim();
        var third = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        var inlineRuns = await Task.Run(() =>
        {
            var runs = 0;
            executor.Execute(new ActionRunnable(() =>
            {
                runs++;
                executor.Execute(new ActionRunnable(() =>
                {
                    runs++;

                    // Run inline, this would wait for a return that cannot come before it ends.
                    executor.Execute(new ActionRunnable(() => third.SetResult(executeReturned.Wait(Patience))));
                }));
            }));
            executeReturned.Set();
            return runs;
        });

        Assert.Equal(2, inlineRuns);
        Assert.True(await third.Task.WaitAsync(Patience * 2), "the third mailbox ran before Execute returned");
    }

    [Fact]
    public async Task A_mailbox_that_throws_does_not_strand_the_ones_queued_behind_it()
    {
        var executor = new InlineExecutor("test", maxRuns: 64);
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var thrown = await Task.Run(() =>
        {
            try
            {
                executor.Execute(new ActionRunnable(() =>
                {
                    executor.Execute(new ActionRunnable(queued.SetResult));
                    throw new InvalidOperationException("boom");
                }));
                return null;
            }
            catch (InvalidOperationException e)
            {
                return e;
            }
        });

        Assert.NotNull(thrown);
        await queued.Task.WaitAsync(Patience);
    }

    [Fact]
    public void A_max_runs_below_one_is_refused_with_its_key()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("inline-executor.max-runs = 0");
        var configurator = new InlineExecutorConfigurator(config, null!);

        var error = Assert.Throws<Akka.Configuration.ConfigurationException>(() => configurator.Produce("akka.actor.test-dispatcher"));
        Assert.Contains("akka.actor.test-dispatcher.inline-executor.max-runs", error.Message);
    }
}
