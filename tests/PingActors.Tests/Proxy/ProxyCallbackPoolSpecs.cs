using PingActors.Tests.Infrastructure;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Proxy;

/// <summary>
/// The node's pool of connections to the app: <c>pingactors.proxy.callback.max-connections</c>, the most callbacks
/// the app is sent at once, and <c>connection-lifetime</c>, after which a pooled connection is replaced.
/// </summary>
public sealed class ProxyCallbackPoolSpecs
{
    private const int Clients = 4;

    [Theory]
    [InlineData(1)]
    [InlineData(Clients)]
    public async Task Connect_callbacks_in_flight_at_once_are_bounded_by_max_connections(int maxConnections)
    {
        await using var proxy = await ProxyNode.StartAsync([], $"pingactors.proxy.callback.max-connections={maxConnections}");
        var next = 0;
        proxy.App.Connect = _ => CallbackAnswer.Session("s" + Interlocked.Increment(ref next)) with { Delay = TimeSpan.FromMilliseconds(300) };

        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => proxy.ConnectAsync()));

        // Every connect was answered (the ones waiting for the pool's one connection too), and the app never had
        // more at once than the pool allows; with room for all, they overlapped.
        Assert.Equal(Clients, next);
        if (maxConnections == 1)
        {
            Assert.Equal(1, proxy.App.MostInFlight);
        }
        else
        {
            Assert.InRange(proxy.App.MostInFlight, 2, maxConnections);
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_pooled_connection_is_kept_within_its_lifetime_and_replaced_after_it()
    {
        var lifetime = TimeSpan.FromSeconds(2);
        await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.callback.connection-lifetime=2s");

        await using var first = await proxy.ConnectAsync();
        var firstPort = (await proxy.App.NextAsync("/connect")).RemotePort;
        await using var second = await proxy.ConnectAsync();
        var secondPort = (await proxy.App.NextAsync("/connect")).RemotePort;

        // Past the lifetime the pool opens a new connection for the next callback (kuiperbelt closes its own
        // about every 10 s for the same reason: a scaled-out app behind a balancer gets its share).
        await Task.Delay(lifetime + TimeSpan.FromMilliseconds(500));
        await using var third = await proxy.ConnectAsync();
        var thirdPort = (await proxy.App.NextAsync("/connect")).RemotePort;

        Assert.Equal(firstPort, secondPort);
        Assert.NotEqual(firstPort, thirdPort);
    }
}
