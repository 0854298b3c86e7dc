using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;

namespace PingActors.Node.Ops.Console;

/// <summary>
/// The live console on the ops listener: <c>GET /</c> is one self-contained page (<see cref="ConsolePage"/>), which
/// polls <c>GET /@console/data</c> every second. The data is gathered on request: this node asks every reachable
/// member's <see cref="ConsoleRecorder"/> for its figures over the cluster, each answer bounded by
/// <see cref="MemberTimeout"/>, so a slow or lost member costs one refresh a second at most and shows as not answering.
/// </summary>
public sealed class ConsoleEndpoint(ActorSystem system, ConsoleRecorderHost recorder)
{
    public const string PagePath = "/";
    public const string DataPath = "/@console/data";

    public static readonly TimeSpan MemberTimeout = TimeSpan.FromSeconds(1);

    private const int BusiestShown = 10;

    public static bool Serves(string? path) => path is PagePath or DataPath;

    public async Task HandleAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        if (context.Request.Path.Value == PagePath)
        {
            // The page needs nothing but itself and its data: a browser that honours this policy proves it works offline.
            headers.ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.Body.WriteAsync(ConsolePage.Html, context.RequestAborted);
            return;
        }

        var data = await GatherAsync(context.RequestAborted);
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, data, ConsoleJson.Default.ConsoleData, context.RequestAborted);
    }

    public async Task<ConsoleData> GatherAsync(CancellationToken cancel)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members
            .Select(m => new ClusterMember(m.Address.ToString(), m.Status.ToString(), m.Roles.OrderBy(r => r, StringComparer.Ordinal).ToArray(), !unreachable.Contains(m.Address)))
            .ToArray();
        var asked = state.Members
            .Where(m => m.Status is not (MemberStatus.Removed or MemberStatus.Down))
            .Select(m => FiguresOfAsync(m.Address, cluster.SelfAddress, unreachable.Contains(m.Address), cancel))
            .ToArray();
        var nodes = await Task.WhenAll(asked);
        var answered = nodes.Where(n => n.Figures is not null).Select(n => n.Figures!).ToArray();
        return new ConsoleData(
            Self: cluster.SelfAddress.ToString(),
            Leader: state.Leader?.ToString(),
            AtMs: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Members: members,
            Nodes: nodes,
            Busiest: answered
                .SelectMany(f => f.Busiest.Select(b => new ConsoleBusyChannel(b.Channel, f.Address, b.LastMinute, b.PerSecond)))
                .OrderByDescending(b => b.LastMinute)
                .ThenBy(b => b.Channel, StringComparer.Ordinal)
                .Take(BusiestShown)
                .ToArray(),
            Rates: Sum(answered.Select(f => f.Rates).ToArray()),
            Totals: new ConsoleTotals(
                answered.Length,
                answered.Sum(f => f.Connections),
                answered.Sum(f => f.Channels),
                answered.Sum(f => f.SlowConsumerDisconnects),
                answered.Sum(f => f.Dropped)));
    }

    private async Task<ConsoleNode> FiguresOfAsync(Address member, Address self, bool unreachable, CancellationToken cancel)
    {
        if (unreachable)
        {
            // Its answer could not arrive: no need to wait for the timeout to say so.
            return new ConsoleNode(member.ToString(), null);
        }

        try
        {
            var target = member.Equals(self)
                ? recorder.Recorder
                : (ICanTell)system.ActorSelection(new RootActorPath(member) / "user" / ConsoleRecorder.Name);
            var figures = await target.Ask<NodeFigures>(GetNodeFigures.Instance, MemberTimeout, cancel);
            return new ConsoleNode(member.ToString(), figures);
        }
        catch (AskTimeoutException)
        {
            return new ConsoleNode(member.ToString(), null);
        }
    }

    /// <summary>The members' series added point by point from the newest back (their timers tick within a second of each other).</summary>
    internal static RateSeries Sum(RateSeries[] series)
    {
        if (series.Length == 0)
        {
            return new RateSeries(0, (int)ConsoleRecorder.Interval.TotalMilliseconds, [], []);
        }

        var length = series.Max(s => s.Published.Length);
        var published = new double[length];
        var delivered = new double[length];
        foreach (var s in series)
        {
            var offset = length - s.Published.Length;
            for (var i = 0; i < s.Published.Length; i++)
            {
                published[offset + i] += s.Published[i];
                delivered[offset + i] += s.Delivered[i];
            }
        }

        return new RateSeries(series.Max(s => s.NewestAtMs), series[0].IntervalMs, published, delivered);
    }
}
