using Akka.Actor;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Sessions;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Hub;

namespace PingActors.Tests.Hub.Channels;

/// <summary>The node-local channel, with probes for the shard region, its parent, connections and outboxes.</summary>
public sealed class LocalChannelSpecs : TestKit
{
    private readonly HubMetrics _metrics = new();
    private readonly HubSettings _settings = new() { SubscribeRetry = TimeSpan.FromMilliseconds(300), Session = new SessionSettings { OutboundMaxMessages = 3 } };

    [Fact]
    public void Confirms_a_join_only_once_the_entity_has_confirmed_the_subscription()
    {
        var region = CreateTestProbe();
        var parent = CreateTestProbe();
        var channel = parent.ChildActorOf(LocalChannel.PropsFor("/c", region.Ref, _settings, _metrics));
        var subscribe = region.ExpectMsg<Subscribe>();
        Assert.Equal(channel, subscribe.Subscriber);

        var connection = CreateTestProbe();
        channel.Tell(new Join("/c", connection.Ref));
        connection.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        channel.Tell(new Subscribed("/c", 1, 0));
        Assert.Equal(channel, connection.ExpectMsg<Joined>().LocalChannel);
    }

    [Fact]
    public void Repeats_an_unanswered_subscription()
    {
        var region = CreateTestProbe();
        CreateTestProbe().ChildActorOf(LocalChannel.PropsFor("/c", region.Ref, _settings, _metrics));
        region.ExpectMsg<Subscribe>();
        region.ExpectMsg<Subscribe>(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Holds_messages_for_a_connection_until_its_outbox_is_ready_and_keeps_their_order()
    {
        var (channel, _, _) = Subscribed();
        var connection = CreateTestProbe();
        channel.Tell(new Join("/c", connection.Ref));
        connection.ExpectMsg<Joined>();

        channel.Tell(Message(1, "a"));
        channel.Tell(Message(2, "b"));
        var outbox = CreateTestProbe();
        channel.Tell(new Activate(connection.Ref, p => outbox.Ref.Tell(p)));
        channel.Tell(Message(3, "c"));

        Assert.Equal("a", Text(outbox.ExpectMsg<Payload>()));
        Assert.Equal("b", Text(outbox.ExpectMsg<Payload>()));
        Assert.Equal("c", Text(outbox.ExpectMsg<Payload>()));
    }

    [Fact]
    public void Keeps_only_the_newest_messages_while_holding_for_a_connection_and_counts_the_rest_as_dropped()
    {
        var (channel, _, _) = Subscribed();
        var connection = CreateTestProbe();
        channel.Tell(new Join("/c", connection.Ref));
        connection.ExpectMsg<Joined>();
        for (var i = 1; i <= 5; i++)
        {
            channel.Tell(Message(i, "m" + i));
        }

        var outbox = CreateTestProbe();
        channel.Tell(new Activate(connection.Ref, p => outbox.Ref.Tell(p)));
        Assert.Equal(["m3", "m4", "m5"], new[] { Text(outbox.ExpectMsg<Payload>()), Text(outbox.ExpectMsg<Payload>()), Text(outbox.ExpectMsg<Payload>()) });
        AwaitAssert(() => Assert.Equal(2, _metrics.Session.Dropped.Value));
    }

    [Fact]
    public void A_connection_dying_mid_delivery_does_not_disturb_the_others()
    {
        var (channel, _, _) = Subscribed();
        var outboxes = Enumerable.Range(0, 3).Select(_ => CreateTestProbe()).ToArray();
        var connections = new List<IActorRef>();
        foreach (var outbox in outboxes)
        {
            var connection = Sys.ActorOf(Props.Create(() => new Idle()));
            connections.Add(connection);
            channel.Tell(new Join("/c", connection));
            channel.Tell(new Activate(connection, p => outbox.Ref.Tell(p)));
        }

        for (var i = 1; i <= 100; i++)
        {
            channel.Tell(Message(i, "m" + i));
            if (i == 50)
            {
                // Its socket stage dies first (messages to it become dead letters), then it leaves.
                Sys.Stop(outboxes[1].Ref);
                channel.Tell(new Leave("/c", connections[1]));
            }
        }

        foreach (var outbox in new[] { outboxes[0], outboxes[2] })
        {
            for (var i = 1; i <= 100; i++)
            {
                Assert.Equal("m" + i, Text(outbox.ExpectMsg<Payload>()));
            }
        }
    }

    [Fact]
    public void Members_leaving_from_the_first_the_middle_and_the_last_place_leave_every_other_outbox_served_once()
    {
        var (channel, _, _) = Subscribed();
        var connections = Enumerable.Range(0, 7).Select(_ => CreateTestProbe()).ToArray();
        var outboxes = Enumerable.Range(0, 7).Select(_ => CreateTestProbe()).ToArray();
        for (var i = 0; i < 6; i++)
        {
            var outbox = outboxes[i];
            channel.Tell(new Join("/c", connections[i].Ref));
            channel.Tell(new Activate(connections[i].Ref, p => outbox.Ref.Tell(p)));
        }

        // The seventh has joined but its socket is not open yet: it is held for, not delivered to.
        channel.Tell(new Join("/c", connections[6].Ref));
        channel.Tell(Message(1, "before"));
        foreach (var gone in new[] { 0, 3, 5 })
        {
            channel.Tell(new Leave("/c", connections[gone].Ref));
        }

        channel.Tell(Message(2, "after"));
        channel.Tell(new Activate(connections[6].Ref, p => outboxes[6].Ref.Tell(p)));
        channel.Tell(Message(3, "last"));

        foreach (var stayed in new[] { 1, 2, 4, 6 })
        {
            Assert.Equal(["before", "after", "last"], Enumerable.Range(0, 3).Select(_ => Text(outboxes[stayed].ExpectMsg<Payload>())));
        }

        foreach (var gone in new[] { 0, 3, 5 })
        {
            Assert.Equal("before", Text(outboxes[gone].ExpectMsg<Payload>()));
        }

        foreach (var outbox in outboxes)
        {
            outbox.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public void Reports_idle_to_its_parent_with_the_number_of_joins_it_saw_when_the_last_member_leaves()
    {
        var (channel, _, parent) = Subscribed();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        channel.Tell(new Join("/c", first.Ref));
        channel.Tell(new Join("/c", second.Ref));
        channel.Tell(new Leave("/c", first.Ref));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        channel.Tell(new Leave("/c", second.Ref));
        var idle = parent.ExpectMsg<LocalChannelIdle>();
        Assert.Equal(2, idle.JoinsReceived);
    }

    [Fact]
    public void Resubscribes_when_the_entity_hands_off()
    {
        var (channel, region, _) = Subscribed();
        channel.Tell(new Resubscribe("/c"));
        region.ExpectMsg<Subscribe>();
    }

    [Fact]
    public void Drops_duplicates_and_messages_of_an_incarnation_it_left()
    {
        var (channel, _, _) = Subscribed();
        var outbox = Member(channel);
        channel.Tell(Message(1, "a"));
        channel.Tell(Message(1, "a again"));
        channel.Tell(new ChannelMessage("/c", 99, 2, Payload.Text("stale")));
        channel.Tell(Message(2, "b"));
        Assert.Equal("a", Text(outbox.ExpectMsg<Payload>()));
        Assert.Equal("b", Text(outbox.ExpectMsg<Payload>()));
        outbox.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Resumes_from_its_last_number_when_it_sees_a_gap()
    {
        var (channel, region, _) = Subscribed();
        var outbox = Member(channel);
        channel.Tell(Message(1, "a"));
        channel.Tell(Message(3, "c"));
        var resume = region.ExpectMsg<Subscribe>();
        Assert.Equal((1L, 1L), (resume.ResumeIncarnation, resume.ResumeAfterSeq));

        // The entity replays what followed seq 1.
        channel.Tell(new Subscribed("/c", 1, 1));
        channel.Tell(Message(2, "b"));
        channel.Tell(Message(3, "c"));
        Assert.Equal(["a", "b", "c"], Enumerable.Range(0, 3).Select(_ => Text(outbox.ExpectMsg<Payload>())));
    }

    [Fact]
    public void Resumes_when_its_entity_dies_and_takes_the_new_incarnation_from_its_start()
    {
        var region = CreateTestProbe();
        var channel = CreateTestProbe().ChildActorOf(LocalChannel.PropsFor("/c", region.Ref, _settings, _metrics));
        region.ExpectMsg<Subscribe>();
        var entity = CreateTestProbe();
        channel.Tell(new Subscribed("/c", 1, 0), entity.Ref);
        var outbox = Member(channel);
        channel.Tell(Message(1, "a"), entity.Ref);

        Sys.Stop(entity.Ref);
        var resume = region.ExpectMsg<Subscribe>();
        Assert.Equal((1L, 1L), (resume.ResumeIncarnation, resume.ResumeAfterSeq));

        channel.Tell(new Subscribed("/c", 2, 0));
        channel.Tell(new ChannelMessage("/c", 2, 1, Payload.Text("published during the move")));
        Assert.Equal("a", Text(outbox.ExpectMsg<Payload>()));
        Assert.Equal("published during the move", Text(outbox.ExpectMsg<Payload>()));
    }

    [Fact]
    public void Tells_its_connections_when_messages_were_lost_beyond_the_replay()
    {
        var (channel, _, _) = Subscribed();
        var connection = CreateTestProbe();
        channel.Tell(new Join("/c", connection.Ref));
        connection.ExpectMsg<Joined>();
        channel.Tell(new Resubscribe("/c"));
        channel.Tell(new Subscribed("/c", 2, 40, Gap: true));
        connection.ExpectMsg<ChannelGap>();
    }

    private Akka.TestKit.TestProbe Member(IActorRef channel)
    {
        var connection = CreateTestProbe();
        channel.Tell(new Join("/c", connection.Ref));
        connection.ExpectMsg<Joined>();
        var outbox = CreateTestProbe();
        channel.Tell(new Activate(connection.Ref, p => outbox.Ref.Tell(p)));
        return outbox;
    }

    [Fact]
    public void Tells_its_connections_if_it_stops_under_them()
    {
        var (channel, _, _) = Subscribed();
        var connection = CreateTestProbe();
        channel.Tell(new Join("/c", connection.Ref));
        connection.ExpectMsg<Joined>();
        Sys.Stop(channel);
        connection.ExpectMsg<ChannelStopped>();
    }

    private (IActorRef Channel, Akka.TestKit.TestProbe Region, Akka.TestKit.TestProbe Parent) Subscribed()
    {
        var region = CreateTestProbe();
        var parent = CreateTestProbe();
        var channel = parent.ChildActorOf(LocalChannel.PropsFor("/c", region.Ref, _settings, _metrics));
        region.ExpectMsg<Subscribe>();
        channel.Tell(new Subscribed("/c", 1, 0));
        return (channel, region, parent);
    }

    private static ChannelMessage Message(long seq, string text) => new("/c", 1, seq, Payload.Text(text));

    private static string Text(Payload p) => System.Text.Encoding.UTF8.GetString(p.Bytes);

    private sealed class Idle : ReceiveActor;

    [Fact]
    public void Reports_to_its_entity_what_it_handed_to_its_sockets_every_quarter_of_the_publish_window()
    {
        var entity = CreateTestProbe();
        var channel = CreateTestProbe().ChildActorOf(LocalChannel.PropsFor("/c", CreateTestProbe().Ref, _settings with { PublishWindow = 8 }, _metrics));
        channel.Tell(new Subscribed("/c", 7, 0), entity.Ref);

        for (var seq = 1; seq <= 5; seq++)
        {
            channel.Tell(new ChannelMessage("/c", 7, seq, Payload.Text("m" + seq)), entity.Ref);
        }

        Assert.Equal([2L, 4], entity.ReceiveN(2).Cast<Delivered>().Select(d => d.Seq));
        entity.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
