using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Hub.Dispatch;

namespace PingActors.Tests.Hub.Dispatch;

/// <summary>
/// The channel dispatcher's executor: a node-local channel with few sockets runs on the thread-pool thread
/// that sent it a message; a bigger one, any other actor, and anything sent from outside the pool run on
/// the dispatcher's own threads.
/// </summary>
public sealed class ChannelExecutorSpecs() : TestKit(SpecConfig)
{
    private const string DispatcherId = "akka.actor.test-channel-dispatcher";
    private const string OneRunDispatcherId = "akka.actor.test-channel-dispatcher-one-run";
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromMilliseconds(100);

    private static readonly Config SpecConfig = ConfigurationFactory.ParseString(Dispatcher(DispatcherId, maxRuns: 64) + Dispatcher(OneRunDispatcherId, maxRuns: 1));

    [Fact]
    public async Task A_small_channel_runs_on_the_senders_pool_thread_before_tell_returns()
    {
        var channel = ChannelLike(sockets: 4);

        var (sender, ran) = await SendFromPool(channel);

        Assert.NotNull(ran);
        Assert.Equal(sender, ran.ThreadId);
        Assert.Equal(ran, ExpectMsg<RanOn>());
    }

    [Fact]
    public async Task A_channel_above_the_limit_runs_on_the_dispatchers_own_thread()
    {
        var channel = ChannelLike(sockets: 5);

        await SendFromPool(channel);

        var ran = ExpectMsg<RanOn>();
        Assert.False(ran.PoolThread);
        Assert.StartsWith(DispatcherId, ran.ThreadName);
    }

    [Fact]
    public void A_small_channel_sent_to_from_outside_the_pool_runs_on_the_dispatchers_own_thread()
    {
        var channel = ChannelLike(sockets: 1);

        var caller = new Thread(() => channel.Tell(new Where(null), TestActor));
        caller.Start();
        caller.Join();

        var ran = ExpectMsg<RanOn>();
        Assert.False(ran.PoolThread);
        Assert.StartsWith(DispatcherId, ran.ThreadName);
    }

    [Fact]
    public async Task An_actor_that_is_not_a_channel_always_runs_on_the_dispatchers_own_thread()
    {
        var other = Sys.ActorOf(Props.Create(() => new Recorder(TestActor, null, null)).WithDispatcher(DispatcherId));
        ExpectMsg<Started>();

        await SendFromPool(other);

        Assert.False(ExpectMsg<RanOn>().PoolThread);
    }

