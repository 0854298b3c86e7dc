using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Sessions;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Hub;

namespace PingActors.Tests.Hub.Channels;

/// <summary>The sharded channel entity on its own, with a probe standing in for its shard.</summary>
public sealed class ChannelEntitySpecs : TestKit
{
    private static readonly HubSettings LongIdle = new() { ChannelIdleTimeout = TimeSpan.FromMinutes(5), ReplayMaxMessages = 10 };
    private readonly HubMetrics _metrics = new();

    [Fact]
    public void Sequences_each_message_and_sends_it_once_to_every_subscriber_in_order()
    {
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
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
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
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
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
        entity.Tell(new Publish("/c", Payload.Text("x")), TestActor);
        Assert.Equal(0, ExpectMsg<Published>().Nodes);
    }

    [Fact]
    public void Asks_its_shard_to_passivate_when_the_last_subscriber_dies()
    {
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
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
        shard.ChildActorOf(ChannelEntity.PropsFor("/c", new HubSettings { ChannelIdleTimeout = TimeSpan.FromMilliseconds(200) }, _metrics));
        shard.ExpectMsg<Passivate>(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_subscribe_that_arrives_while_passivating_is_sent_to_the_next_incarnation()
    {
        var shard = CreateTestProbe();
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
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
        var entity = shard.ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref));
        node.ExpectMsg<Subscribed>();
        Watch(entity);

        entity.Tell(StopChannel.Instance);

        node.ExpectMsg<Resubscribe>();
        ExpectTerminated(entity);
    }

