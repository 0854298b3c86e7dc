namespace PingActors.Node.Configuration;

/// <summary>
/// Shutdown bounds too short for the drain the other settings ask for. Not an error: an operator may want a
/// short shutdown over a gentle one. But sockets still closing when a bound runs out are aborted (clients
/// see 1006, not 1001 "server shutting down"), so the node says so when it starts.
/// </summary>
public static class ShutdownBounds
{
    public const string DownedPhaseTimeout = "akka.coordinated-shutdown.phases.before-service-unbind.timeout";

    /// <summary>
    /// The longest a drain of the node's sockets may take: the window they are closed over, the last one's
    /// close handshake (the longest close-timeout of the features on), and a second for the rest.
    /// </summary>
    public static TimeSpan DrainBound(NodeSettings settings, TimeSpan closeTimeout) => settings.DrainWindow + closeTimeout + TimeSpan.FromSeconds(1);

    /// <param name="closeTimeoutKey">The close-timeout the drain waits for, as the user would set it.</param>
    public static IReadOnlyList<string> Warnings(LoadedConfig loaded, NodeSettings settings, TimeSpan closeTimeout, string closeTimeoutKey)
    {
        var drain = DrainBound(settings, closeTimeout);
        var because = $"a drain may take {Seconds(drain)} (pingactors.shutdown.drain-window {Seconds(settings.DrainWindow)}"
            + $" + {closeTimeoutKey} {Seconds(closeTimeout)} + 1s); sockets still closing then are aborted";
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
