using Akka.Actor;
using PingActors.Actors.Hub.Channels;
using PingActors.Node.Ops.Console;

namespace PingActors.Tests.Ops;

/// <summary>The console's pieces without a node: the rate ring, the busiest window, the cluster sum, the wire format.</summary>
public sealed class ConsolePartsSpecs
{
    [Fact]
    public void The_rate_ring_keeps_the_newest_points_oldest_first()
    {
        var ring = new RateRing(3);
        Assert.Empty(ring.Snapshot(1000).Published);

        for (var i = 1; i <= 5; i++)
        {
            ring.Add(i * 1000, i, i * 10);
        }

        var series = ring.Snapshot(1000);
        Assert.Equal([3.0, 4, 5], series.Published);
        Assert.Equal([30.0, 40, 50], series.Delivered);
        Assert.Equal(5000, series.NewestAtMs);
    }

    [Fact]
    public void Busiest_channels_count_the_window_only_and_forget_quiet_channels()
    {
        var busiest = new BusiestChannels(window: 3);
        busiest.Add(new ChannelActivity("/a", 10));
        busiest.Add(new ChannelActivity("/b", 4));
        busiest.Tick();
        busiest.Add(new ChannelActivity("/b", 8));
        busiest.Tick();

        Assert.Equal([("/b", 12L), ("/a", 10L)], busiest.Top(10, 1, 1).Select(c => (c.Channel, c.LastMinute)));
        Assert.Equal([("/b", 12L)], busiest.Top(1, 1, 1).Select(c => (c.Channel, c.LastMinute)));

        // The rate is over the last recentTicks ticks (here of 2 s each), the current one included.
        Assert.Equal([("/b", 4.0), ("/a", 0.0)], busiest.Top(10, 1, 2).Select(c => (c.Channel, c.PerSecond)));
        Assert.Equal([("/b", 3.0), ("/a", 2.5)], busiest.Top(10, 2, 2).Select(c => (c.Channel, c.PerSecond)));

        busiest.Tick(); // /a's tick leaves the window of 3
        Assert.Equal([("/b", 8L)], busiest.Top(10, 1, 1).Select(c => (c.Channel, c.LastMinute)));
        busiest.Tick();
        Assert.Empty(busiest.Top(10, 1, 1));
    }

    [Fact]
    public void The_cluster_rates_add_the_members_from_their_newest_point_back()
    {
        var sum = ConsoleEndpoint.Sum([new RateSeries(5000, 1000, [1, 2, 3], [0, 0, 1]), new RateSeries(5200, 1000, [10, 20], [5, 5])]);

        Assert.Equal([1.0, 12, 23], sum.Published);
        Assert.Equal([0.0, 5, 6], sum.Delivered);
        Assert.Equal(5200, sum.NewestAtMs);
        Assert.Empty(ConsoleEndpoint.Sum([]).Published);
    }

    [Fact]
    public async Task The_figures_cross_nodes_as_they_are()
    {
        using var system = ActorSystem.Create("console-wire");
        var serializer = new ConsoleWireSerializer((ExtendedActorSystem)system);
        var figures = new NodeFigures("akka.tcp://PingActors@127.0.0.1:1", 1, 2, 3, 4, 5, 6, 7, 8, new RateSeries(9, 1000, [1.5], [2.5]), [new BusyChannel("/a\"<b>", 10, 0.5)]);

        var back = (NodeFigures)serializer.FromBinary(serializer.ToBinary(figures), serializer.Manifest(figures));
        var get = serializer.FromBinary(serializer.ToBinary(GetNodeFigures.Instance), serializer.Manifest(GetNodeFigures.Instance));

        Assert.Equal(figures with { Rates = back.Rates, Busiest = back.Busiest }, back);
        Assert.Equal(figures.Rates.Published, back.Rates.Published);
        Assert.Equal(figures.Busiest, back.Busiest);
        Assert.Same(GetNodeFigures.Instance, get);
        await system.Terminate();
    }
}
