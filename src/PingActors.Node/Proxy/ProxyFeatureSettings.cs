using PingActors.Actors.Proxy;
using PingActors.Node.Configuration;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Proxy;

/// <summary>The paths the proxy serves (kuiperbelt's path.*).</summary>
public sealed record ProxyPaths(string Connect, string Send, string Close, string Stats, string Ping);

/// <summary>
/// Typed, validated view of <c>pingactors.proxy</c>: its listeners, its HTTP behaviour and the proxy's actor
/// settings (<see cref="Settings"/> is null while the proxy is off: nothing is called then).
/// </summary>
public sealed record ProxyFeatureSettings(
    bool Enabled,
    ListenAddress Listen,
    ListenAddress? ControlListen,
    IOriginCheck Origins,
    bool SuppressAccessLog,
    ProxyPaths Paths,
    ProxySettings? Settings,
    string CloseTimeoutKey)
{
    public const string Name = "proxy";
    public const string ControlName = "proxy-control";
    public const string ListenKey = "pingactors.proxy.listen";
    public const string ControlListenKey = "pingactors.proxy.control-listen";

    private const string Section = "pingactors.proxy";

    internal static ProxyFeatureSettings From(SettingsReader reader)
    {
        var enabled = reader.Bool($"{Section}.enabled");
        var control = reader.String(ControlListenKey);
        var paths = new ProxyPaths(Path(reader, "connect"), Path(reader, "send"), Path(reader, "close"), Path(reader, "stats"), Path(reader, "ping"));
        var origins = reader.Choice($"{Section}.origin-policy", new Dictionary<string, IOriginCheck>
        {
            ["none"] = KuiperbeltOrigins.None,
            ["same_origin"] = KuiperbeltOrigins.SameOrigin,
            ["same_hostname"] = KuiperbeltOrigins.SameHostname,
        });
        var session = SessionSettingsReader.Read(reader, Name) with
        {
            OutboundMaxMessages = reader.Int($"{Section}.send-queue-size", min: 1),
        };
        var settings = new ProxySettings
        {
            ConnectCallback = CallbackUrl(reader, "connect", required: enabled) ?? new Uri("http://127.0.0.1/"),
            EstablishCallback = CallbackUrl(reader, "establish", required: false),
            ReceiveCallback = CallbackUrl(reader, "receive", required: false),
            CloseCallback = CallbackUrl(reader, "close", required: false),
            CallbackTimeout = reader.Duration($"{Section}.callback.timeout", positive: true),
            CallbackMaxConnections = reader.Int($"{Section}.callback.max-connections", min: 1),
            CallbackConnectionLifetime = reader.Duration($"{Section}.callback.connection-lifetime", positive: true),
            CallbackMaxBodySize = reader.Size($"{Section}.callback.max-body-size", min: 0, max: 64 * 1024 * 1024),
            SessionHeader = HeaderName(reader, $"{Section}.session-header"),
            Endpoint = reader.String($"{Section}.endpoint"),
            SetHeaders = reader.StringMap($"{Section}.proxy-set-header"),
            SendTimeout = reader.Duration($"{Section}.send-timeout", positive: true),
            IdleTimeout = reader.Duration($"{Section}.idle-timeout", positive: false),
            StrictBroadcast = reader.Bool($"{Section}.strict-broadcast"),
            Session = session,
        };

        return new ProxyFeatureSettings(
            enabled,
            reader.Listen(ListenKey),
            control.Length == 0 ? null : reader.Listen(ControlListenKey),
            origins,
            reader.Bool($"{Section}.suppress-access-log"),
            paths,
            enabled ? settings : null,
            SessionSettingsReader.KeyFor(reader, Name, "outbound.close-timeout"));
    }

    private static string Path(SettingsReader reader, string name) =>
        reader.Get($"{Section}.path.{name}", "a path starting with /, such as /" + name, () =>
            reader.String($"{Section}.path.{name}") is { Length: > 0 } p && p[0] == '/' && !p.Contains('?') ? p : throw new FormatException());

    private static string HeaderName(SettingsReader reader, string key) =>
        reader.Get(key, "an HTTP header name such as X-Kuiperbelt-Session", () =>
            reader.String(key) is { Length: > 0 } name && name.All(c => c > ' ' && c < 127 && c != ':') ? name : throw new FormatException());

    private static Uri? CallbackUrl(SettingsReader reader, string name, bool required)
    {
        var key = $"{Section}.callback.{name}";
        var expected = required
            ? "the app's http:// or https:// URL (required when pingactors.proxy.enabled = on)"
            : "an http:// or https:// URL, or \"\" for none";
        return reader.Get<Uri?>(key, expected, () =>
        {
            var text = reader.String(key);
            if (text.Length == 0)
            {
                return required ? throw new FormatException() : null;
            }

            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : throw new FormatException();
        });
    }
}
