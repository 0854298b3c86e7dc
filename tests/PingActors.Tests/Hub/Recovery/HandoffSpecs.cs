using Akka.Actor;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Hub;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;

namespace PingActors.Tests.Hub.Recovery;

/// <summary>
/// A channel's numbering across a hand-off: the stopping incarnation hands its state to its subscribers, and
/// the next one, if they are its first subscribers, continues it (docs/recovery.md).
/// </summary>
public sealed class HandoffSpecs : TestKit
{
    private static readonly HubSettings Settings = new() { ChannelIdleTimeout = TimeSpan.FromMinutes(5), ReplayMaxMessages = 10, SubscribeRetry = TimeSpan.FromSeconds(30) };
    private readonly HubMetrics _metrics = new();

    [Fact]
    public void A_handed_off_incarnation_gives_its_subscribers_its_number_sequence_and_buffer()
    {
        var (old, node, incarnation) = SubscribedEntity();
        Publish(old, node, "a", "b", "c");
        old.Tell(StopChannel.Instance);
        var handoff = node.ExpectMsg<Resubscribe>().Handoff!;
        Assert.Equal((incarnation, 3L), (handoff.Incarnation, handoff.LastSeq));
        Assert.Equal(["a", "b", "c"], handoff.Messages.Select(m => Text(m.Payload)));
    }

    [Fact]
    public void The_next_incarnation_continues_it_and_renumbers_what_it_numbered_before_its_first_subscriber()
    {
        var (old, node, incarnation) = SubscribedEntity();
        Publish(old, node, "a", "b", "c");
        old.Tell(StopChannel.Instance);
        var handoff = node.ExpectMsg<Resubscribe>().Handoff!;

        // Two publishes reach the next incarnation before the node resubscribes.
        var next = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", Settings, _metrics));
        next.Tell(new Publish("/c", Payload.Text("d")), ActorRefs.NoSender);
        next.Tell(new Publish("/c", Payload.Text("e")), ActorRefs.NoSender);
        next.Tell(new Subscribe("/c", node.Ref, incarnation, 2, handoff), node.Ref);

        var subscribed = node.ExpectMsg<Subscribed>();
        Assert.Equal((incarnation, 2L, false), (subscribed.Incarnation, subscribed.LastSeq, subscribed.Gap));
        var replayed = node.ReceiveN(3).Cast<ChannelMessage>().ToList();
        Assert.Equal([3L, 4, 5], replayed.Select(m => m.Seq));
        Assert.Equal(["c", "d", "e"], replayed.Select(m => Text(m.Payload)));
        Assert.All(replayed, m => Assert.Equal(incarnation, m.Incarnation));

        next.Tell(new Publish("/c", Payload.Text("f")), ActorRefs.NoSender);
        Assert.Equal(6, node.ExpectMsg<ChannelMessage>().Seq);

        // A client that read up to 1 on the old incarnation is served from the adopted buffer.
        next.Tell(new Recover("/c", 1, incarnation, 1), node.Ref);
        Assert.Equal([2L, 3, 4, 5, 6], node.ExpectMsg<Recovered>().Missed.Select(m => m.Seq));
    }

    [Fact]
    public void An_incarnation_that_already_has_a_subscriber_keeps_its_own_numbering()
    {
        var (old, node, incarnation) = SubscribedEntity();
        Publish(old, node, "a");
        old.Tell(StopChannel.Instance);
        var handoff = node.ExpectMsg<Resubscribe>().Handoff!;

        var next = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", Settings, _metrics));
        var fresh = CreateTestProbe();
        next.Tell(new Subscribe("/c", fresh.Ref), fresh.Ref);
        var own = fresh.ExpectMsg<Subscribed>().Incarnation;
        next.Tell(new Subscribe("/c", node.Ref, incarnation, 1, handoff), node.Ref);
        Assert.Equal(own, node.ExpectMsg<Subscribed>().Incarnation);
        Assert.NotEqual(incarnation, own);
    }

    [Fact]
    public void A_node_local_channel_carries_the_hand_off_to_the_next_incarnation_and_its_clients_keep_their_epoch()
    {
        var region = CreateTestProbe();
        var channel = CreateTestProbe().ChildActorOf(LocalChannel.PropsFor("/c", region.Ref, Settings, _metrics));
        region.ExpectMsg<Subscribe>();
        var entity = CreateTestProbe();
        channel.Tell(new Subscribed("/c", 0x42, 0), entity.Ref);
        var connection = CreateTestProbe();
        var outbox = CreateTestProbe();
        channel.Tell(new Join("/c", connection.Ref, new RecoveryRequest(null)));
        channel.Tell(new Activate(connection.Ref, p => outbox.Ref.Tell(p), WebSocketPositions.Instance));
        connection.ExpectMsg<Joined>();
        outbox.ExpectMsg<Payload>(); // the answer
        channel.Tell(new ChannelMessage("/c", 0x42, 1, Payload.Text("a")), entity.Ref);
        outbox.ExpectMsg<Payload>();

        var handoff = new ChannelHandoff(0x42, 1, [new ChannelMessage("/c", 0x42, 1, Payload.Text("a"))]);
        channel.Tell(new Resubscribe("/c", handoff), entity.Ref);
        var resubscribe = region.ExpectMsg<Subscribe>();
        Assert.Equal((0x42L, 1L), (resubscribe.ResumeIncarnation, resubscribe.ResumeAfterSeq));
        Assert.Same(handoff, resubscribe.Handoff);

        // The next incarnation adopted it: same numbering, so nothing changes for the client.
        var next = CreateTestProbe();
        channel.Tell(new Subscribed("/c", 0x42, 1), next.Ref);
        channel.Tell(new ChannelMessage("/c", 0x42, 2, Payload.Text("b")), next.Ref);
        Assert.Equal("{\"epoch\":\"0000000000000042\",\"seq\":2,\"data\":\"b\"}", Text(outbox.ExpectMsg<Payload>()));
        connection.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    private (IActorRef Entity, Akka.TestKit.TestProbe Node, long Incarnation) SubscribedEntity()
    {
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", Settings, _metrics));
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref), node.Ref);
        return (entity, node, node.ExpectMsg<Subscribed>().Incarnation);
    }

    private static void Publish(IActorRef entity, Akka.TestKit.TestProbe node, params string[] texts)
    {
        foreach (var text in texts)
        {
            entity.Tell(new Publish("/c", Payload.Text(text)), ActorRefs.NoSender);
            node.ExpectMsg<ChannelMessage>();
        }
    }

    private static string Text(Payload p) => System.Text.Encoding.UTF8.GetString(p.Bytes);
}
