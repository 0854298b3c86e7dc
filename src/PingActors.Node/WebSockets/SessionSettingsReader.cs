using PingActors.Actors.Sessions;
using PingActors.Node.Configuration;

namespace PingActors.Node.WebSockets;

/// <summary>
/// Reads one feature's <see cref="SessionSettings"/>: each key of <c>pingactors.websocket</c>, unless the
/// feature's own section sets the same key (<c>pingactors.hub.max-message-size</c>), which then wins for it.
/// </summary>
internal static class SessionSettingsReader
{
    public static SessionSettings Read(SettingsReader reader, string feature)
    {
        string Key(string name) => KeyFor(reader, feature, name);

        var settings = new SessionSettings
        {
            MaxMessageSize = reader.Size(Key("max-message-size"), min: 1, max: 64 * 1024 * 1024),
            OutboundMaxMessages = reader.Int(Key("outbound.max-messages"), min: 1),
            OutboundMaxBytes = reader.Size(Key("outbound.max-bytes"), min: 1, max: int.MaxValue),
            Overflow = reader.Choice(Key("outbound.overflow"), new Dictionary<string, OverflowPolicy>
            {
                ["close"] = OverflowPolicy.Close,
                ["drop-oldest"] = OverflowPolicy.DropOldest,
            }),
            WriteTimeout = reader.Duration(Key("outbound.write-timeout"), positive: true),
            CloseTimeout = reader.Duration(Key("outbound.close-timeout"), positive: true),
            KeepAliveInterval = reader.Duration(Key("keepalive.interval"), positive: false),
            KeepAliveTimeout = reader.Duration(Key("keepalive.timeout"), positive: false),
            Deflate = new DeflateSettings(
                reader.Bool(Key("deflate.enabled")),
                reader.Size(Key("deflate.min-size"), min: 0, max: int.MaxValue),
                reader.Int(Key("deflate.level"), min: 1, max: 9)),
        };
        return reader.AutoOrLong(Key("stream-hosts"), min: 1, max: 1024) is { } hosts ? settings with { StreamHosts = (int)hosts } : settings;
    }

    /// <summary>The key a feature's <paramref name="name"/> is read from: its own where set (by the operator or by reference.conf), else the shared one.</summary>
    public static string KeyFor(SettingsReader reader, string feature, string name) =>
        reader.Has($"pingactors.{feature}.{name}") ? $"pingactors.{feature}.{name}" : $"{SettingsReader.WebSocketSection}.{name}";
}
