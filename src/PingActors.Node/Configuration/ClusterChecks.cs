namespace PingActors.Node.Configuration;

/// <summary>
/// Start-up checks for the remoting and seed settings that fail silently at run time (akka-notes §5):
/// a node advertising 0.0.0.0, and loopback seeds spelled differently from the address the seed node
/// advertises (akka.tcp://PingActors@localhost:4053 never matches a node bound to 127.0.0.1).
/// </summary>
public static class ClusterChecks
{
    /// <summary>The ActorSystem's name, part of every node's remoting address (akka.tcp://PingActors@host:port).</summary>
    public const string SystemName = "PingActors";

    private const string Hostname = "akka.remote.dot-netty.tcp.hostname";
    private const string PublicHostname = "akka.remote.dot-netty.tcp.public-hostname";
    private const string Seeds = "akka.cluster.seed-nodes";

    public static void Validate(LoadedConfig loaded)
    {
        var config = loaded.Config;
        var hostname = config.GetString(Hostname, string.Empty);
        var publicHostname = config.GetString(PublicHostname, string.Empty);
        if (hostname is "0.0.0.0" or "::" or "[::]" && string.IsNullOrEmpty(publicHostname))
        {
            throw new ConfigException($"{loaded.SourceOf(Hostname)}: {PublicHostname}: expected the address other nodes use to reach this one when {Hostname} is {hostname}, got nothing");
        }

        var advertised = string.IsNullOrEmpty(publicHostname) ? hostname : publicHostname;
        if (!IsLoopback(advertised))
        {
            return;
        }

        foreach (var seed in config.GetStringList(Seeds) ?? [])
        {
            var host = HostOf(seed);
            if (host is not null && IsLoopback(host) && !string.Equals(host, advertised, StringComparison.Ordinal))
            {
                throw new ConfigException($"{loaded.SourceOf(Seeds)}: {Seeds}: expected loopback seeds spelled as this node advertises itself ({advertised}), got {seed}");
            }
        }
    }

    private static bool IsLoopback(string host) => host is "localhost" or "::1" or "[::1]" || host.StartsWith("127.", StringComparison.Ordinal);

    private static string? HostOf(string seed)
    {
        var at = seed.IndexOf('@');
        var colon = seed.LastIndexOf(':');
        return at < 0 || colon <= at ? null : seed[(at + 1)..colon];
    }
}
