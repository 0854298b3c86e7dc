namespace PingActors.Node.WebSockets;

/// <summary>
/// What to ask of .NET's WebSocket so that its pings come within <c>keepalive.interval</c>, as documented
/// and as Pinghub's fixed ticker does (a client or proxy with a 30 s read deadline relies on it).
/// </summary>
/// <remarks>
/// With a pong timeout, .NET pings a client that has sent nothing for its <c>KeepAliveInterval</c>, but looks
/// only every quarter of the shorter of interval and timeout, at least every second: asked for 27 s with a
/// 30 s timeout, it pinged 27 to 33.75 s after the client's last frame. So it is given the interval whose
/// latest ping still falls within the configured one. Without a timeout .NET sends an unsolicited pong on a
/// timer of exactly the interval, which needs no correction.
/// </remarks>
public static class KeepAlivePlan
{
    private static readonly TimeSpan MinCheck = TimeSpan.FromSeconds(1);

    /// <summary>The <c>KeepAliveInterval</c> to give .NET for pings at most <paramref name="interval"/> apart.</summary>
    public static TimeSpan DotNetInterval(TimeSpan interval, TimeSpan timeout)
    {
        if (interval <= TimeSpan.Zero || timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan)
        {
            return interval;
        }

        // Solve d + check(d) = interval, where check(d) = max(1 s, min(d, timeout) / 4).
        var d = interval * 0.8;
        if (d > timeout)
        {
            d = interval - Max(MinCheck, timeout / 4);
        }
        else if (d / 4 < MinCheck)
        {
            d = interval - MinCheck;
        }

        // An interval of a second or less cannot be met to the letter; ping as often as .NET looks.
        return d > TimeSpan.Zero ? d : TimeSpan.FromMilliseconds(1);
    }

    /// <summary>How late .NET may send a ping asked for every <paramref name="dotNetInterval"/> (its check period).</summary>
    public static TimeSpan DotNetCheckPeriod(TimeSpan dotNetInterval, TimeSpan timeout) =>
        Max(MinCheck, (dotNetInterval < timeout ? dotNetInterval : timeout) / 4);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
