using System.Diagnostics;
using System.Text.Json;
using PingActors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PingActors.Tests.Cluster;

/// <summary>
/// The cluster specs start several node processes each; they run one at a time and after the parallel
/// specs, so a 2-core machine is not asked to run two clusters (or a cluster and the hub specs) at once.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster processes";
}

/// <summary>
/// Node processes on loopback, each with fixed remoting, hub and ops ports, every node listing every
/// node as a seed (akka-notes §5 item 9: with fewer seeds a restarted first seed forms an island).
/// Node 0 is first in the seed list, so it forms the cluster and is its oldest member (the sharding
/// coordinator's home) until it leaves. Disposing kills every process still running.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly NodeProcess?[] _nodes;
    private readonly ITestOutputHelper _output;
    private readonly string[] _sets;

    private LocalCluster(int count, ITestOutputHelper output, string[] sets)
    {
        _output = output;
        _sets = sets;
        _nodes = new NodeProcess?[count];
        var ports = new HashSet<int>();
        while (ports.Count < count * 3)
        {
            ports.Add(FixedPort());
        }

        var all = ports.ToArray();
        AkkaPorts = all[..count];
        HubPorts = all[count..(2 * count)];
        OpsPorts = all[(2 * count)..];
    }

    public int[] AkkaPorts { get; }

    public int[] HubPorts { get; }

    public int[] OpsPorts { get; }

    public int Count => _nodes.Length;

    /// <summary>The running process of node <paramref name="i"/> (fails if it was stopped).</summary>
    public NodeProcess this[int i] => _nodes[i] ?? throw new InvalidOperationException($"node {i} is not running");

    public string Name(int i) => "node" + i + ":" + AkkaPorts[i];

    /// <summary>
    /// Starts <paramref name="count"/> nodes at once and waits until every one sees all of them Up. If a
    /// port was taken between choosing it and binding it (another program on the machine), starts again
    /// on other ports.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(int count, ITestOutputHelper output, params string[] sets)
    {
        for (var attempt = 1; ; attempt++)
        {
            var cluster = new LocalCluster(count, output, sets);
            try
            {
                var started = DateTime.UtcNow;
                await Task.WhenAll(Enumerable.Range(0, count).Select(cluster.StartNodeAsync));
                await cluster.WaitForMembersUpAsync(count, TimeSpan.FromSeconds(60));
                output.WriteLine($"{count} nodes Up in {(DateTime.UtcNow - started).TotalSeconds:F1} s (remoting ports {string.Join(", ", cluster.AkkaPorts)})");
                return cluster;
            }
            catch (Exception e) when (attempt < 3 && e.Message.Contains("already in use", StringComparison.Ordinal))
            {
                output.WriteLine($"a port was taken meanwhile, starting again on other ports: {e.Message.Split('\n')[0]}");
                await cluster.DisposeAsync();
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// A free port below the kernel's ephemeral range (32768+ on Linux), so the outgoing connections of
    /// other programs (a benchmark with thousands of sockets) cannot take it before the node binds it.
    /// </summary>
    public static int FixedPort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // In use: try another.
            }
        }
    }

    /// <summary>Starts (or restarts, on the same ports) node <paramref name="i"/> and waits until it is Up.</summary>
    public async Task<NodeProcess> StartNodeAsync(int i)
    {
        if (_nodes[i] is { HasExited: false })
        {
            throw new InvalidOperationException($"node {i} is still running");
        }

        if (_nodes[i] is { } old)
        {
            await old.DisposeAsync();
        }

        _nodes[i] = null;
        _nodes[i] = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            AkkaPort = AkkaPorts[i],
            SeedPorts = AkkaPorts,
            EphemeralListeners = false,
            Sets =
            [
                $"pingactors.hub.listen=127.0.0.1:{HubPorts[i]}",
                $"pingactors.ops.listen=127.0.0.1:{OpsPorts[i]}",
                "akka.loglevel=WARNING",
                .. _sets,
            ],
            StartTimeout = TimeSpan.FromSeconds(90),
        });
        return _nodes[i]!;
    }

    /// <summary>SIGKILL: no shutdown at all, as a crashed machine or the OOM killer.</summary>
    public async Task KillAsync(int i)
    {
        var node = this[i];
        await node.KillAsync();
        Assert.True(node.HasExited, $"{Name(i)} still running after SIGKILL");
    }

    /// <summary>The nodes that are running, by index.</summary>
    public IEnumerable<int> Running => Enumerable.Range(0, Count).Where(i => _nodes[i] is { HasExited: false });

    /// <summary>
    /// Polls /stats of every running node (but <paramref name="except"/>) until each sees exactly
    /// <paramref name="members"/> members, all Up and reachable.
    /// </summary>
    public async Task WaitForMembersUpAsync(int members, TimeSpan timeout, int except = -1)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = new Dictionary<int, string>();
        while (true)
        {
            var done = true;
            foreach (var i in Running.Where(i => i != except))
            {
                var stats = await StatsAsync(i);
                var c = stats.GetProperty("cluster");
                last[i] = c.ToString();
                done &= c.GetProperty("members").GetInt32() == members
                    && c.GetProperty("members_up").GetInt32() == members
                    && c.GetProperty("unreachable").GetInt32() == 0;
            }

            if (done)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not {members} members Up within {timeout}:\n{string.Join("\n", last.Select(kv => Name(kv.Key) + ": " + kv.Value))}\n{Transcripts()}");
            }

            await Task.Delay(200);
        }
    }

    public async Task<JsonElement> StatsAsync(int i)
    {
        var json = await Http.GetStringAsync(new Uri(this[i].OpsUri!, "/stats"));
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>How many channel entities node <paramref name="i"/> hosts.</summary>
    public async Task<long> EntitiesAsync(int i) => (await StatsAsync(i)).GetProperty("channel_entities").GetInt64();

    /// <summary>
    /// A new channel whose entity lives on node <paramref name="host"/>, kept alive by a subscriber on
    /// <paramref name="via"/> (returned; the caller disposes it). Shard allocation is not predictable from
    /// outside, so this tries channel names until the host's entity count goes up by one. Only valid
    /// while this test's entities are the only ones being created. Tries for a while rather than a number
    /// of times: right after the cluster is Up a node's shard region may not be registered with the
    /// coordinator yet, and until it is no new shard is allocated to it (seen under the native build:
    /// 40 quick attempts all landed elsewhere).
    /// </summary>
    public async Task<(string Path, WsClient Keeper)> ChannelHostedOnAsync(int host, int via, string prefix)
    {
        var trying = Stopwatch.StartNew();
        var attempt = 0;
        while (trying.Elapsed < TimeSpan.FromSeconds(30))
        {
            attempt++;
            var before = await EntitiesAsync(host);
            var path = $"/{prefix}-{Guid.NewGuid():N}";

            // The handshake completes only once the entity confirmed the subscription, so the entity exists now.
            var keeper = await WsClient.ConnectAsync(this[via].WsUri(path));
            if (await EntitiesAsync(host) == before + 1)
            {
                _output.WriteLine($"channel {path} is hosted on {Name(host)} (attempt {attempt}, {trying.Elapsed.TotalSeconds:F1} s)");
                return (path, keeper);
            }

            await keeper.DisposeAsync();
        }

        throw new InvalidOperationException($"no channel landed on {Name(host)} in {attempt} attempts over {trying.Elapsed.TotalSeconds:F0} s");
    }

    public string Transcripts() =>
        string.Join("\n", Enumerable.Range(0, Count).Where(i => _nodes[i] is not null).Select(i => $"===== {Name(i)} =====\n{_nodes[i]!.Transcript}"));

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Where(n => n is not null).Select(n => n!.DisposeAsync().AsTask()));
    }
}
