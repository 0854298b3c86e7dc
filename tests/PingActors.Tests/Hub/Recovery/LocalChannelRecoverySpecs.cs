using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Hub;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;

namespace PingActors.Tests.Hub.Recovery;

/// <summary>
/// The node-local channel's members with positions: formats encoded once per message, and recovering members
/// given their answer, then what they missed (asked of a probe standing in for the entity), then live.
/// </summary>
public sealed class LocalChannelRecoverySpecs : TestKit
{
    private const long Incarnation = 0x7a;
    private static readonly string Epoch = ChannelEpoch.Of(Incarnation);
    private readonly HubMetrics _metrics = new();
    private readonly HubSettings _settings = new() { SubscribeRetry = TimeSpan.FromSeconds(30), ReplayMaxMessages = 4, Session = new SessionSettings { OutboundMaxMessages = 3 } };

    [Fact]
    public void Encodes_each_message_once_per_format_whatever_the_number_of_its_members()
    {
        var (channel, entity) = Subscribed(lastSeq: 0);
        var a = new TestFormat("a");
        var b = new TestFormat("b");
        var members = new List<(TestProbe Outbox, string Expect)>();
        foreach (var (format, prefix) in new[] { (a, "a"), (a, "a"), (a, "a"), (b, "b"), (b, "b"), ((TestFormat?)null, "") })
        {
            var outbox = CreateTestProbe();
            var connection = CreateTestProbe();
            channel.Tell(new Join("/c", connection.Ref));
            channel.Tell(new Activate(connection.Ref, p => outbox.Ref.Tell(p), format));
            members.Add((outbox, prefix));
        }

        channel.Tell(Message(1, "x"), entity.Ref);
        channel.Tell(Message(2, "y"), entity.Ref);

        foreach (var (outbox, prefix) in members)
        {
            var expected = prefix.Length == 0 ? new[] { "x", "y" } : [$"{prefix}|{Epoch}:1|x", $"{prefix}|{Epoch}:2|y"];
            Assert.Equal(expected, new[] { Text(outbox.ExpectMsg<Payload>()), Text(outbox.ExpectMsg<Payload>()) });
        }

        Assert.Equal(2, a.MessageCalls);
        Assert.Equal(2, b.MessageCalls);
    }

