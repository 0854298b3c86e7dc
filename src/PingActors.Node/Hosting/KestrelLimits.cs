namespace PingActors.Node.Hosting;

/// <summary>
/// How many connections Kestrel takes at once. Every socket is a file descriptor: Kestrel counts upgraded
/// (WebSocket) connections apart from plain HTTP ones, and together they must stay within the open-file
/// budget, or the accept loop spins on EMFILE (<see cref="OpenFileLimit"/>).
/// </summary>
public sealed record KestrelLimits(long? WebSockets, long? Http)
{
    /// <summary>
    /// With <c>max-connections = auto</c>: plain HTTP gets a twentieth of the budget (at most 512), WebSockets the
    /// rest. A number caps WebSockets alone and leaves plain HTTP unlimited, as the operator asked.
    /// </summary>
    public static KestrelLimits For(long? budget, long? maxConnections)
    {
        var http = budget is { } b ? Math.Max(1, Math.Min(512, b / 20)) : (long?)null;
        return maxConnections is { } max ? new KestrelLimits(max, null) : new KestrelLimits(budget - http, http);
    }
}
