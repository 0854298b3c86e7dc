using Xunit.Abstractions;

namespace PingActors.Tests.Cluster;

/// <summary>Three node processes: subscribers and publishers spread over all of them see one channel order.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FanOutSpecs(ITestOutputHelper output)
{
    private const int PerPublisher = 100;

    [Fact]
    public async Task Concurrent_posts_on_three_nodes_reach_subscribers_on_all_nodes_in_one_order_sent_once_per_node()
    {
        await using var cluster = await LocalCluster.StartAsync(3, output);
        await using var cleanup = new Cleanup();
        var path = $"/fanout-{Guid.NewGuid():N}";

        // Two subscribers per node: six sockets, but only three node-local channels for the entity to feed.
        var subscribers = new List<Subscriber>();
        for (var node = 0; node < 3; node++)
        {
            for (var k = 0; k < 2; k++)
            {
                subscribers.Add(cleanup.Add(await Subscriber.ConnectAsync(cluster[node], path, $"subscriber {node}.{k}")));
            }
        }

        // One sequential publisher per node, all three at once.
        var publishers = Enumerable.Range(0, 3).Select(i => cleanup.Add(Publisher.Sequential(cluster[i], path, $"p{i}", TimeSpan.Zero, PerPublisher))).ToList();
        await Task.WhenAll(publishers.Select(p => p.WaitUntilAsync(r => r.Count == PerPublisher, TimeSpan.FromSeconds(60), $"{PerPublisher} answers")));
        await Task.WhenAll(publishers.Select(p => p.StopAsync()));

        var posts = publishers.SelectMany(p => p.Results).ToList();
        var refused = posts.Where(p => !p.Accepted).ToList();
        Assert.True(refused.Count == 0, $"{refused.Count} POSTs not accepted: {string.Join(", ", refused.Take(10).Select(p => $"{p.Body}={p.Status}{p.Error}"))}");

        // The entity sent each message to the three node-local channels, not to the six sockets.
        var nodeCounts = posts.GroupBy(p => p.Nodes).ToDictionary(g => g.Key?.ToString() ?? "none", g => g.Count());
        Assert.True(posts.All(p => p.Nodes == 3), "X-PingActors-Nodes: " + string.Join(", ", nodeCounts.Select(kv => $"{kv.Key} x{kv.Value}")));

        // One number per message, no gaps: the channel's single order.
        var bySeq = posts.OrderBy(p => p.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, posts.Count).Select(i => (long?)i), bySeq.Select(p => p.Seq));
        var expected = bySeq.Select(p => p.Body).ToList();

        foreach (var subscriber in subscribers)
        {
            await subscriber.WaitUntilAsync(t => t.Count >= expected.Count, TimeSpan.FromSeconds(30), $"{expected.Count} messages");
        }

        foreach (var subscriber in subscribers)
        {
            var texts = subscriber.Texts;
            var at = Enumerable.Range(0, Math.Min(texts.Count, expected.Count)).FirstOrDefault(i => texts[i] != expected[i], -1);
            Assert.True(at < 0 && texts.Count == expected.Count, $"{subscriber.Name} differs from the channel's order" + (at >= 0 ? $" at #{at}: got {texts[at]}, seq order has {expected[at]}" : $": {texts.Count} messages, expected {expected.Count}"));
            Assert.True(subscriber.IsOpen, $"{subscriber.Name} lost its socket");
        }

        // Each node holds one node-local channel for the six sockets.
        for (var node = 0; node < 3; node++)
        {
            var stats = await cluster.StatsAsync(node);
            Assert.Equal(1, stats.GetProperty("channels").GetInt64());
            Assert.Equal(2, stats.GetProperty("connections").GetInt64());
        }

        var interleaved = expected.Zip(expected.Skip(1)).Count(pair => pair.First[..2] != pair.Second[..2]);
        output.WriteLine($"{posts.Count} messages from 3 nodes, publisher changes between neighbours in the order: {interleaved}; POST latency median {Median(posts.Select(p => (p.AnsweredAt - p.SentAt).TotalMilliseconds)):F1} ms");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
