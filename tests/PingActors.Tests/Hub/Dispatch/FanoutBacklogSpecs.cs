using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Hub.Dispatch;

namespace PingActors.Tests.Hub.Dispatch;

/// <summary>The count of messages waiting for the channel threads, and the wait a POST answer makes on it.</summary>
public sealed class FanoutBacklogSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_mailbox_counts_messages_in_and_out()
    {
        var backlog = new FanoutBacklog();
        var first = new BacklogMessageQueue(backlog);
        var second = new BacklogMessageQueue(backlog);

        first.Enqueue(ActorRefs.Nobody, Envelope("a"));
        second.Enqueue(ActorRefs.Nobody, Envelope("b"));
        second.Enqueue(ActorRefs.Nobody, Envelope("c"));
        Assert.Equal(3, backlog.Queued);

        Assert.True(second.TryDequeue(out var taken));
        Assert.Equal("b", taken.Message);
        Assert.Equal(2, backlog.Queued);
    }

    [Fact]
    public void A_fan_out_message_counts_the_weight_its_queue_had_when_it_arrived_and_others_count_one()
    {
        var (backlog, queue) = QueueWith("a join, while the channel had one socket");
        queue.Weight = 1000;
        queue.Enqueue(ActorRefs.Nobody, Envelope(new FanOut("for a thousand sockets")));
        queue.Enqueue(ActorRefs.Nobody, Envelope("another join"));
        Assert.Equal(1002, backlog.Queued);

        queue.Weight = 0; // the last socket left: a message still costs the actor something
        queue.Enqueue(ActorRefs.Nobody, Envelope(new FanOut("after")));
        Assert.Equal(1003, backlog.Queued);

        Assert.True(queue.TryDequeue(out _));
        Assert.Equal(1002, backlog.Queued);
        Assert.True(queue.TryDequeue(out _));
        Assert.Equal(2, backlog.Queued);
    }

    [Fact]
    public void Messages_left_when_an_actor_stops_are_counted_out_as_they_go_to_dead_letters()
    {
        var (backlog, queue) = QueueWith("a", "b");

        var deadLetters = new UnboundedMessageQueue();
        queue.CleanUp(ActorRefs.Nobody, deadLetters);

        Assert.Equal(0, backlog.Queued);
        Assert.Equal(2, deadLetters.Count);
    }

    [Fact]
    public void Below_the_limit_a_publish_does_not_wait()
    {
        var (backlog, _) = QueueWith("a");

        Assert.True(backlog.WhenBelowAsync(2).IsCompleted);
    }

    [Fact]
    public async Task At_the_limit_a_publish_waits_until_the_queue_is_below_it()
    {
        var (backlog, queue) = QueueWith("a", "b");

        var first = backlog.WhenBelowAsync(2);
        var second = backlog.WhenBelowAsync(2);
        Assert.False(first.IsCompleted);

        queue.Enqueue(ActorRefs.Nobody, Envelope("c"));
        Assert.True(queue.TryDequeue(out _));
        Assert.False(first.IsCompleted); // 2 queued: still not below

        Assert.True(queue.TryDequeue(out _));
        await Task.WhenAll(first, second).WaitAsync(Patience);
    }

    [Fact]
    public async Task Waiters_with_different_limits_are_released_when_the_lowest_is_met()
    {
        var (backlog, queue) = QueueWith("a", "b", "c", "d");

        var patient = backlog.WhenBelowAsync(2);
        var eager = backlog.WhenBelowAsync(4);
        Assert.False(eager.IsCompleted);

        Assert.True(queue.TryDequeue(out _));
        Assert.True(queue.TryDequeue(out _));
        Assert.False(patient.IsCompleted);

        Assert.True(queue.TryDequeue(out _));
        await Task.WhenAll(patient, eager).WaitAsync(Patience);
    }

    private static (FanoutBacklog Backlog, BacklogMessageQueue Queue) QueueWith(params string[] messages)
    {
        var backlog = new FanoutBacklog();
        var queue = new BacklogMessageQueue(backlog);
        foreach (var message in messages)
        {
            queue.Enqueue(ActorRefs.Nobody, Envelope(message));
        }

        return (backlog, queue);
    }

    private static Envelope Envelope(object message) => new(message, ActorRefs.NoSender);

    private sealed record FanOut(string Text) : IFanOutMessage;
}
