using System.Net.WebSockets;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using PingActors.Actors.Hub.Channels;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>
/// When a channel can no longer keep its promise, its subscribers are told on the wire, as close frames with
/// the documented codes and reasons: 1011 when the node-local channel failed, 1012 when messages were lost
/// beyond what could be replayed. Each on a node of its own, so only this test's channel is touched.
/// </summary>
public sealed class ChannelFailureSpecs
{
    [Fact]
    public async Task Subscribers_of_a_channel_that_failed_get_1011_and_its_reason()
    {
        await using var node = await TestNode.StartAsync();
        await using var first = await node.ConnectAsync("/fails");
        await using var second = await node.ConnectAsync("/fails");

        (await LocalChannelAsync(node)).Tell(Kill.Instance);

        foreach (var client in new[] { first, second })
        {
            var close = await client.ReceiveCloseAsync();
            Assert.Equal(WebSocketCloseStatus.InternalServerError, close.CloseStatus);
            Assert.Equal("internal error", close.CloseReason);
        }
    }

    [Fact]
    public async Task Subscribers_of_a_channel_that_lost_messages_get_1012_and_its_reason()
    {
        await using var node = await TestNode.StartAsync();
        await using var first = await node.ConnectAsync("/gap");
        await using var second = await node.ConnectAsync("/gap");

        // What a node-local channel hears when it resubscribes and the entity no longer holds what it missed.
        var channel = await LocalChannelAsync(node);
        channel.Tell(new Resubscribe("/gap"));
        channel.Tell(new Subscribed("/gap", Incarnation: long.MaxValue, LastSeq: 5, Gap: true));

        foreach (var client in new[] { first, second })
        {
            var close = await client.ReceiveCloseAsync();
            Assert.Equal((WebSocketCloseStatus)1012, close.CloseStatus);
            Assert.Equal("channel restarted: messages may have been lost", close.CloseReason);
        }
    }

    // The node's one node-local channel: the test's.
    private static async Task<IActorRef> LocalChannelAsync(TestNode node)
    {
        var system = node.Node.Services.GetRequiredService<ActorSystem>();
        var identity = await system.ActorSelection("/user/local-channels/*").Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10));
        return identity.Subject ?? throw new InvalidOperationException("no node-local channel");
    }
}
