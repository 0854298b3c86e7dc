using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Hub;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;

namespace PingActors.Tests.Hub.Recovery;

/// <summary>The channel entity with pingactors.hub.history on: it outlives its last subscriber, within the node's budget.</summary>
public sealed class HistoryEntitySpecs : TestKit
{
    private readonly HubMetrics _metrics = new();

    [Fact]
    public void Without_history_the_last_subscriber_leaving_stops_the_channel()
    {
        var (shard, entity, _) = WithHistory(TimeSpan.Zero, 1024);
        shard.ExpectMsg<Passivate>();
    }

    [Fact]
    public void With_history_the_channel_stays_after_its_last_subscriber_and_serves_what_it_kept()
    {
        var (shard, entity, incarnation) = WithHistory(TimeSpan.FromMinutes(5), 1024);
        shard.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        entity.Tell(new Publish("/c", Payload.Text("d")), ActorRefs.NoSender);
        entity.Tell(new Recover("/c", 1, incarnation, 1), TestActor);
        var recovered = ExpectMsg<Recovered>();
        Assert.True(recovered.Complete);
        Assert.Equal([2L, 3, 4], recovered.Missed.Select(m => m.Seq));
    }

    [Fact]
    public void History_that_does_not_fit_the_nodes_budget_for_channels_without_subscribers_is_dropped()
    {
        var (_, entity, incarnation) = WithHistory(TimeSpan.FromMinutes(5), 2);
        // Once the entity has seen its subscriber go (a Terminated of its own), the buffer is gone.
        AwaitAssert(() =>
        {
            entity.Tell(new Recover("/c", 1, incarnation, 0), TestActor);
            Assert.False(ExpectMsg<Recovered>().Complete);
        });
        entity.Tell(new Recover("/c", 2, incarnation, 3), TestActor);
        Assert.True(ExpectMsg<Recovered>().Complete); // nothing missed after the last one
        Assert.Equal(0, UnsubscribedReplay.For(Sys).Bytes);
    }

    [Fact]
    public void History_within_the_budget_is_counted_in_it_until_a_subscriber_returns()
    {
        var (_, entity, incarnation) = WithHistory(TimeSpan.FromMinutes(5), 1024);
        AwaitAssert(() => Assert.Equal(3, UnsubscribedReplay.For(Sys).Bytes));
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref, incarnation, 3), node.Ref);
        node.ExpectMsg<Subscribed>();
        AwaitAssert(() => Assert.Equal(0, UnsubscribedReplay.For(Sys).Bytes));
    }

    // An entity with a subscriber that received "a", "b", "c" (1 byte each) and then went away.
    private (Akka.TestKit.TestProbe Shard, IActorRef Entity, long Incarnation) WithHistory(TimeSpan keepFor, long unsubscribedBudget)
    {
        var settings = new HubSettings { ChannelIdleTimeout = TimeSpan.FromMinutes(5), HistoryKeepFor = keepFor, ReplayUnsubscribedMaxBytes = unsubscribedBudget };
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", settings, _metrics));
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref), node.Ref);
        var incarnation = node.ExpectMsg<Subscribed>().Incarnation;
        foreach (var text in new[] { "a", "b", "c" })
        {
            entity.Tell(new Publish("/c", Payload.Text(text)), ActorRefs.NoSender);
            node.ExpectMsg<ChannelMessage>();
        }

        Sys.Stop(node.Ref);
        return (shard, entity, incarnation);
    }
}
