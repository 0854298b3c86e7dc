using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using PingActors.Actors.Dispatch;
using PingActors.Actors.Hub;
using PingActors.Actors.Hub.Dispatch;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>
/// The node-local channels run on threads of their own, apart from the sockets' streams on the thread pool, so
/// fan-out never queues behind deliveries; the sharded channels run on their sender's thread, so a POST is
/// numbered and answered without a hand-off (docs/benchmarks.md). Checked on a running node.
/// </summary>
public sealed class DispatcherSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private TestNode Node => fixture.Node;

    [Fact]
    public async Task Channels_run_on_their_dispatchers_and_connections_on_theirs()
    {
        var channel = ChannelNames.Unique("dispatch");
        await using var client = await Node.ConnectAsync(channel);
        await using var second = await Node.ConnectAsync(channel);
        using var response = await Node.PostAsync(channel, "hello");
        Assert.Equal("hello", await client.ReceiveTextAsync());
        Assert.Equal("hello", await second.ReceiveTextAsync());

        var system = Node.Node.Services.GetRequiredService<ActorSystem>();
        Assert.Equal(HubHosting.SequencerDispatcherId, await DispatcherOf(system, "/system/sharding/channel"));
        Assert.Equal(HubHosting.SequencerDispatcherId, await DispatcherOf(system, "/system/sharding/channel/*/*"));
        Assert.Equal(HubHosting.ChannelDispatcherId, await DispatcherOf(system, "/user/local-channels"));
        Assert.Equal(HubHosting.ChannelDispatcherId, await DispatcherOf(system, "/user/local-channels/*"));
        Assert.Equal(SessionDispatcher.Id, await DispatcherOf(system, "/user/sessions/*"));

        // What waits for the channel threads is counted for the POST answers' pacing (publish-backlog),
        // a message as many deliveries as its channel has sockets here.
        var queue = Assert.IsType<BacklogMessageQueue>(await MessageQueueOf(system, "/user/local-channels/*"));
        Assert.Equal(2, queue.Weight);

        var executor = system.Settings.Config.GetString(HubHosting.SequencerDispatcherId + ".executor");
        Assert.Equal(typeof(InlineExecutorConfigurator), Type.GetType(executor, throwOnError: true));

        var threads = system.Settings.Config.GetInt(HubHosting.ChannelDispatcherId + ".dedicated-thread-pool.thread-count");
        Assert.Equal(Node.Node.Setup.Hub.Settings.ChannelThreads, threads);

        // A small channel may run on its publisher's thread; the node-local channels mark their queues so.
        var channelExecutor = system.Settings.Config.GetString(HubHosting.ChannelDispatcherId + ".executor");
        Assert.Equal(typeof(ChannelExecutorConfigurator), Type.GetType(channelExecutor, throwOnError: true));
        var inlineMax = system.Settings.Config.GetInt(HubHosting.ChannelDispatcherId + ".channel-executor.inline-max-sockets");
        Assert.Equal(Node.Node.Setup.Hub.Settings.SmallChannelSockets, inlineMax);
        Assert.True(queue.RunsInlineWhenSmall);
    }

    private static async Task<Akka.Dispatch.MessageQueues.IMessageQueue> MessageQueueOf(ActorSystem system, string path)
    {
        var identity = await system.ActorSelection(path).Ask<ActorIdentity>(new Identify(path), TimeSpan.FromSeconds(10));
        var actor = Assert.IsAssignableFrom<ActorRefWithCell>(identity.Subject);
        var mailbox = Assert.IsType<ActorCell>(actor.Underlying).Mailbox;
        Assert.NotNull(mailbox);
        return mailbox.MessageQueue;
    }

    // The dispatcher of the first actor that answers at the path (wildcards allowed).
    private static async Task<string> DispatcherOf(ActorSystem system, string path)
    {
        var identity = await system.ActorSelection(path).Ask<ActorIdentity>(new Identify(path), TimeSpan.FromSeconds(10));
        var actor = Assert.IsAssignableFrom<ActorRefWithCell>(identity.Subject);
        return actor.Underlying.Props.Dispatcher;
    }
}
