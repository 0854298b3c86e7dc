using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>pingactors.hub.io-queues reaches Kestrel's socket transport, and a node with one queue still serves.</summary>
public sealed class IoQueueSpecs
{
    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task A_set_io_queue_count_is_the_transports_and_messages_still_flow(int queues)
    {
        await using var node = await TestNode.StartAsync($"pingactors.hub.io-queues={queues}");
        var channel = ChannelNames.Unique("ioq");
        await using var first = await node.ConnectAsync(channel);
        await using var second = await node.ConnectAsync(channel);
        using var response = await node.PostAsync(channel, "through the queues");

        Assert.Equal("through the queues", await first.ReceiveTextAsync());
        Assert.Equal("through the queues", await second.ReceiveTextAsync());
        Assert.Equal(queues, node.Node.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.IOQueueCount);
    }

    [Fact]
    public async Task Auto_leaves_kestrels_default()
    {
        await using var node = await TestNode.StartAsync();

        Assert.Equal(new SocketTransportOptions().IOQueueCount, node.Node.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.IOQueueCount);
    }
}
