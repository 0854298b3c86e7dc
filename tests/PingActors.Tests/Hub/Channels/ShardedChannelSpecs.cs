using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Sessions;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Hub;

namespace PingActors.Tests.Hub.Channels;

/// <summary>
/// The channel races of passivation, with the real Cluster.Sharding on a cluster of one and the real
/// node-local actors: nothing a subscriber was promised may be lost, and no entity may linger.
/// </summary>
public sealed class ShardedChannelSpecs : TestKit, IAsyncLifetime
{
    private static readonly Config ClusterConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.sharding.passivate-idle-entity-after = off
        """);

    private readonly HubMetrics _metrics = new();
    private readonly HubSettings _settings = new() { SubscribeRetry = TimeSpan.FromMilliseconds(500), ChannelIdleTimeout = TimeSpan.FromMilliseconds(300) };
    private IActorRef _region = ActorRefs.Nobody;

    public ShardedChannelSpecs()
        : base(ClusterConfig)
    {
    }

    public async Task InitializeAsync()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var sharding = ClusterSharding.Get(Sys);
        var settings = ClusterShardingSettings.Create(Sys);
        _region = await sharding.StartAsync(
            "channel",
            id => ChannelEntity.PropsFor(id, _settings, _metrics),
            settings,
            new ChannelMessageExtractor(10),
            sharding.DefaultShardAllocationStrategy(settings),
            StopChannel.Instance);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_subscriber_joining_while_the_channel_passivates_receives_what_is_published_after_its_join()
    {
        var hub = Sys.ActorOf(LocalChannelHub.PropsFor(_region, _settings, _metrics));
        for (var round = 0; round < 20; round++)
        {
            // The previous subscriber leaves, so the local channel and then the entity stop...
            var leaving = CreateTestProbe();
            hub.Tell(new Join("/race", leaving.Ref));
            leaving.ExpectMsg<Joined>(TimeSpan.FromSeconds(10));
            hub.Tell(new Leave("/race", leaving.Ref));

            // ...while the next one joins at once.
            var joining = CreateTestProbe();
            hub.Tell(new Join("/race", joining.Ref));
            var joined = joining.ExpectMsg<Joined>(TimeSpan.FromSeconds(10));
            var outbox = CreateTestProbe();
            joined.LocalChannel.Tell(new Activate(joining.Ref, p => outbox.Ref.Tell(p)));

            var published = await _region.Ask<Published>(new Publish("/race", Payload.Text("round " + round)), TimeSpan.FromSeconds(10));

            // The node-local channel the leaver emptied may still be subscribed while it stops (the entity
            // learns of its end by DeathWatch, which no message order covers), so it may be counted too.
            Assert.InRange(published.Nodes, 1, 2);
            Assert.Equal("round " + round, System.Text.Encoding.UTF8.GetString(outbox.ExpectMsg<Payload>(TimeSpan.FromSeconds(10)).Bytes));
            joined.LocalChannel.Tell(new Leave("/race", joining.Ref));
        }
    }

    [Fact]
    public async Task A_publish_racing_passivation_is_answered_and_the_entity_still_stops()
    {
        for (var round = 0; round < 10; round++)
        {
            var node = CreateTestProbe();
            _region.Tell(new Subscribe("/passivating", node.Ref));
            node.ExpectMsg<Subscribed>(TimeSpan.FromSeconds(10));
            Sys.Stop(node.Ref);

            // Whichever incarnation gets it (the stopping one, or a new one the shard starts for it), the
            // publish is answered rather than lost in the shard's buffer. It counts the subscribers whose stop
            // the entity has not seen yet (DeathWatch, ordered with no message): under load an earlier round's
            // may still be among them (CI saw 2 in one round).
            var published = await _region.Ask<Published>(new Publish("/passivating", Payload.Text("x")), TimeSpan.FromSeconds(10));
            Assert.InRange(published.Nodes, 0, round + 1);
        }

        await AwaitAssertAsync(
            async () =>
            {
                var state = await _region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5));
                Assert.DoesNotContain(state.Shards, s => s.EntityIds.Contains("/passivating"));
            },
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Every_node_local_subscriber_sees_one_order_under_concurrent_publishers()
    {
        var hub = Sys.ActorOf(LocalChannelHub.PropsFor(_region, _settings, _metrics));
        var outboxes = new List<Akka.TestKit.TestProbe>();
        for (var i = 0; i < 5; i++)
        {
            var connection = CreateTestProbe();
            hub.Tell(new Join("/order", connection.Ref));
            var joined = connection.ExpectMsg<Joined>(TimeSpan.FromSeconds(10));
            var outbox = CreateTestProbe();
            joined.LocalChannel.Tell(new Activate(connection.Ref, p => outbox.Ref.Tell(p)));
            outboxes.Add(outbox);
        }

        var publishers = Enumerable.Range(0, 3).Select(p => Task.Run(async () =>
        {
            for (var n = 0; n < 200; n++)
            {
                await _region.Ask<Published>(new Publish("/order", Payload.Text($"p{p}-{n}")), TimeSpan.FromSeconds(10));
            }
        }));
        await Task.WhenAll(publishers);

        List<string>? first = null;
        foreach (var outbox in outboxes)
        {
            var seen = Enumerable.Range(0, 600).Select(_ => System.Text.Encoding.UTF8.GetString(outbox.ExpectMsg<Payload>(TimeSpan.FromSeconds(10)).Bytes)).ToList();
            first ??= seen;
            Assert.Equal(first, seen);
        }

        for (var p = 0; p < 3; p++)
        {
            var own = first!.Where(s => s.StartsWith($"p{p}-", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 200).Select(n => $"p{p}-{n}"), own);
        }
    }

    [Fact]
    public void A_channel_whose_local_actor_failed_gets_a_fresh_one_and_a_fresh_one_after_that()
    {
        var hub = Sys.ActorOf(LocalChannelHub.PropsFor(_region, _settings, _metrics));
        var failed = new HashSet<IActorRef>();
        for (var round = 0; round < 3; round++)
        {
            // The hub learns of the failure from Terminated; a join it forwards before that is lost (the
            // connection's join timeout covers it), so join until one is answered.
            Akka.TestKit.TestProbe? member = null;
            Joined? joined = null;
            AwaitAssert(
                () =>
                {
                    member = CreateTestProbe();
                    hub.Tell(new Join("/failing", member.Ref));
                    joined = member.ExpectMsg<Joined>(TimeSpan.FromSeconds(1));
                },
                TimeSpan.FromSeconds(15),
                TimeSpan.Zero);

            Assert.DoesNotContain(joined!.LocalChannel, failed);
            Watch(joined.LocalChannel);
            joined.LocalChannel.Tell(Kill.Instance);
            ExpectTerminated(joined.LocalChannel, TimeSpan.FromSeconds(10));
            member!.ExpectMsg<ChannelStopped>(TimeSpan.FromSeconds(10));
            failed.Add(joined.LocalChannel);
        }
    }
}
