using System.Text;
using Akka.Configuration;

namespace PingActors.Node.Configuration.Kuiperbelt;

/// <summary>
/// Turns a kuiperbelt config file (what <c>ekbo -config</c> reads) into the <c>pingactors.proxy</c> keys, as a
/// <see cref="ConfigSource"/> named by the file's path so a bad value found later still names that file.
/// The node then runs the proxy alone: a kuiperbelt user expects no pub/sub hub listening beside it.
/// </summary>
public static class KuiperbeltConfig
{
    private const string Proxy = "pingactors.proxy";

    /// <summary>kuiperbelt listens on :9180 (all interfaces) when the file names neither port nor sock.</summary>
    private const string DefaultPort = "9180";

    /// <summary>
    /// The least send-queue-size a kuiperbelt file maps to. kuiperbelt's /send blocks (up to send_timeout) while a
    /// session's queue is full, so even send_queue_size 0 or 1 loses nothing in a burst: the sender waits. Here a
    /// /send never blocks; a full queue is reported for that session at once. A queue as small as kuiperbelt's
    /// would then drop bursts kuiperbelt delivers, so it is never smaller than the proxy's own default.
    /// </summary>
    public const int SendQueueFloor = 256;

    private static readonly string[] OriginPolicies = ["none", "same_origin", "same_hostname"];

    public static ConfigSource Load(string file, Func<string, string?> environment)
    {
        var path = Path.GetFullPath(file);
        var text = ConfigLoader.ReadFile("kuiperbelt config", file, path, "a readable kuiperbelt YAML file");
        return FromText(text, path, environment);
    }

    /// <param name="path">The file's full path: the source's name and the start of every error.</param>
    internal static ConfigSource FromText(string text, string path, Func<string, string?> environment)
    {
        var yaml = KuiperbeltYaml.Parse(KuiperbeltTemplate.Expand(text, path, environment), path);
        var hocon = ToHocon(yaml);
        try
        {
            return new ConfigSource(path, ConfigurationFactory.ParseString(hocon));
        }
        catch (Exception e)
        {
            // Every value above is quoted, so this would be a bug here, not in the file; still one line.
            throw new ConfigException($"{path}: expected a file the node can translate, got an error from the HOCON parser: {e.Message.Split('\n')[0].Trim()}");
        }
    }

    internal static string ToHocon(KuiperbeltYaml yaml)
    {
        var hocon = new StringBuilder();
        void Set(string key, string hoconValue) => hocon.Append(Proxy).Append('.').Append(key).Append(" = ").Append(hoconValue).Append('\n');
        void SetString(string key, string value) => Set(key, HoconString.Quote(value));
        void SetIfGiven(string yamlKey, string key, Func<string, string>? check = null)
        {
            // kuiperbelt treats an empty string as "use the default", as leaving the key out does here.
            var value = yaml.String(yamlKey);
            if (value.Length > 0)
            {
                SetString(key, check is null ? value : check(value));
            }
        }

        hocon.Append("pingactors.hub.enabled = off\n");
        Set("enabled", "on");
        SetString("listen", Listen(yaml));

        SetString("callback.connect", CallbackUrl(yaml, "callback.connect", yaml.String("callback.connect"), required: true));
        foreach (var callback in new[] { "establish", "receive", "close" })
        {
            SetIfGiven("callback." + callback, "callback." + callback, url => CallbackUrl(yaml, "callback." + callback, url, required: false));
        }

        // kuiperbelt's 0 is "no limit". Here every callback and every send is bounded, so 0 keeps the default.
        if (yaml.Duration("callback.timeout") is > 0 and var callbackTimeout)
        {
            SetString("callback.timeout", Hocon(callbackTimeout));
        }

        if (yaml.Duration("send_timeout") is > 0 and var sendTimeout)
        {
            SetString("send-timeout", Hocon(sendTimeout));
        }

        if (yaml.Has("idle_timeout"))
        {
            SetString("idle-timeout", Hocon(yaml.Duration("idle_timeout")));
        }

        if (yaml.Has("send_queue_size"))
        {
            var size = yaml.Int("send_queue_size");
            Set("send-queue-size", size >= 0 ? Math.Max(size, SendQueueFloor).ToString(System.Globalization.CultureInfo.InvariantCulture) : throw yaml.Error("send_queue_size", "a whole number, 0 or more"));
        }

        SetIfGiven("session_header", "session-header");
        SetIfGiven("endpoint", "endpoint");
        SetIfGiven("origin_policy", "origin-policy", policy => OriginPolicies.Contains(policy) ? policy : throw yaml.Error("origin_policy", "one of " + string.Join(", ", OriginPolicies)));
        foreach (var (yamlKey, key) in new[] { ("strict_broadcast", "strict-broadcast"), ("suppress_access_log", "suppress-access-log") })
        {
            if (yaml.Has(yamlKey))
            {
                Set(key, yaml.Bool(yamlKey) ? "on" : "off");
            }
        }

        var headers = yaml.Map("proxy_set_header");
        if (headers.Count > 0)
        {
            // Quoted keys: a header name may hold characters HOCON would read as a path ("X.Foo") or worse.
            var entries = headers.Select(h => $"{HoconString.Quote(h.Key)} = {HoconString.Quote(h.Value)}");
            hocon.Append(Proxy).Append(".proxy-set-header { ").AppendJoin(", ", entries).Append(" }\n");
        }

        foreach (var name in new[] { "connect", "send", "close", "stats", "ping" })
        {
            SetIfGiven("path." + name, "path." + name, p => p.StartsWith('/') ? p : throw yaml.Error("path." + name, "a path starting with /"));
        }

        return hocon.ToString();
    }

    /// <summary>
    /// kuiperbelt listens on the unix socket when sock is set, else on ":port" (every interface). A file with
    /// both (kuiperbelt's config_by_env.yml always sets port) listens on the socket there, and so here.
    /// </summary>
    private static string Listen(KuiperbeltYaml yaml)
    {
        var sock = yaml.String("sock");
        if (sock.Length > 0)
        {
            // kuiperbelt resolves a relative socket path against the working directory, as GetFullPath does.
            return "unix:" + Path.GetFullPath(sock);
        }

        var port = yaml.Has("port") ? yaml.String("port") : DefaultPort;
        return "0.0.0.0:" + (Port(port) ?? throw yaml.Error("port", "a port number from 0 to 65535"));
    }

    /// <summary>A TCP port as ekbo takes it (its -port flag and the port key), or null.</summary>
    public static string? Port(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static string CallbackUrl(KuiperbeltYaml yaml, string key, string url, bool required)
    {
        var expected = required
            ? "the app's connect callback, an absolute http:// or https:// URL (kuiperbelt's one required key)"
            : "an absolute http:// or https:// URL";
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw yaml.Error(key, expected);
    }

    /// <summary>
    /// Nanoseconds as a HOCON duration: whole seconds as such, anything finer in milliseconds rounded up, so a
    /// short but non-zero duration never turns into 0 (which means "off" for idle-timeout).
    /// </summary>
    private static string Hocon(long nanoseconds) =>
        nanoseconds % 1_000_000_000 == 0
            ? $"{nanoseconds / 1_000_000_000}s"
            : $"{(nanoseconds / 1_000_000) + (nanoseconds % 1_000_000 == 0 ? 0 : 1)}ms";
}