    [Fact]
    public async Task A_channel_that_grows_past_the_limit_moves_to_the_dispatchers_thread_and_keeps_its_order()
    {
        var channel = ChannelLike(sockets: 1);
        var (sender, first) = await SendFromPool(channel);
        Assert.Equal(sender, first?.ThreadId);
        ExpectMsg<RanOn>();

        channel.Tell(new SetSockets(50), TestActor);
        ExpectMsg<SocketsSet>();
        await Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                channel.Tell(new Numbered(i), TestActor);
            }
        });

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(i, ExpectMsg<Numbered>().N);
        }

        var (_, inline) = await SendFromPool(channel);
        Assert.Null(inline);
        Assert.StartsWith(DispatcherId, ExpectMsg<RanOn>().ThreadName);
    }

    [Fact]
    public async Task After_max_runs_in_a_row_a_small_channel_goes_to_the_dispatchers_own_thread()
    {
        // The first channel's run tells the second: with one run allowed per thread, the second cannot
        // follow it on the publisher's thread and must go to the channel thread.
        var second = ChannelLike(sockets: 1, OneRunDispatcherId);
        var first = Sys.ActorOf(Props.Create(() => new Recorder(TestActor, 1, second)).WithDispatcher(OneRunDispatcherId));
        ExpectMsg<Started>();

        var (sender, ranFirst) = await SendFromPool(first);

        Assert.Equal(sender, ranFirst?.ThreadId);
        var replies = new[] { ExpectMsg<RanOn>(), ExpectMsg<RanOn>() };
        var ranSecond = Assert.Single(replies, r => r != ranFirst);
        Assert.False(ranSecond.PoolThread);
        Assert.StartsWith(OneRunDispatcherId, ranSecond.ThreadName);
    }

    [Fact]
    public void A_channel_run_nested_in_another_actors_receive_leaves_that_actor_its_own_sender()
    {
        // The relay runs on the default dispatcher (a pool thread, another executor): the channel it tells
        // runs inside the relay's receive, which then answers its own sender.
        var channel = ChannelLike(sockets: 1);
        var other = CreateTestProbe();
        var relay = Sys.ActorOf(Props.Create(() => new Relay(channel, other.Ref)));

        relay.Tell("go", TestActor);

        var ran = other.ExpectMsg<RanOn>();
        Assert.True(ran.PoolThread);
        Assert.Equal(ran.ThreadId, ExpectMsg<RelayDone>().ThreadId);
    }

    [Fact]
    public async Task Its_channel_thread_outlives_an_idle_spell_longer_than_the_shutdown_timeout()
    {
        // Akka shuts a dispatcher's executor down shutdown-timeout after its last task when it has no
        // actors of its own; the channel threads must not be torn down and started again between messages.
        var catcher = Sys.ActorOf(Props.Create(() => new ThreadCatcher()).WithDispatcher(DispatcherId));
        var first = await ThreadOf(catcher);

        await Task.Delay(ShutdownTimeout * 5);

        Assert.Same(first, await ThreadOf(catcher));
        Assert.True(first.IsAlive);
    }

    [Fact]
    public async Task Its_threads_end_with_the_actor_system()
    {
        var system = ActorSystem.Create("channel-executor-shutdown", SpecConfig);
        Thread thread;
        try
        {
            thread = await ThreadOf(system.ActorOf(Props.Create(() => new ThreadCatcher()).WithDispatcher(DispatcherId)));
            Assert.StartsWith(DispatcherId, thread.Name);
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }

        await AwaitConditionAsync(() => Task.FromResult(!thread.IsAlive), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_negative_limit_is_refused_with_its_key()
    {
        var config = ConfigurationFactory.ParseString("channel-executor.inline-max-sockets = -1");
        var configurator = new ChannelExecutorConfigurator(config, null!);

        var e = Assert.Throws<ConfigurationException>(() => configurator.Produce("akka.actor.x"));

        Assert.Contains("akka.actor.x.channel-executor.inline-max-sockets", e.Message);
    }

    private static string Dispatcher(string id, int maxRuns) => $$"""
        {{id}} {
          type = Dispatcher
          executor = "PingActors.Actors.Hub.Dispatch.ChannelExecutorConfigurator, PingActors.Actors"
          throughput = 100
          shutdown-timeout = {{ShutdownTimeout.TotalMilliseconds}}ms
          dedicated-thread-pool.thread-count = 1
          channel-executor.inline-max-sockets = 4
          channel-executor.max-runs = {{maxRuns}}
          mailbox-type = "PingActors.Actors.Hub.Dispatch.BacklogMailbox, PingActors.Actors"
        }

        """;

    // From a thread outside the pool, so the message goes to the dispatcher's own thread.
    private static Task<Thread> ThreadOf(IActorRef catcher) => Task.Factory.StartNew(
        () => catcher.Ask<Thread>("where", TimeSpan.FromSeconds(10)),
        CancellationToken.None,
        TaskCreationOptions.LongRunning,
        TaskScheduler.Default).Unwrap();

    private IActorRef ChannelLike(int sockets, string dispatcher = DispatcherId)
    {
        var actor = Sys.ActorOf(Props.Create(() => new Recorder(TestActor, sockets, null)).WithDispatcher(dispatcher));
        ExpectMsg<Started>();
        return actor;
    }

    // Tells from a pool thread; the reply comes through a callback the actor completes, so one that ran
    // inline is seen before Tell returns.
    private Task<(int Sender, RanOn? Ran)> SendFromPool(IActorRef actor) => Task.Run(() =>
    {
        var seen = new Seen();
        actor.Tell(new Where(seen), TestActor);
        return (Environment.CurrentManagedThreadId, seen.Ran);
    });

    private sealed record Started;

    private sealed record RanOn(int ThreadId, bool PoolThread, string ThreadName);

    private sealed record SetSockets(int Count);

    private sealed record SocketsSet;

    private sealed record Numbered(int N);

    private sealed record RelayDone(int ThreadId);

    private sealed class Seen
    {
        public RanOn? Ran { get; set; }
    }

    private sealed record Where(Seen? Seen);

    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef channel, IActorRef other) => Receive<string>(_ =>
        {
            channel.Tell(new Where(null), other);
            Sender.Tell(new RelayDone(Environment.CurrentManagedThreadId));
        });
    }

    // Answers every message with the thread it ran on.
    private sealed class ThreadCatcher : ReceiveActor
    {
        public ThreadCatcher() => ReceiveAny(_ => Sender.Tell(Thread.CurrentThread));
    }

    // Stands in for a node-local channel: marks its queue as one and keeps its socket count there.
    private sealed class Recorder : ReceiveActor
    {
        private readonly IActorRef _probe;

        // next: a recorder told to find out where it runs whenever this one is.
        public Recorder(IActorRef probe, int? sockets, IActorRef? next)
        {
            _probe = probe;
            var queue = (Context as ActorCell)?.Mailbox?.MessageQueue as BacklogMessageQueue;
            if (sockets is { } count && queue is not null)
            {
                queue.RunsInlineWhenSmall = true;
                queue.Weight = count;
            }

            Receive<Where>(w =>
            {
                var thread = Thread.CurrentThread;
                var ran = new RanOn(Environment.CurrentManagedThreadId, thread.IsThreadPoolThread, thread.Name ?? string.Empty);
                w.Seen?.Ran = ran;
                Sender.Tell(ran);
                next?.Tell(new Where(null), Sender);
            });
            Receive<SetSockets>(s =>
            {
                queue!.Weight = s.Count;
                Sender.Tell(new SocketsSet());
            });
            Receive<Numbered>(n => Sender.Tell(n));
        }

        protected override void PreStart() => _probe.Tell(new Started());
    }
}