    [Fact]
    public void A_fresh_subscriber_gets_no_history()
    {
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
        entity.Tell(new Publish("/c", Payload.Text("before")), ActorRefs.NoSender);
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref));
        Assert.Equal(1, node.ExpectMsg<Subscribed>().LastSeq);
        node.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_node_resuming_from_another_incarnation_gets_this_incarnation_replayed_from_its_start()
    {
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
        entity.Tell(new Publish("/c", Payload.Text("one")), ActorRefs.NoSender);
        entity.Tell(new Publish("/c", Payload.Text("two")), ActorRefs.NoSender);
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref, ResumeIncarnation: 42, ResumeAfterSeq: 17));

        var subscribed = node.ExpectMsg<Subscribed>();
        Assert.False(subscribed.Gap);
        Assert.Equal(0, subscribed.LastSeq);
        Assert.Equal(1, node.ExpectMsg<ChannelMessage>().Seq);
        Assert.Equal(2, node.ExpectMsg<ChannelMessage>().Seq);
    }

    [Fact]
    public void A_node_resuming_within_this_incarnation_gets_what_follows_its_last_number()
    {
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
        var first = CreateTestProbe();
        entity.Tell(new Subscribe("/c", first.Ref));
        var incarnation = first.ExpectMsg<Subscribed>().Incarnation;
        for (var i = 0; i < 5; i++)
        {
            entity.Tell(new Publish("/c", Payload.Text("m" + i)), ActorRefs.NoSender);
        }

        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref, incarnation, ResumeAfterSeq: 3));
        Assert.Equal(3, node.ExpectMsg<Subscribed>().LastSeq);
        Assert.Equal(4, node.ExpectMsg<ChannelMessage>().Seq);
        Assert.Equal(5, node.ExpectMsg<ChannelMessage>().Seq);
        node.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Says_so_when_the_replay_buffer_no_longer_covers_a_resuming_node()
    {
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
        for (var i = 0; i < 15; i++)
        {
            entity.Tell(new Publish("/c", Payload.Text("m" + i)), ActorRefs.NoSender);
        }

        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref, ResumeIncarnation: 42, ResumeAfterSeq: 0));
        var subscribed = node.ExpectMsg<Subscribed>();
        Assert.True(subscribed.Gap);
        Assert.Equal(15, subscribed.LastSeq);
        node.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Without_a_subscriber_keeps_replay_only_within_the_nodes_budget()
    {
        var budget = UnsubscribedReplay.For(Sys);
        var settings = LongIdle with { ReplayUnsubscribedMaxBytes = 10 };
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", settings, _metrics));
        PublishAnswered(entity, "aaaa");
        PublishAnswered(entity, "bbbb");
        Assert.Equal(8, budget.Bytes);

        // Over the budget: still published and answered, but the channel lets go of its replay.
        Assert.Equal(3, PublishAnswered(entity, "cccc").Seq);
        Assert.Equal(0, budget.Bytes);
        PublishAnswered(entity, "dd");
        Assert.Equal(2, budget.Bytes);

        var fromStart = CreateTestProbe();
        entity.Tell(new Subscribe("/c", fromStart.Ref, ResumeIncarnation: 42, ResumeAfterSeq: 0));
        var gap = fromStart.ExpectMsg<Subscribed>();
        Assert.True(gap.Gap);
        Assert.Equal(4, gap.LastSeq);
    }

    [Fact]
    public void A_first_subscriber_takes_the_channels_replay_out_of_the_nodes_budget()
    {
        var budget = UnsubscribedReplay.For(Sys);
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
        PublishAnswered(entity, "one");
        PublishAnswered(entity, "two");
        Assert.Equal(6, budget.Bytes);

        // A resuming node is that first subscriber: it gets the replay, which no longer counts.
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref, ResumeIncarnation: 42, ResumeAfterSeq: 0));
        Assert.False(node.ExpectMsg<Subscribed>().Gap);
        Assert.Equal(1, node.ExpectMsg<ChannelMessage>().Seq);
        Assert.Equal(2, node.ExpectMsg<ChannelMessage>().Seq);
        Assert.Equal(0, budget.Bytes);
        entity.Tell(new Publish("/c", Payload.Text("three")), TestActor);
        Assert.Equal(3, node.ExpectMsg<ChannelMessage>().Seq);
        Assert.Equal(0, budget.Bytes);
    }

    [Fact]
    public void A_channel_gives_its_share_of_the_budget_back_when_it_stops()
    {
        var budget = UnsubscribedReplay.For(Sys);
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", LongIdle, _metrics));
        PublishAnswered(entity, "kept");
        Assert.Equal(4, budget.Bytes);

        Watch(entity);
        entity.Tell(StopChannel.Instance);
        ExpectTerminated(entity);
        Assert.Equal(0, budget.Bytes);
    }

    // The answer comes after the entity has kept (or not) the message, so the budget can be read then.
    private Published PublishAnswered(IActorRef entity, string text)
    {
        entity.Tell(new Publish("/c", Payload.Text(text)), TestActor);
        return ExpectMsg<Published>();
    }

    [Fact]
    public void A_publish_is_answered_only_while_every_subscribing_node_is_within_the_window()
    {
        var settings = LongIdle with { PublishWindow = 4 };
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", settings, _metrics));
        var slow = CreateTestProbe();
        var fast = CreateTestProbe();
        entity.Tell(new Subscribe("/c", slow.Ref));
        entity.Tell(new Subscribe("/c", fast.Ref));
        var incarnation = slow.ExpectMsg<Subscribed>().Incarnation;
        fast.ExpectMsg<Subscribed>();

        for (var i = 1; i <= 6; i++)
        {
            entity.Tell(new Publish("/c", Payload.Text("m" + i)), TestActor);
        }

        // Every message went out; the answers for 5 and 6 wait, as the slow node has reported nothing.
        Assert.Equal(6, slow.ReceiveN(6).Cast<ChannelMessage>().Last().Seq);
        Assert.Equal([1L, 2, 3, 4], ReceiveN(4).Cast<Published>().Select(p => p.Seq));
        entity.Tell(new Delivered("/c", incarnation, 6), fast.Ref);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        entity.Tell(new Delivered("/c", incarnation, 2), slow.Ref);
        Assert.Equal([5L, 6], ReceiveN(2).Cast<Published>().Select(p => p.Seq));
    }

    [Fact]
    public void A_held_answer_goes_out_after_half_the_publish_timeout()
    {
        var (entity, _) = EntityWithSilentNode(TimeSpan.FromSeconds(1));

        // Timed from the send, not by a quiet window: a loaded runner can only make the answer look later.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        entity.Tell(new Publish("/c", Payload.Text("1")), TestActor);
        entity.Tell(new Publish("/c", Payload.Text("2")), TestActor);
        Assert.Equal(1, ExpectMsg<Published>().Seq);
        Assert.Equal(2, ExpectMsg<Published>(TimeSpan.FromSeconds(3)).Seq);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(450), $"the held answer went out after {clock.Elapsed}, before half the publish timeout");
    }

    [Fact]
    public void A_held_answer_goes_out_when_the_slow_node_leaves()
    {
        // Half this timeout is far beyond the wait below: only the slow node leaving can release the answer.
        var (entity, silent) = EntityWithSilentNode(TimeSpan.FromMinutes(2));

        entity.Tell(new Publish("/c", Payload.Text("1")), TestActor);
        entity.Tell(new Publish("/c", Payload.Text("2")), TestActor);
        Assert.Equal(1, ExpectMsg<Published>().Seq);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        silent.Ref.Tell(PoisonPill.Instance);
        Assert.Equal(2, ExpectMsg<Published>(TimeSpan.FromSeconds(10)).Seq);
    }

    /// <summary>An entity that holds a publish's answer while more than one is unanswered, with one subscribing node that never confirms.</summary>
    private (IActorRef Entity, Akka.TestKit.TestProbe Silent) EntityWithSilentNode(TimeSpan publishTimeout)
    {
        var settings = LongIdle with { PublishWindow = 1, PublishTimeout = publishTimeout };
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", settings, _metrics));
        var silent = CreateTestProbe();
        entity.Tell(new Subscribe("/c", silent.Ref));
        silent.ExpectMsg<Subscribed>();
        return (entity, silent);
    }
}