    [Fact]
    public void A_member_without_a_position_is_answered_with_the_current_one_then_gets_the_live_stream()
    {
        var (channel, entity) = Subscribed(lastSeq: 9);
        var outbox = Join(channel, new RecoveryRequest(null), new TestFormat("f"));
        Assert.Equal($"R|True|{Epoch}:9", Text(outbox.ExpectMsg<Payload>()));
        channel.Tell(Message(10, "x"), entity.Ref);
        Assert.Equal($"f|{Epoch}:10|x", Text(outbox.ExpectMsg<Payload>()));
        entity.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // nothing to ask the entity
        Assert.Equal(0, _metrics.Recovered.Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_recovering_member_gets_its_answer_then_exactly_what_it_missed_then_live(bool socketOpensFirst)
    {
        var (channel, entity) = Subscribed(lastSeq: 5);
        channel.Tell(Message(6, "m6"), entity.Ref);
        var connection = CreateTestProbe();
        var outbox = CreateTestProbe();
        var format = new TestFormat("f");
        channel.Tell(new Join("/c", connection.Ref, new RecoveryRequest(new ChannelPosition(Epoch, 3))));
        connection.ExpectMsg<Joined>();
        var recover = entity.ExpectMsg<Recover>();
        Assert.Equal((Incarnation, 3L), (recover.Incarnation, recover.AfterSeq));

        // Live messages sent before the entity answered are in its answer: not delivered twice.
        channel.Tell(Message(7, "m7"), entity.Ref);
        if (socketOpensFirst)
        {
            channel.Tell(new Activate(connection.Ref, p => outbox.Ref.Tell(p), format));
        }

        channel.Tell(new Recovered("/c", recover.RequestId, Incarnation, 7, true, [Message(4, "m4"), Message(5, "m5"), Message(6, "m6"), Message(7, "m7")]), entity.Ref);
        channel.Tell(Message(8, "m8"), entity.Ref);
        if (!socketOpensFirst)
        {
            channel.Tell(new Activate(connection.Ref, p => outbox.Ref.Tell(p), format));
        }

        channel.Tell(Message(9, "m9"), entity.Ref);
        var received = Enumerable.Range(0, 7).Select(_ => Text(outbox.ExpectMsg<Payload>())).ToList();
        Assert.Equal([$"R|True|{Epoch}:3", .. new[] { 4, 5, 6, 7, 8, 9 }.Select(i => $"f|{Epoch}:{i}|m{i}")], received);
        outbox.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, _metrics.Recovered.Value);
    }

    [Fact]
    public void Members_recovering_the_same_messages_share_one_encoding_of_each()
    {
        var (channel, entity) = Subscribed(lastSeq: 3);
        var format = new TestFormat("f");
        var outboxes = new List<Akka.TestKit.TestProbe>();
        for (var i = 0; i < 3; i++)
        {
            outboxes.Add(Join(channel, new RecoveryRequest(new ChannelPosition(Epoch, 1)), format));
            var recover = entity.ExpectMsg<Recover>();
            channel.Tell(new Recovered("/c", recover.RequestId, Incarnation, 3, true, [Message(2, "m2"), Message(3, "m3")]), entity.Ref);
        }

        channel.Tell(Message(4, "m4"), entity.Ref);
        foreach (var outbox in outboxes)
        {
            outbox.ExpectMsg<Payload>(); // the answer
            Assert.Equal([$"f|{Epoch}:2|m2", $"f|{Epoch}:3|m3", $"f|{Epoch}:4|m4"], Enumerable.Range(0, 3).Select(_ => Text(outbox.ExpectMsg<Payload>())));
        }

        Assert.Equal(3, format.MessageCalls);
    }

    [Fact]
    public void A_position_the_entity_cannot_serve_is_answered_recovered_false_then_live()
    {
        var (channel, entity) = Subscribed(lastSeq: 20);
        var outbox = Join(channel, new RecoveryRequest(new ChannelPosition(Epoch, 2)), new TestFormat("f"));
        var recover = entity.ExpectMsg<Recover>();
        channel.Tell(new Recovered("/c", recover.RequestId, Incarnation, 20, false, []), entity.Ref);
        channel.Tell(Message(21, "x"), entity.Ref);
        Assert.Equal($"R|False|{Epoch}:20", Text(outbox.ExpectMsg<Payload>()));
        Assert.Equal($"f|{Epoch}:21|x", Text(outbox.ExpectMsg<Payload>()));
        Assert.Equal(1, _metrics.NotRecovered.Value);
    }

    [Fact]
    public void Another_epoch_is_asked_of_the_entity_as_no_incarnation_and_a_bad_one_as_zero()
    {
        var (channel, entity) = Subscribed(lastSeq: 1);
        Join(channel, new RecoveryRequest(new ChannelPosition(ChannelEpoch.Of(0x99), 1)), new TestFormat("f"));
        Assert.Equal(0x99, entity.ExpectMsg<Recover>().Incarnation);
        Join(channel, new RecoveryRequest(new ChannelPosition("not-hex", 1)), new TestFormat("f"));
        Assert.Equal(0, entity.ExpectMsg<Recover>().Incarnation);
    }

    [Fact]
    public void When_the_numbering_restarts_a_member_with_positions_is_closed_and_a_plain_one_carries_on()
    {
        var (channel, entity) = Subscribed(lastSeq: 5);
        var positioned = CreateTestProbe();
        var positionedOutbox = CreateTestProbe();
        channel.Tell(new Join("/c", positioned.Ref, new RecoveryRequest(null)));
        channel.Tell(new Activate(positioned.Ref, p => positionedOutbox.Ref.Tell(p), new TestFormat("f")));
        var plain = CreateTestProbe();
        var plainOutbox = CreateTestProbe();
        channel.Tell(new Join("/c", plain.Ref));
        channel.Tell(new Activate(plain.Ref, p => plainOutbox.Ref.Tell(p)));
        positioned.ExpectMsg<Joined>();
        plain.ExpectMsg<Joined>();
        positionedOutbox.ExpectMsg<Payload>(); // its answer

        // The entity crashed; the channel resumes on a new incarnation.
        channel.Tell(new Resubscribe("/c"));
        var next = CreateTestProbe();
        channel.Tell(new Subscribed("/c", 0x7b, 0), next.Ref);
        positioned.ExpectMsg<ChannelGap>();
        channel.Tell(new ChannelMessage("/c", 0x7b, 1, Payload.Text("new")), next.Ref);
        Assert.Equal("new", Text(plainOutbox.ExpectMsg<Payload>()));
        positionedOutbox.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        plain.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_recovery_asked_before_the_subscription_is_confirmed_goes_to_the_entity_that_confirms_it()
    {
        var region = CreateTestProbe();
        var channel = CreateTestProbe().ChildActorOf(LocalChannel.PropsFor("/c", region.Ref, _settings, _metrics));
        region.ExpectMsg<Subscribe>();
        var outbox = Join(channel, new RecoveryRequest(new ChannelPosition(Epoch, 1)), new TestFormat("f"), expectJoined: false);
        var entity = CreateTestProbe();
        channel.Tell(new Subscribed("/c", Incarnation, 2), entity.Ref);
        var recover = entity.ExpectMsg<Recover>();
        channel.Tell(new Recovered("/c", recover.RequestId, Incarnation, 2, true, [Message(2, "m2")]), entity.Ref);
        Assert.Equal($"R|True|{Epoch}:1", Text(outbox.ExpectMsg<Payload>()));
        Assert.Equal($"f|{Epoch}:2|m2", Text(outbox.ExpectMsg<Payload>()));
    }

    [Fact]
    public void A_recovering_member_whose_socket_stays_shut_too_long_is_closed_rather_than_given_a_hole()
    {
        var (channel, entity) = Subscribed(lastSeq: 0);
        var connection = CreateTestProbe();
        channel.Tell(new Join("/c", connection.Ref, new RecoveryRequest(null)));
        connection.ExpectMsg<Joined>();

        // It may hold outbound-max-messages + replay.max-messages (3 + 4) before its socket opens.
        for (var seq = 1; seq <= 8; seq++)
        {
            channel.Tell(Message(seq, "m" + seq), entity.Ref);
        }

        connection.ExpectMsg<ChannelGap>();
        Assert.Equal(0, _metrics.Session.Dropped.Value);
    }

    [Fact]
    public void The_entity_answers_a_recovery_from_its_buffer_or_says_it_cannot()
    {
        var entity = CreateTestProbe().ChildActorOf(ChannelEntity.PropsFor("/c", new HubSettings { ChannelIdleTimeout = TimeSpan.FromMinutes(5), ReplayMaxMessages = 3 }, _metrics));
        var node = CreateTestProbe();
        entity.Tell(new Subscribe("/c", node.Ref), node.Ref);
        var incarnation = node.ExpectMsg<Subscribed>().Incarnation;
        for (var i = 1; i <= 5; i++)
        {
            entity.Tell(new Publish("/c", Payload.Text("m" + i)), ActorRefs.NoSender);
            node.ExpectMsg<ChannelMessage>();
        }

        entity.Tell(new Recover("/c", 1, incarnation, 3), node.Ref);
        var recovered = node.ExpectMsg<Recovered>();
        Assert.True(recovered.Complete);
        Assert.Equal((1L, 5L), (recovered.RequestId, recovered.LastSeq));
        Assert.Equal([4L, 5], recovered.Missed.Select(m => m.Seq));

        entity.Tell(new Recover("/c", 2, incarnation, 1), node.Ref); // 2 was evicted
        Assert.False(node.ExpectMsg<Recovered>().Complete);
        entity.Tell(new Recover("/c", 3, incarnation + 1, 4), node.Ref); // another epoch
        Assert.False(node.ExpectMsg<Recovered>().Complete);
        entity.Tell(new Recover("/c", 4, incarnation, 6), node.Ref); // ahead of the channel
        Assert.False(node.ExpectMsg<Recovered>().Complete);
        entity.Tell(new Recover("/c", 5, incarnation, 5), node.Ref); // up to date
        var upToDate = node.ExpectMsg<Recovered>();
        Assert.True(upToDate.Complete);
        Assert.Empty(upToDate.Missed);
    }

    private TestProbe Join(IActorRef channel, RecoveryRequest recovery, IDeliveryFormat format, bool expectJoined = true)
    {
        var connection = CreateTestProbe();
        var outbox = CreateTestProbe();
        channel.Tell(new Join("/c", connection.Ref, recovery));
        if (expectJoined)
        {
            connection.ExpectMsg<Joined>();
        }

        channel.Tell(new Activate(connection.Ref, p => outbox.Ref.Tell(p), format));
        return outbox;
    }

    private (IActorRef Channel, TestProbe Entity) Subscribed(long lastSeq)
    {
        var region = CreateTestProbe();
        var channel = CreateTestProbe().ChildActorOf(LocalChannel.PropsFor("/c", region.Ref, _settings, _metrics));
        region.ExpectMsg<Subscribe>();
        var entity = CreateTestProbe();
        channel.Tell(new Subscribed("/c", Incarnation, lastSeq), entity.Ref);
        return (channel, entity);
    }

    private static ChannelMessage Message(long seq, string text) => new("/c", Incarnation, seq, Payload.Text(text));

    private static string Text(Payload p) => System.Text.Encoding.UTF8.GetString(p.Bytes);

    /// <summary>Encodes as text that shows the format and the position, and counts its encodings.</summary>
    private sealed class TestFormat(string name) : IDeliveryFormat
    {
        private int _messageCalls;

        public int MessageCalls => Volatile.Read(ref _messageCalls);

        public Payload Message(ChannelPosition position, Payload payload)
        {
            Interlocked.Increment(ref _messageCalls);
            return new Payload(true, System.Text.Encoding.UTF8.GetBytes($"{name}|{position}|{Text(payload)}"));
        }

        public Payload Recovery(bool recovered, ChannelPosition position) =>
            new(true, System.Text.Encoding.UTF8.GetBytes($"R|{recovered}|{position}"));
    }
}
