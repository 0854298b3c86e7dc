namespace PingActors.Node.Configuration.Kuiperbelt;

/// <summary>One of ekbo's flags as given (-port, -sock, -log-level, -gops-addr), and where it stood among the overrides.</summary>
internal sealed record EkboFlag(string Name, string Value, int Position);

/// <summary>
/// ekbo's flags (kuiperbelt's cmd/ekbo), turned into overrides once the whole command line is known: -port
/// is the proxy's port beside a kuiperbelt config and the remoting port (--port) without one, as it was
/// before kuiperbelt configs were read; the others mean nothing without a kuiperbelt config.
/// </summary>
internal static class EkboFlags
{
    private static readonly Dictionary<string, string> LogLevels = new(StringComparer.Ordinal)
    {
        ["debug"] = "debug",
        ["info"] = "information",
        ["warn"] = "warning",
        ["error"] = "error",
    };

    public static void Place(IReadOnlyList<EkboFlag> flags, List<Override> overrides, bool kuiperbelt)
    {
        var port = flags.FirstOrDefault(f => Is(f, "port"));
        var sock = flags.FirstOrDefault(f => Is(f, "sock"));
        if (kuiperbelt && port is not null && sock is not null)
        {
            throw new ConfigException($"command line: {port.Name}, {sock.Name}: expected one of them (ekbo refuses both too), got both");
        }

        // Inserted last first, so each earlier position still points where it did.
        foreach (var flag in flags.Reverse())
        {
            if (Translate(flag, kuiperbelt) is { } set)
            {
                overrides.Insert(flag.Position, set);
            }
        }
    }

    private static Override? Translate(EkboFlag flag, bool kuiperbelt)
    {
        if (Is(flag, "port") && !kuiperbelt)
        {
            return new("akka.remote.dot-netty.tcp.port", flag.Value, flag.Name);
        }

        if (!kuiperbelt)
        {
            throw new ConfigException($"command line: {flag.Name}: expected a kuiperbelt config beside it (--kuiperbelt-config FILE, or -config FILE.yml), got none (see --help)");
        }

        return flag.Name.TrimStart('-') switch
        {
            "port" => new("pingactors.proxy.listen", "0.0.0.0:" + (KuiperbeltConfig.Port(flag.Value)
                ?? throw new ConfigException($"command line: {flag.Name}: expected a port number from 0 to 65535, got \"{flag.Value}\"")), flag.Name),
            "sock" => new("pingactors.proxy.listen", "unix:" + Path.GetFullPath(flag.Value), flag.Name),
            "log-level" => new("pingactors.log.level", LogLevels.GetValueOrDefault(flag.Value)
                ?? throw new ConfigException($"command line: {flag.Name}: expected one of debug, info, warn, error, got \"{flag.Value}\""), flag.Name),
            _ => null, // -gops-addr: ekbo's debugging agent, which the node has no equivalent of.
        };
    }

    private static bool Is(EkboFlag flag, string name) => flag.Name.TrimStart('-') == name;
}
