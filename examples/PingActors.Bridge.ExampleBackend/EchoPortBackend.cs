using System.Globalization;
using PingActors.Actors.Bridge.Backends;

namespace PingActors.Bridge.ExampleBackend;

/// <summary>
/// An example backend: <c>/echo/&lt;port&gt;</c> goes to <c>tcp://&lt;host&gt;:&lt;port&gt;</c>, any other path is
/// refused (500). The framing is the query's <c>framing</c> and
/// <c>framing-config</c> when the query names a framing, else the settings'.
/// </summary>
/// <remarks>
/// Settings (<c>pingactors.bridge.backend.settings</c>): <c>host</c> (default 127.0.0.1), <c>framing</c>
/// (default auto), <c>framing-config</c>, and <c>min-port</c>/<c>max-port</c> (default 1024-65535), the ports a
/// client may ask for: a backend that lets clients pick any peer should limit them.
/// </remarks>
public sealed class EchoPortBackend : IBridgeBackend
{
    private const string Prefix = "/echo/";

    private readonly string _host;
    private readonly string _framing;
    private readonly string? _framingConfig;
    private readonly int _minPort;
    private readonly int _maxPort;

    public EchoPortBackend(IReadOnlyDictionary<string, string> settings)
    {
        foreach (var key in settings.Keys)
        {
            if (key is not ("host" or "framing" or "framing-config" or "min-port" or "max-port"))
            {
                // The factory turns this into a one-line config error naming pingactors.bridge.backend.settings.
                throw new ArgumentException($"unknown setting {key}; expected host, framing, framing-config, min-port or max-port");
            }
        }

        _host = settings.GetValueOrDefault("host", "127.0.0.1");
        _framing = settings.GetValueOrDefault("framing", "auto");
        _framingConfig = settings.GetValueOrDefault("framing-config");
        _minPort = Port(settings, "min-port", 1024);
        _maxPort = Port(settings, "max-port", 65535);
    }

    public ValueTask<PeerChoice?> ChooseAsync(BridgeRequest request, CancellationToken cancellationToken)
    {
        var (path, query) = Split(request.Endpoint);
        if (!path.StartsWith(Prefix, StringComparison.Ordinal)
            || !int.TryParse(path.AsSpan(Prefix.Length).TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port < _minPort || port > _maxPort)
        {
            return ValueTask.FromResult<PeerChoice?>(null);
        }

        var peer = PeerAddress.Parse(_host, port).ToUri();
        // A framing from the query takes its config from the query too: the settings' config is for theirs.
        var (framing, config) = query.TryGetValue("framing", out var f)
            ? (f, query.GetValueOrDefault("framing-config"))
            : (_framing, _framingConfig);

        // The client's first subprotocol, if any, is answered: the peer decides what it speaks.
        var protocol = request.OfferedProtocols.Count > 0 ? request.OfferedProtocols[0] : null;
        return ValueTask.FromResult<PeerChoice?>(new PeerChoice(peer, protocol, framing, config));
    }

    private static (string Path, Dictionary<string, string> Query) Split(string endpoint)
    {
        var mark = endpoint.IndexOf('?');
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (mark < 0)
        {
            return (endpoint, query);
        }

        foreach (var pair in endpoint[(mark + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            query.TryAdd(name, eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' ')));
        }

        return (endpoint[..mark], query);
    }

    private static int Port(IReadOnlyDictionary<string, string> settings, string key, int fallback) =>
        !settings.TryGetValue(key, out var text) ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535 ? port
        : throw new ArgumentException($"{key}: expected a port from 1 to 65535, got \"{text}\"");
}
