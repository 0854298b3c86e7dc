using System.Globalization;
using System.Text;
using Akka.Configuration;

namespace PingActors.Node.Configuration.Wsaas;

/// <summary>
/// <c>--wsaas</c>: turns on WSaaS's face (and off the hub, whose default listener is WSaaS's WS_PORT) and reads
/// WSaaS's environment variables into <c>pingactors.wsaas</c>, both generations of names, so a WSaaS
/// deployment's environment works unchanged. Later --config files and --set still win.
/// </summary>
public static class WsaasEnvironment
{
    public const string SourceName = "--wsaas (environment)";

    private const string Section = "pingactors.wsaas";

    private static readonly Dictionary<string, string> LogLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["error"] = "error",
        ["warn"] = "warning",
        ["info"] = "information",
        ["debug"] = "debug",
        ["trace"] = "trace",
    };

    public static ConfigSource Load(Func<string, string?> environment)
    {
        string? Env(string name) => environment(name) is { Length: > 0 } value ? value.Trim() : null;

        var hocon = new StringBuilder();
        void Set(string key, string value) => hocon.Append(key).Append(" = ").Append(HoconString.Quote(value)).Append('\n');

        Set("pingactors.hub.enabled", "off");
        Set($"{Section}.enabled", "on");
        if (Env("WS_PORT") is { } wsPort)
        {
            Set($"{Section}.listen", "127.0.0.1:" + Port("WS_PORT", wsPort));
        }

        if (Env("HTTP_PORT") is { } httpPort)
        {
            Set($"{Section}.control-listen", "127.0.0.1:" + Port("HTTP_PORT", httpPort));
        }

        // The current names win over the early README's, as in WSaaS's code, which reads only those.
        if ((Env("TARGET_ADDRESS") ?? Env("API_URI")) is { } target)
        {
            // The early README's API_URI is written without a scheme (localhost:80/websocket).
            Set($"{Section}.target", target.Contains("://", StringComparison.Ordinal) ? target : "http://" + target);
        }

        if ((Env("LOCAL_ADDRESS") ?? Env("WS_HOSTNAME")) is { } local)
        {
            Set($"{Section}.local-address", local);
        }

        if (Env("MAX_PAGE") is { } maxPage)
        {
            Set($"{Section}.max-page", Whole("MAX_PAGE", maxPage, min: 1, "a number of 32 KiB pages, 1 or more").ToString(CultureInfo.InvariantCulture));
        }

        if (Env("WS_TIMEOUT") is { } timeout)
        {
            Set($"{Section}.timeout", Whole("WS_TIMEOUT", timeout, min: 0, "milliseconds, 0 for no idle timeout").ToString(CultureInfo.InvariantCulture) + "ms");
        }

        // WSaaS's LOG_LEVEL is an env_logger filter: its plain levels map, a per-module filter is left alone.
        if (Env("LOG_LEVEL") is { } level && LogLevels.TryGetValue(level, out var mapped))
        {
            Set("pingactors.log.level", mapped);
        }

        return new ConfigSource(SourceName, ConfigurationFactory.ParseString(hocon.ToString()));
    }

    private static int Port(string name, string value) => (int)Whole(name, value, min: 0, "a port number from 0 to 65535", max: 65535);

    private static long Whole(string name, string value, long min, string expected, long max = int.MaxValue) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ConfigException($"{SourceName}: {name}: expected {expected}, got \"{value}\"");
}
