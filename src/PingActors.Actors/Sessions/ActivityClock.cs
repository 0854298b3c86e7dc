namespace PingActors.Actors.Sessions;

/// <summary>
/// When a session last saw traffic that shows it is in use, for an idle timeout: touched by whoever sees
/// that traffic (the session's feature for messages either way, the socket's transport for client pings),
/// read by the session actor when its idle timer fires. A timestamp rather than a timer per message keeps
/// each message at one volatile write.
/// </summary>
public sealed class ActivityClock
{
    private long _lastMs = Environment.TickCount64;

    public void Touch() => Volatile.Write(ref _lastMs, Environment.TickCount64);

    public TimeSpan IdleFor => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastMs));

    /// <summary>When that traffic was, as wall-clock time (to the millisecond).</summary>
    public DateTimeOffset LastActiveAt => DateTimeOffset.UtcNow - IdleFor;
}
