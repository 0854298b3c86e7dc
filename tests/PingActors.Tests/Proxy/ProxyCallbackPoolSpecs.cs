using PingActors.Tests.Infrastructure;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Proxy;

/// <summary><c>pingactors.proxy.callback.max-connections</c>: the most callbacks the app is sent at once.</summary>
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
}
