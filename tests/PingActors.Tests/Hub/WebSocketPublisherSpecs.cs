using System.Text;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using PingActors.Actors.Hub.Dispatch;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>
/// A client publishing over its WebSocket is paced like a POST publisher (pingactors.hub.publish-backlog):
/// a burst slows the sender through TCP instead of filling its readers' queues until they are closed as slow
/// consumers. On a node of its own, so no other test's traffic shares the fan-out, and alone (a million
/// deliveries keep both cores of a small runner busy, which would slow the timing of specs beside it).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class WebSocketPublisherSpecs
{
    private const int Subscribers = 200;
    private const int Messages = 5000;

    // The default pingactors.hub.publish-backlog, in socket deliveries (80 messages to this channel).
    private const int PublishBacklog = 16_000;

    [Fact]
    public async Task A_burst_from_a_websocket_publisher_waits_on_the_fan_out_and_reaches_all_200_subscribers_in_full()
    {
        await using var node = await TestNode.StartAsync();
        var subscribers = new List<WsClient>();
        try
        {
            for (var i = 0; i < Subscribers; i++)
            {
                subscribers.Add(await node.ConnectAsync("/burst"));
            }

            var readers = subscribers.Select(ReadAllAsync).ToList();

            // As fast as it can: every frame written at once, more than the readers' queues hold (256 each).
            await using var publisher = await RawWebSocket.ConnectAsync(node.HubUri, "/burst");
            var ownEcho = Task.Run(async () =>
            {
                for (var i = 0; i < Messages; i++)
                {
                    await publisher.ReadDataFrameAsync(TimeSpan.FromSeconds(60));
                }
            });
            var backlog = FanoutBacklog.For(node.Node.Services.GetRequiredService<ActorSystem>());
            var highest = 0L;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                // Every millisecond, not in a spin: the backlog stays at its bound for most of the burst, and
                // one unbounded publisher would be far past it for far longer than that.
                using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
                while (!sampling.IsCancellationRequested)
                {
                    highest = Math.Max(highest, backlog.Queued);
                    await tick.WaitForNextTickAsync();
                }
            });
            await publisher.WriteAsync(Burst());

            var results = await Task.WhenAll(readers);
            await ownEcho;
            await sampling.CancelAsync();
            await sampler;

            // The publisher's reads waited while the fan-out was this far behind: what waits for the channel
            // threads stays near the bound (a message or two past it, told before the check saw it).
            Assert.InRange(highest, 1, PublishBacklog + (4 * (Subscribers + 1)));
            Assert.All(results, r => Assert.Null(r.Close));
            Assert.All(results, r => Assert.Equal(Enumerable.Range(0, Messages).Select(Text), r.Texts));
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    // Masked text frames "m0".."m4999" padded to 100 bytes, with a zero mask key so the payload reads as is.
    private static byte[] Burst()
    {
        var frames = new List<byte>();
        for (var i = 0; i < Messages; i++)
        {
            var payload = Encoding.ASCII.GetBytes(Text(i));
            frames.Add(0x81);
            frames.Add((byte)(0x80 | payload.Length));
            frames.AddRange(new byte[4]);
            frames.AddRange(payload);
        }

        return frames.ToArray();
    }

    private static string Text(int i) => ("m" + i).PadRight(100, '.');

    // Reads until the whole burst arrived or the server closed the socket.
    private static async Task<(List<string> Texts, string? Close)> ReadAllAsync(WsClient client)
    {
        var texts = new List<string>(Messages);
        while (texts.Count < Messages)
        {
            var received = await client.ReceiveAsync(TimeSpan.FromSeconds(60));
            if (received.IsClose)
            {
                return (texts, $"{(int?)received.CloseStatus} {received.CloseReason}");
            }

            texts.Add(received.Text);
        }

        return (texts, null);
    }
}
