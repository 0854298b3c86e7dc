using PingActors.Actors.Proxy;
using PingActors.Node.Configuration;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Proxy.Wsaas;

/// <summary>
/// Typed, validated view of <c>pingactors.wsaas</c>, WSaaS's face of the callback proxy: its two listeners,
/// what its callbacks say, and the engine's settings (<see cref="Settings"/> is null while the face is off).
/// </summary>
public sealed record WsaasFeatureSettings(
    bool Enabled,
    ListenAddress Listen,
    ListenAddress ControlListen,
    string Target,
    string LocalAddress,
    int MaxMessageBytes,
    TimeSpan Timeout,
    ProxySettings? Settings,
    string CloseTimeoutKey)
{
    public const string Name = "wsaas";
    public const string ControlName = "wsaas-control";
    public const string ListenKey = "pingactors.wsaas.listen";
    public const string ControlListenKey = "pingactors.wsaas.control-listen";

    /// <summary>WSaaS's page: MAX_PAGE counts these.</summary>
    public const int PageBytes = 32 * 1024;

    private const string Section = "pingactors.wsaas";

    internal static WsaasFeatureSettings From(SettingsReader reader)
    {
        var enabled = reader.Bool($"{Section}.enabled");
        var target = reader.Get($"{Section}.target", "the app's http:// or https:// base URL, such as http://localhost:3000/websocket", () =>
            Uri.TryCreate(reader.String($"{Section}.target"), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? reader.String($"{Section}.target")
                : throw new FormatException());
        var pages = reader.Int($"{Section}.max-page", min: 1);
        var maxBytes = (int)Math.Min(int.MaxValue, (long)pages * PageBytes);
        var timeout = reader.Duration($"{Section}.timeout", positive: false);

        // WSaaS refuses a message of MAX_PAGE pages or more: the largest taken is one byte less.
        var session = SessionSettingsReader.Read(reader, Name) with
        {
            MaxMessageSize = maxBytes - 1,
            OutboundMaxMessages = reader.Int($"{Section}.send-queue-size", min: 1),
        };
        var settings = new ProxySettings
        {
            ConnectCallback = new Uri(target),
            CallbackTimeout = reader.Duration($"{Section}.callback.timeout", positive: true),
            CallbackMaxConnections = reader.Int($"{Section}.callback.max-connections", min: 1),
            CallbackConnectionLifetime = reader.Duration($"{Section}.callback.connection-lifetime", positive: true),
            CallbackMaxBodySize = reader.Size($"{Section}.callback.max-body-size", min: 0, max: 64 * 1024 * 1024),
            SendTimeout = reader.Duration($"{Section}.send-timeout", positive: true),
            IdleTimeout = timeout,
            Session = session,
        };

        return new WsaasFeatureSettings(
            enabled,
            reader.Listen(ListenKey),
            reader.Listen(ControlListenKey),
            target,
            reader.String($"{Section}.local-address"),
            maxBytes,
            timeout,
            enabled ? settings : null,
            SessionSettingsReader.KeyFor(reader, Name, "outbound.close-timeout"));
    }
}
