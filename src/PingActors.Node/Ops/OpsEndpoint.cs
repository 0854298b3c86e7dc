using System.Runtime.CompilerServices;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Prometheus;
using PingActors.Actors.Hub;
using PingActors.Node.Hub;
using PingActors.Node.Ops.Console;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Ops;

/// <summary>The operations listener: liveness, a JSON snapshot of the counters, cluster membership, Prometheus metrics, and the live console (docs/console.md).</summary>
public sealed class OpsEndpoint
{
    private static readonly TimeSpan RegionQueryTimeout = TimeSpan.FromSeconds(2);
    private readonly HubRuntime _runtime;
    private readonly HubMetrics _metrics;
    private readonly NodeStatus _status;
    private readonly ActorSystem _system;
    private readonly CollectorRegistry _registry;
    private readonly Gauge _members;
    private readonly Gauge _shards;
    private readonly Gauge _backlog;
    private readonly Gauge _unsubscribedReplay;
    private readonly ConsoleEndpoint _console;

    public OpsEndpoint(HubRuntime runtime, HubMetrics metrics, NodeMetrics nodeMetrics, NodeStatus status, ActorSystem system, ConsoleEndpoint console)
    {
        _console = console;
        _runtime = runtime;
        _metrics = metrics;
        _status = status;
        _system = system;
        _registry = nodeMetrics.Registry;
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        _members = factory.CreateGauge("pingactors_cluster_members", "Cluster members by status, as this node sees them.", "status");
        _shards = factory.CreateGauge("pingactors_shards", "Channel shards hosted by this node.");
        _backlog = factory.CreateGauge("pingactors_fanout_backlog", "Socket deliveries waiting for this node's channel threads (queued messages, each counted as its channel's sockets here).");
        _unsubscribedReplay = factory.CreateGauge("pingactors_replay_unsubscribed_bytes", "Replay bytes kept by this node's channels that have no subscriber (bounded by pingactors.hub.replay.unsubscribed-max-bytes).");
        _registry.AddBeforeCollectCallback(async cancel =>
        {
            _backlog.Set(_runtime.Backlog.Queued);
            _unsubscribedReplay.Set(_runtime.UnsubscribedReplay.Bytes);
            var state = Cluster.Get(_system).State;
            foreach (var status in Enum.GetValues<MemberStatus>())
            {
                _members.WithLabels(status.ToString()).Set(state.Members.Count(m => m.Status == status));
            }

            var stats = await RegionStatsAsync();
            _shards.Set(stats?.Stats.Count ?? 0);
        });
    }

    private static readonly HashSet<string> Paths = new(StringComparer.Ordinal) { "/ping", "/stats", "/cluster", "/metrics", ConsoleEndpoint.PagePath, ConsoleEndpoint.DataPath };

    public async Task HandleAsync(HttpContext context)
    {
        // Every path here is read-only: a POST or DELETE that answered 200 would let a client believe it had
        // changed something. HEAD is GET without the body (Kestrel drops it), so it is allowed too.
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        if (Paths.Contains(path) && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            await HttpAnswers.WriteText(context, StatusCodes.Status405MethodNotAllowed, $"Error: method not allowed. {path} answers GET and HEAD only.\n");
            return;
        }

        switch (path)
        {
            case "/ping":
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync("{\"result\":\"OK\"}", context.RequestAborted);
                break;
            case "/stats":
                context.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(context.Response.Body, await StatsAsync(), StatsJson.Default.NodeStats, context.RequestAborted);
                break;
            case "/cluster":
                context.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(context.Response.Body, Members(), StatsJson.Default.ClusterView, context.RequestAborted);
                break;
            case "/metrics":
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await _registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
                break;
            case ConsoleEndpoint.PagePath or ConsoleEndpoint.DataPath:
                await _console.HandleAsync(context);
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("404 page not found\n", context.RequestAborted);
                break;
        }
    }

    private async Task<NodeStats> StatsAsync()
    {
        var cluster = Cluster.Get(_system);
        var state = cluster.State;
        var region = await RegionStatsAsync();
        return new NodeStats(
            Build: RuntimeFeature.IsDynamicCodeSupported ? "jit" : "native",
            Connections: (long)_metrics.Session.Connections.Value,
            ConnectionsTotal: (long)_metrics.Session.ConnectionsTotal.Value,
            Channels: (long)_metrics.LocalChannels.Value,
            ChannelEntities: (long)_metrics.ChannelEntities.Value,
            ReplayUnsubscribedBytes: _runtime.UnsubscribedReplay.Bytes,
            Shards: region?.Stats.Count ?? -1,
            Messages: new MessageStats(
                Published: (long)_metrics.PublishPost.Value + (long)_metrics.PublishWebSocket.Value,
                Delivered: (long)_metrics.Delivered.Value,
                Dropped: (long)_metrics.Session.Dropped.Value,
                FanoutBacklog: _runtime.Backlog.Queued),
            SlowConsumerDisconnects: (long)_metrics.Session.SlowConsumerDisconnects.Value,
            Cluster: new ClusterStats(
                Self: cluster.SelfAddress.ToString(),
                Status: cluster.SelfMember.Status.ToString(),
                Joined: _status.JoinedCluster,
                Members: state.Members.Count,
                MembersUp: state.Members.Count(m => m.Status == MemberStatus.Up),
                Unreachable: state.Unreachable.Count,
                Leader: state.Leader?.ToString()),
            Recovery: new RecoveryStats((long)_metrics.Recovered.Value, (long)_metrics.NotRecovered.Value),
            Sse: new SseStats(
                (long)_metrics.Sse.Connections.Value,
                (long)_metrics.Sse.ConnectionsTotal.Value,
                (long)_metrics.Sse.Events.Value,
                (long)_metrics.Sse.SlowConsumerDisconnects.Value,
                (long)_metrics.Sse.Refused.Value));
    }

    private ClusterView Members()
    {
        var cluster = Cluster.Get(_system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        return new ClusterView(
            Self: cluster.SelfAddress.ToString(),
            Leader: state.Leader?.ToString(),
            Members: state.Members
                .Select(m => new ClusterMember(m.Address.ToString(), m.Status.ToString(), m.Roles.OrderBy(r => r, StringComparer.Ordinal).ToArray(), !unreachable.Contains(m.Address)))
                .ToArray());
    }

    private async Task<ShardRegionStats?> RegionStatsAsync()
    {
        try
        {
            return await _runtime.ChannelRegion.Ask<ShardRegionStats>(GetShardRegionStats.Instance, RegionQueryTimeout);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
