using System.Diagnostics;
using System.Net;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>Per-channel FIFO under concurrent publishers: every subscriber sees one and the same order.</summary>
public sealed class FifoSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const int Publishers = 3;
    private const int PerPublisher = 1000;
    private const int Subscribers = 50;

    private TestNode Node => fixture.Node;

    [Fact]
    public async Task Concurrent_publishers_reach_every_subscriber_in_one_order()
    {
        var channel = ChannelNames.Unique("fifo");
        var clients = await Task.WhenAll(Enumerable.Range(0, Subscribers).Select(_ => Node.ConnectAsync(channel)));
        try
        {
            var before = await Node.StatsAsync();
            var clock = Stopwatch.StartNew();
            var readers = clients.Select(c => Task.Run(() => Receive(c, Publishers * PerPublisher))).ToArray();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
            {
                for (var n = 0; n < PerPublisher; n++)
                {
                    using var content = new StringContent($"p{p}-{n}");
                    using var response = await http.PostAsync(Node.HttpUri(channel), content);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            })));

            var orders = await Task.WhenAll(readers);
            var reference = orders[0];
            Assert.Equal(Publishers * PerPublisher, reference.Count);
            for (var s = 1; s < orders.Length; s++)
            {
                Assert.True(reference.SequenceEqual(orders[s]), $"subscriber {s} saw another order than subscriber 0 (first difference at {FirstDifference(reference, orders[s])})");
            }

            for (var p = 0; p < Publishers; p++)
            {
                var prefix = $"p{p}-";
                Assert.Equal(Enumerable.Range(0, PerPublisher).Select(n => prefix + n), reference.Where(m => m.StartsWith(prefix, StringComparison.Ordinal)));
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
            await Stats.WaitForAsync(
                Node,
                s => s.Published() - before.Published() == Publishers * PerPublisher && s.Delivered() - before.Delivered() == Publishers * PerPublisher * Subscribers,
                what: "published and delivered counting every message");
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static async Task<List<string>> Receive(WsClient client, int count)
    {
        var messages = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            messages.Add(await client.ReceiveTextAsync(TimeSpan.FromSeconds(30)));
        }

        return messages;
    }

    private static int FirstDifference(List<string> a, List<string> b)
    {
        var i = 0;
        while (i < a.Count && i < b.Count && a[i] == b[i])
        {
            i++;
        }

        return i;
    }
}
