using PingActors.Node.WebSockets;

namespace PingActors.Tests.WebSockets;

/// <summary>
/// The interval given to .NET's WebSocket, against .NET's rule (a ping once the client has sent nothing for
/// that interval, looked for every quarter of the shorter of interval and timeout, at least every second):
/// the latest ping must fall within the configured interval, and not needlessly early.
/// </summary>
public sealed class KeepAlivePlanSpecs
{
    [Theory]
    [InlineData(27, 30)]
    [InlineData(27, 10)]
    [InlineData(10, 60)]
    [InlineData(4, 30)]
    [InlineData(2, 10)]
    [InlineData(60, 60)]
    public void The_latest_ping_falls_within_the_configured_interval(int intervalSeconds, int timeoutSeconds)
    {
        var (interval, timeout) = (TimeSpan.FromSeconds(intervalSeconds), TimeSpan.FromSeconds(timeoutSeconds));

        var given = KeepAlivePlan.DotNetInterval(interval, timeout);
        var latest = given + KeepAlivePlan.DotNetCheckPeriod(given, timeout);

        Assert.True(latest <= interval + TimeSpan.FromMilliseconds(1), $"latest ping {latest.TotalSeconds}s after the client's last frame, asked for {interval.TotalSeconds}s");
        Assert.True(latest >= interval - TimeSpan.FromMilliseconds(1), $"latest ping {latest.TotalSeconds}s, needlessly before {interval.TotalSeconds}s");
    }

    [Fact]
    public void Without_a_timeout_the_interval_is_left_as_is()
    {
        var interval = TimeSpan.FromSeconds(27);

        Assert.Equal(interval, KeepAlivePlan.DotNetInterval(interval, Timeout.InfiniteTimeSpan));
        Assert.Equal(TimeSpan.Zero, KeepAlivePlan.DotNetInterval(TimeSpan.Zero, TimeSpan.FromSeconds(30)));
    }
}
