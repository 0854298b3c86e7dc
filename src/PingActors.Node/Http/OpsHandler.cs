using System.Text.Json;
using Akka.Cluster;
using Prometheus;
using PingActors.Actors.Metrics;
using PingActors.Node.Hosting;

namespace PingActors.Node.Http;

/// <summary>The operations listener: liveness, a JSON snapshot of the counters, and Prometheus metrics.</summary>
public sealed class OpsHandler(HubRuntime runtime, HubMetrics metrics)
{
    public async Task HandleAsync(HttpContext context)
    {
        switch (context.Request.Path.Value)
        {
            case "/ping":
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync("{\"result\":\"OK\"}", context.RequestAborted);
                break;
            case "/stats":
                context.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(context.Response.Body, Stats(), StatsJson.Default.NodeStats, context.RequestAborted);
                break;
            case "/metrics":
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("404 page not found\n", context.RequestAborted);
                break;
        }
    }

    private NodeStats Stats()
    {
        var cluster = Cluster.Get(runtime.System);
        var state = cluster.State;
        return new NodeStats(
            Connections: (long)metrics.Connections.Value,
            ConnectionsTotal: (long)metrics.ConnectionsTotal.Value,
            Channels: (long)metrics.LocalChannels.Value,
            ChannelEntities: (long)metrics.ChannelEntities.Value,
            Messages: new MessageStats(
                Published: (long)metrics.Published.WithLabels("post").Value + (long)metrics.Published.WithLabels("websocket").Value,
                Delivered: (long)metrics.Delivered.Value,
                Dropped: (long)metrics.Dropped.Value),
            SlowConsumerDisconnects: (long)metrics.SlowConsumerDisconnects.Value,
            Cluster: new ClusterStats(
                Self: cluster.SelfAddress.ToString(),
                Status: cluster.SelfMember.Status.ToString(),
                Members: state.Members.Count,
                MembersUp: state.Members.Count(m => m.Status == MemberStatus.Up),
                Unreachable: state.Unreachable.Count));
    }
}
