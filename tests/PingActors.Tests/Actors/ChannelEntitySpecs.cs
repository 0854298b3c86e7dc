using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Channels;
using PingActors.Actors.Hub;
using PingActors.Actors.Metrics;

namespace PingActors.Tests.Actors;

/// <summary>The sharded channel entity on its own, with a probe standing in for its shard.</summary>
public sealed class ChannelEntitySpecs : TestKit
{
    private static readonly TimeSpan LongIdle = TimeSpan.FromMinutes(5);
    private readonly HubMetrics _metrics = new();

    [Fact]
    public void Sequences_each_message_and_sends_it_once_to_every_subscriber_in_order()
    {
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", _metrics, LongIdle));
        var nodeA = CreateTestProbe();
        var nodeB = CreateTestProbe();
        entity.Tell(new Subscribe("/c", nodeA.Ref));
        entity.Tell(new Subscribe("/c", nodeB.Ref));
        Assert.Equal(0, nodeA.ExpectMsg<Subscribed>().LastSeq);
        nodeB.ExpectMsg<Subscribed>();

        for (var i = 1; i <= 50; i++)
        {
            entity.Tell(new Publish("/c", Payload.Text("m" + i)), TestActor);
        }

        foreach (var node in new[] { nodeA, nodeB })
        {
            for (var i = 1; i <= 50; i++)
            {
                var message = node.ExpectMsg<ChannelMessage>();
                Assert.Equal(i, message.Seq);
                Assert.Equal("m" + i, System.Text.Encoding.UTF8.GetString(message.Payload.Bytes));
            }

            node.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }

        var published = ExpectMsg<Published>();
        Assert.Equal(1, published.Seq);
        Assert.Equal(2, published.Nodes);
    }

    [Fact]
    public void Subscribing_twice_delivers_once()
    {
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", _metrics, LongIdle));
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref));
        entity.Tell(new Subscribe("/c", node.Ref));
        node.ExpectMsg<Subscribed>();
        node.ExpectMsg<Subscribed>();
        entity.Tell(new Publish("/c", Payload.Text("x")), ActorRefs.NoSender);
        node.ExpectMsg<ChannelMessage>();
        node.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Publish_without_subscribers_is_answered_with_zero_nodes()
    {
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", _metrics, LongIdle));
        entity.Tell(new Publish("/c", Payload.Text("x")), TestActor);
        Assert.Equal(0, ExpectMsg<Published>().Nodes);
    }

    [Fact]
    public void Asks_its_shard_to_passivate_when_the_last_subscriber_dies()
    {
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", _metrics, LongIdle));
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref));
        node.ExpectMsg<Subscribed>();

        Sys.Stop(node.Ref);

        var passivate = shard.ExpectMsg<Passivate>();
        Assert.Same(StopChannel.Instance, passivate.StopMessage);
    }

    [Fact]
    public void Passivates_after_the_idle_timeout_when_nobody_subscribed()
    {
        var shard = CreateTestProbe();
        shard.ChildActorOf(ChannelEntity.PropsFor("/c", _metrics, TimeSpan.FromMilliseconds(200)));
        shard.ExpectMsg<Passivate>(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_subscribe_that_arrives_while_passivating_is_sent_to_the_next_incarnation()
    {
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", _metrics, LongIdle));
        var first = CreateTestProbe();
        entity.Tell(new Subscribe("/c", first.Ref));
        first.ExpectMsg<Subscribed>();
        Sys.Stop(first.Ref);
        shard.ExpectMsg<Passivate>();

        // The shard has not sent StopChannel yet; a subscription confirmed now would die with this incarnation.
        var late = CreateTestProbe();
        entity.Tell(new Subscribe("/c", late.Ref));
        late.ExpectMsg<Resubscribe>();
        entity.Tell(new Publish("/c", Payload.Text("lost")), TestActor);
        Assert.Equal(0, ExpectMsg<Published>().Nodes);
        late.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void On_hand_off_tells_every_subscriber_to_resubscribe_and_stops()
    {
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", _metrics, LongIdle));
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref));
        node.ExpectMsg<Subscribed>();
        Watch(entity);

        entity.Tell(StopChannel.Instance);

        node.ExpectMsg<Resubscribe>();
        ExpectTerminated(entity);
    }
}
