namespace PingActors.Node.Configuration;

/// <summary>
/// Shutdown bounds too short for the drain the other settings ask for. Not an error: an operator may want a
/// short shutdown over a gentle one. But sockets still closing when a bound runs out are aborted (clients
/// see 1006, not 1001 "server shutting down"), so the node says so when it starts.
/// </summary>
public static class ShutdownBounds
{
    public const string DownedPhaseTimeout = "akka.coordinated-shutdown.phases.before-service-unbind.timeout";

    public static IReadOnlyList<string> Warnings(LoadedConfig loaded, NodeSettings settings)
    {
        var drain = settings.DrainBound;
        var because = $"a drain may take {Seconds(drain)} (pingactors.shutdown.drain-window {Seconds(settings.DrainWindow)}"
            + $" + pingactors.hub.outbound.close-timeout {Seconds(settings.Hub.CloseTimeout)} + 1s); sockets still closing then are aborted";
        var warnings = new List<string>();
        if (settings.ShutdownTimeout <= drain)
        {
            warnings.Add($"{loaded.SourceOf("pingactors.shutdown.timeout")}: pingactors.shutdown.timeout {Seconds(settings.ShutdownTimeout)}"
                + $" leaves no time after the drain to leave the cluster: {because}");
        }

        var phase = loaded.Config.GetTimeSpan(DownedPhaseTimeout, null, allowInfinite: false);
        if (phase < drain)
        {
            warnings.Add($"{loaded.SourceOf(DownedPhaseTimeout)}: {DownedPhaseTimeout} {Seconds(phase)} is where a node downed by the cluster drains: {because}");
        }

        return warnings;
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###}s";
}
