using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub.Support;

/// <summary>One node shared by the tests of a class; tests use <see cref="ChannelNames.Unique"/> so they never meet.</summary>
public class NodeFixture : IAsyncLifetime
{
    private readonly string[] _sets;

    public NodeFixture()
        : this([])
    {
    }

    protected NodeFixture(params string[] sets) => _sets = sets;

    public TestNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await TestNode.StartAsync(_sets);

    public async Task DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }
}

public static class ChannelNames
{
    private static int _next;

    /// <summary>A channel path no other test uses.</summary>
    public static string Unique(string prefix) => $"/{prefix}-{Interlocked.Increment(ref _next)}-{Guid.NewGuid():N}";
}

/// <summary>Timing-sensitive specs (keepalive with a 1 s timeout) run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "hub serial";
}

public static class Stats
{
    /// <summary>Polls /stats until <paramref name="condition"/> holds, failing with the last snapshot after <paramref name="timeout"/>.</summary>
    public static async Task<System.Text.Json.JsonElement> WaitForAsync(TestNode node, Func<System.Text.Json.JsonElement, bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var stats = await node.StatsAsync();
            if (condition(stats))
            {
                return stats;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"/stats never showed {what ?? "the expected values"}; last: {stats}");
            }

            await Task.Delay(50);
        }
    }

    public static long Published(this System.Text.Json.JsonElement stats) => stats.GetProperty("messages").GetProperty("published").GetInt64();

    public static long Delivered(this System.Text.Json.JsonElement stats) => stats.GetProperty("messages").GetProperty("delivered").GetInt64();

    public static long Dropped(this System.Text.Json.JsonElement stats) => stats.GetProperty("messages").GetProperty("dropped").GetInt64();

    public static long SlowConsumerDisconnects(this System.Text.Json.JsonElement stats) => stats.GetProperty("slow_consumer_disconnects").GetInt64();
}
