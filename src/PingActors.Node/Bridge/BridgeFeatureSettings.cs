using PingActors.Actors.Bridge.Backends;
using PingActors.Actors.Sessions;
using PingActors.Node.Configuration;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Bridge;

/// <summary>
/// Typed, validated view of <c>pingactors.bridge</c> (websocksy's socket bridge): its listener, the peers it may
/// reach, and the backend that picks them (<see cref="Backend"/> is null while the bridge is off: a backend of
/// your own is not even loaded then).
/// </summary>
/// <param name="Allow">The peers any backend may name; null lets every peer through, as websocksy does.</param>
public sealed record BridgeFeatureSettings(
    bool Enabled,
    ListenAddress Listen,
    AllowList? Allow,
    TimeSpan ConnectTimeout,
    IBridgeBackend? Backend,
    BackendSettings BackendSettings,
    SessionSettings Session,
    string CloseTimeoutKey)
{
    public const string Name = "bridge";
    public const string ListenKey = "pingactors.bridge.listen";
    public const string AllowKey = "pingactors.bridge.allow";

    private const string Section = "pingactors.bridge";
    private const string BackendSection = "pingactors.bridge.backend";

    /// <summary>True when any peer a backend names is reached: the node warns at start, as this is an open proxy.</summary>
    public bool OpenProxy => Allow is null;

    internal static BridgeFeatureSettings From(SettingsReader reader)
    {
        var enabled = reader.Bool($"{Section}.enabled");
        var backendSettings = ReadBackend(reader);
        return new BridgeFeatureSettings(
            enabled,
            reader.Listen(ListenKey),
            ReadAllow(reader),
            reader.Duration($"{Section}.connect-timeout", positive: true),
            enabled ? CreateBackend(reader, backendSettings) : null,
            backendSettings,
            SessionSettingsReader.Read(reader, Name),
            SessionSettingsReader.KeyFor(reader, Name, "outbound.close-timeout"));
    }

    private static AllowList? ReadAllow(SettingsReader reader)
    {
        const string expected = "null or a list of peers such as [\"tcp://db.internal:5432\", \"udp://10.0.0.1:*\", \"unix:///run/app/*\"]";
        if (!reader.IsList(AllowKey))
        {
            // Akka reads a lone string as a list of one; here only null means "no list".
            return reader.IsNull(AllowKey) ? null : reader.Get<AllowList?>(AllowKey, expected, () => throw new FormatException());
        }

        var patterns = reader.StringList(AllowKey, expected, _ => true);
        try
        {
            return AllowList.Parse(patterns);
        }
        catch (FormatException e)
        {
            throw new ConfigException($"{reader.SourceOf(AllowKey)}: {AllowKey}: {e.Message}");
        }
    }

    private static BackendSettings ReadBackend(SettingsReader reader)
    {
        string Key(string name) => $"{BackendSection}.{name}";
        var portKey = Key("port");
        var port = reader.Int(portKey, min: 1);
        return new BackendSettings(
            reader.String(Key("type")),
            reader.String(Key("assembly")),
            reader.String(Key("host")),

            // Only a port set by the operator competes with the host's own (DefaultBackend); reference.conf's 5900 is the fallback.
            reader.IsSet(portKey) ? port : null,
            reader.String(Key("framing")),
            reader.String(Key("framing-config")),
            reader.String(Key("protocol")),
            reader.String(Key("path")),
            reader.StringList(Key("expressions"), "a list of file names such as [\"%endpoint%.txt\", \"default.txt\"]", _ => true),
            reader.StringMap(Key("settings")).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
    }

    private static IBridgeBackend CreateBackend(SettingsReader reader, BackendSettings settings)
    {
        try
        {
            return BackendFactory.Create(settings);
        }
        catch (BackendConfigurationException e)
        {
            // A key left at reference.conf's value (path = "") is at fault because of whoever chose the type.
            var key = $"{BackendSection}.{e.Key}";
            var source = reader.IsSet(key) ? reader.SourceOf(key) : reader.SourceOf($"{BackendSection}.type");
            throw new ConfigException($"{source}: {key}: {e.Message}");
        }
    }
}
