using Xunit.Abstractions;

namespace PingActors.Tests.Cluster;

/// <summary>
/// SIGTERM to the node that hosts a channel's entity while the other nodes keep publishing: the entity is
/// handed off, and subscribers on the staying nodes keep their sockets and get every accepted message, in
/// order, once each.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GracefulLeaveSpecs(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishGap = TimeSpan.FromMilliseconds(10);

    [Theory]
    [InlineData(0)] // the oldest node: the shard coordinator moves too
    [InlineData(2)]
    public async Task Leaving_host_loses_nothing_accepted_for_subscribers_that_stay(int leaving)
    {
        await using var cluster = await LocalCluster.StartAsync(3, output);
        await using var cleanup = new Cleanup();
        var staying = Enumerable.Range(0, 3).Where(i => i != leaving).ToArray();
        var (path, keeper) = await cluster.ChannelHostedOnAsync(leaving, staying[0], "leave");
        cleanup.Add(keeper);

        var subscribers = new List<Subscriber>();
        foreach (var node in staying)
        {
            for (var k = 0; k < 2; k++)
            {
                subscribers.Add(cleanup.Add(await Subscriber.ConnectAsync(cluster[node], path, $"subscriber {node}.{k}")));
            }
        }

        var onLeaving = cleanup.Add(await Subscriber.ConnectAsync(cluster[leaving], path, $"subscriber {leaving} (leaving)"));

        var publishers = staying.Select(i => cleanup.Add(Publisher.Sequential(cluster[i], path, $"p{i}", PublishGap))).ToList();
        await Task.WhenAll(publishers.Select(p => p.WaitUntilAsync(r => r.Count(x => x.Accepted) >= 20, TimeSpan.FromSeconds(30), "20 accepted before the leave")));

        var signalled = Subscriber.Clock.Elapsed;
        cluster[leaving].Signal(Infrastructure.NodeProcess.SIGTERM);
        var exitCode = await cluster[leaving].WaitForExitAsync(TimeSpan.FromSeconds(60));
        var exited = Subscriber.Clock.Elapsed;
        Assert.True(exitCode == 0, $"the leaving node exited {exitCode}\n{cluster.Transcripts()}");

        // Keep publishing until the channel is plainly back: 20 more accepted by each publisher after the exit.
        await Task.WhenAll(publishers.Select(p => p.WaitUntilAsync(r => r.Count(x => x.Accepted && x.SentAt > exited) >= 20, TimeSpan.FromSeconds(30), "20 accepted after the leave")));
        await Task.WhenAll(publishers.Select(p => p.StopAsync()));

        var posts = publishers.SelectMany(p => p.Results).ToList();
        var accepted = posts.Where(p => p.Accepted).ToList();
        await Task.WhenAll(subscribers.Select(s => s.WaitUntilAsync(t => accepted.All(p => t.Contains(p.Body)), TimeSpan.FromSeconds(20), "every accepted message", failOnTimeout: false)));

        foreach (var subscriber in subscribers)
        {
            if (!subscriber.IsOpen)
            {
                Assert.Fail($"{subscriber.Name} lost its socket: {await subscriber.Ended}\n{cluster.Transcripts()}");
            }

            Delivery.NoDuplicates(subscriber);
            Delivery.HasAllAccepted(subscriber, posts);
            foreach (var publisher in publishers)
            {
                Delivery.InPublishOrder(subscriber, publisher);
            }
        }

        Delivery.SameSequence(subscribers);
        Assert.False(onLeaving.IsOpen, "the leaving node's subscriber still has its socket");
        Assert.StartsWith("close 1001", await onLeaving.Ended);

        // The entity now lives on a staying node.
        var entities = 0L;
        foreach (var node in staying)
        {
            entities += await cluster.EntitiesAsync(node);
        }

        Assert.Equal(1, entities);

        var notAccepted = posts.Where(p => !p.Accepted).ToList();
        var slow = accepted.Where(p => p.AnsweredAt - p.SentAt > TimeSpan.FromMilliseconds(500)).ToList();
        output.WriteLine(
            $"left in {(exited - signalled).TotalSeconds:F1} s; {accepted.Count} accepted, {notAccepted.Count} not accepted ({string.Join(", ", notAccepted.Select(p => p.Status).Distinct())}); "
            + $"{slow.Count} accepted took over 500 ms (longest {accepted.Max(p => p.AnsweredAt - p.SentAt).TotalSeconds:F2} s); "
            + $"{subscribers[0].Texts.Count} messages delivered to each staying subscriber");
    }

    [Fact]
    public async Task Without_a_replay_buffer_a_staying_subscriber_gets_every_accepted_message_or_is_closed_with_1012()
    {
        // Nothing kept for replay: a node whose resubscription reaches the next incarnation after it has
        // numbered a message cannot be caught up. It must say so (1012) rather than leave a silent hole.
        const int leaving = 0;
        await using var cluster = await LocalCluster.StartAsync(3, output, "pingactors.hub.replay.max-messages=0");
        await using var cleanup = new Cleanup();
        var (path, keeper) = await cluster.ChannelHostedOnAsync(leaving, 1, "noreplay");
        cleanup.Add(keeper);

        var subscribers = new List<Subscriber>();
        foreach (var node in new[] { 1, 2 })
        {
            for (var k = 0; k < 2; k++)
            {
                subscribers.Add(cleanup.Add(await Subscriber.ConnectAsync(cluster[node], path, $"subscriber {node}.{k}")));
            }
        }

        // POSTs on a beat, so messages keep arriving at the next incarnation while the nodes resubscribe.
        var publishers = new[] { 1, 2 }.Select(i => cleanup.Add(Publisher.Beat(cluster[i], path, $"p{i}", TimeSpan.FromMilliseconds(20)))).ToList();
        await Task.WhenAll(subscribers.Select(s => s.WaitUntilAsync(t => t.Count >= 20, TimeSpan.FromSeconds(30), "20 messages before the leave")));

        cluster[leaving].Signal(Infrastructure.NodeProcess.SIGTERM);
        Assert.Equal(0, await cluster[leaving].WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var exited = Subscriber.Clock.Elapsed;
        await Task.WhenAll(publishers.Select(p => p.WaitUntilAsync(r => r.Count(x => x.Accepted && x.SentAt > exited) >= 20, TimeSpan.FromSeconds(30), "20 accepted after the leave")));
        await Task.WhenAll(publishers.Select(p => p.StopAsync()));

        var accepted = publishers.SelectMany(p => p.Results).Where(p => p.Accepted).ToList();
        await Task.WhenAll(subscribers.Select(s => s.WaitUntilAsync(t => !s.IsOpen || accepted.All(p => t.Contains(p.Body)), TimeSpan.FromSeconds(20), "every accepted message", failOnTimeout: false)));

        var closed = 0;
        foreach (var subscriber in subscribers)
        {
            Delivery.NoDuplicates(subscriber);
            if (subscriber.IsOpen)
            {
                Delivery.HasAllAccepted(subscriber, accepted);
            }
            else
            {
                closed++;
                Assert.Equal("close 1012 channel restarted: messages may have been lost", await subscriber.Ended);
            }
        }

        output.WriteLine($"{closed} of {subscribers.Count} staying subscribers closed with 1012; the others got all {accepted.Count} accepted messages");
    }
}
