using System.Globalization;
using System.Net;
using System.Text;
using Akka.Configuration;

namespace PingActors.Node.Configuration.Websocksy;

/// <summary>
/// Turns a websocksy config file into the <c>pingactors.bridge</c> keys, as a <see cref="ConfigSource"/> named by
/// the file's path. The node then runs the bridge alone, as websocksy does. Lines apply in order, as in
/// websocksy: a <c>backend =</c> line drops the <c>[backend]</c> keys read before it.
/// </summary>
public static class WebsocksyConfig
{
    private const string Bridge = "pingactors.bridge";

    /// <summary>websocksy's defaults: <c>-l ::</c>, <c>-p 8001</c>, <c>-k 30</c>.</summary>
    private const string DefaultListen = "::";
    private const string DefaultPort = "8001";
    private const int DefaultPing = 30;

    private static readonly string[] DefaultKeys = ["host", "port", "framing", "framing-config", "protocol"];
    private static readonly string[] FileKeys = ["path", "expression"];

    public static ConfigSource Load(string file)
    {
        var path = Path.GetFullPath(file);
        return FromText(ConfigLoader.ReadFile("--websocksy-config", file, path, "a readable websocksy config file"), path);
    }

    /// <param name="path">The file's full path: the source's name and the start of every error.</param>
    internal static ConfigSource FromText(string text, string path)
    {
        var hocon = ToHocon(WebsocksyFile.Parse(text), path);
        try
        {
            return new ConfigSource(path, ConfigurationFactory.ParseString(hocon));
        }
        catch (Exception e)
        {
            // Every value is quoted, so this would be a bug here, not in the file; still one line.
            throw new ConfigException($"{path}: expected a file the node can translate, got an error from the HOCON parser: {e.Message.Split('\n')[0].Trim()}");
        }
    }

    private static string ToHocon(IEnumerable<WebsocksyLine> lines, string path)
    {
        var listen = DefaultListen;
        var listenLine = 0;
        var port = DefaultPort;
        var ping = DefaultPing;
        var file = false;
        var backend = new Dictionary<string, string>(StringComparer.Ordinal);
        var expressions = new List<string>();

        foreach (var line in lines)
        {
            ConfigException Error(string expected) => new($"{path}:{line.Number}: {line.Section} {line.Key}: expected {expected}, got \"{line.Value}\"");

            if (!line.InBackend)
            {
                switch (line.Key)
                {
                    case "port":
                        port = ListenPort(line.Value) ?? throw Error("a port number from 0 to 65535");
                        break;
                    case "listen":
                        listen = line.Value;
                        listenLine = line.Number;
                        break;
                    case "ping":
                        ping = int.TryParse(line.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : throw Error("whole seconds between pings, 0 for none");
                        break;
                    case "backend":
                        file = line.Value == "file" ? true : throw Error(
                            "file, or no backend key for the built-in default backend; websocksy's backend_<name>.so plugins cannot be loaded here: " +
                            "write a .NET class implementing PingActors.Actors.Bridge.Backends.IBridgeBackend and name it in pingactors.bridge.backend.type " +
                            "(and .assembly) in a --config HOCON file (README, \"Drop-in for websocksy users\")");
                        backend.Clear();
                        expressions.Clear();
                        break;

                    // websocksy ignores [core] keys it does not know, and so does this.
                }

                continue;
            }

            var known = file ? FileKeys : DefaultKeys;
            if (!known.Contains(line.Key))
            {
                throw new ConfigException($"{path}:{line.Number}: [backend] {line.Key}: expected one of the {(file ? "file" : "default")} backend's keys ({string.Join(", ", known)}), got an unknown key");
            }

            if (line.Key == "expression")
            {
                expressions.Add(line.Value);
            }
            else if (line.Key == "port" && !(int.TryParse(line.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var peerPort) && peerPort is >= 1 and <= 65535))
            {
                throw Error("the peer's port, from 1 to 65535");
            }
            else
            {
                backend[line.Key] = line.Value;
            }
        }

        var hocon = new StringBuilder();
        void Set(string key, string value) => hocon.Append(Bridge).Append('.').Append(key).Append(" = ").Append(value).Append('\n');

        hocon.Append("pingactors.hub.enabled = off\n");
        Set("enabled", "on");
        Set("listen", HoconString.Quote(Listen(listen, port) ?? throw new ConfigException($"{path}:{listenLine}: [core] listen: expected an IP address, :: or localhost, got \"{listen}\"")));

        // websocksy pings an idle client every `ping` seconds and never drops one that does not answer.
        Set("keepalive.interval", HoconString.Quote(ping.ToString(CultureInfo.InvariantCulture) + "s"));
        Set("keepalive.timeout", HoconString.Quote("0s"));

        Set("backend.type", HoconString.Quote(file ? "file" : "default"));
        if (file)
        {
            // websocksy's path defaults to "" and its files are then "/" + expression; relative paths are the
            // working directory's, fixed here so the node's later view of them cannot differ.
            var basePath = backend.GetValueOrDefault("path", string.Empty);
            Set("backend.path", HoconString.Quote(basePath.Length == 0 ? "/" : Path.GetFullPath(basePath)));
            Set("backend.expressions", "[" + string.Join(", ", expressions.Select(HoconString.Quote)) + "]");
        }
        else
        {
            foreach (var (key, value) in backend)
            {
                Set("backend." + key, key == "port" ? value : HoconString.Quote(value));
            }
        }

        return hocon.ToString();
    }

    /// <summary>websocksy's listen host and port as host:port (an IPv6 address in brackets); websocksy's <c>::</c> is every interface, IPv4 too.</summary>
    private static string? Listen(string host, string port)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "localhost:" + port;
        }

        if (!IPAddress.TryParse(host, out var ip))
        {
            return null;
        }

        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]:{port}" : $"{ip}:{port}";
    }

    private static string? ListenPort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port.ToString(CultureInfo.InvariantCulture)
            : null;
}
