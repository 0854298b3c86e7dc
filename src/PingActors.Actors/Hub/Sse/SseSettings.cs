namespace PingActors.Actors.Hub.Sse;

/// <summary>Typed view of <c>pingactors.hub.sse</c> (hocon/reference.conf).</summary>
public sealed record SseSettings
{
    /// <summary>pingactors.hub.sse.enabled: a GET that accepts text/event-stream subscribes; off, it is served as any other GET.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>pingactors.hub.sse.heartbeat: a comment goes to a stream that was quiet this long; zero: none.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>pingactors.hub.sse.retry: the reconnection delay the stream's first line asks of the client.</summary>
    public TimeSpan Retry { get; init; } = TimeSpan.FromSeconds(2);
}
