using Akka.Configuration;
using Akka.Configuration.Hocon;
using PingActors.Actors.Hub;
using PingActors.Node.Http;

namespace PingActors.Node.Configuration;

/// <summary>Typed, validated view of the <c>pingactors</c> section.</summary>
public sealed record NodeSettings(
    ListenAddress HubListen,
    ListenAddress OpsListen,
    OriginPolicy Origins,
    bool HtmlPage,
    HubSettings Hub,
    bool AccessLog,
    TimeSpan DrainWindow,
    TimeSpan ShutdownTimeout,
    Microsoft.Extensions.Logging.LogLevel LogLevel,
    TimeSpan ClusterJoinTimeout,
    long? MaxConnections,
    int ChannelThreads,
    int SmallChannelSockets,
    int? IoQueues)
{
    /// <summary>
    /// The longest a drain of the node's sockets may take: the window they are closed over, the last one's
    /// close handshake (close-timeout), and a second for the rest.
    /// </summary>
    public TimeSpan DrainBound => DrainWindow + Hub.CloseTimeout + TimeSpan.FromSeconds(1);

    /// <summary>pingactors.hub.channel-threads = auto: a quarter of the cores, at least one.</summary>
    public static int AutoChannelThreads => Math.Max(1, (Environment.ProcessorCount + 3) / 4);

    public static NodeSettings From(LoadedConfig loaded)
    {
        var reader = new SettingsReader(loaded);
        reader.RejectUnknownKeys("pingactors");

        var hub = new HubSettings
        {
            MaxMessageSize = reader.Size("pingactors.hub.max-message-size", min: 1, max: 64 * 1024 * 1024),
            PublishTimeout = reader.Duration("pingactors.hub.publish-timeout", positive: true),
            PublishBacklog = reader.Int("pingactors.hub.publish-backlog", min: 0),
            JoinTimeout = reader.Duration("pingactors.hub.join-timeout", positive: true),
            ChannelIdleTimeout = reader.Duration("pingactors.hub.channel-idle-timeout", positive: true),
            SubscribeRetry = reader.Duration("pingactors.hub.subscribe-retry", positive: true),
            ReplayMaxMessages = reader.Int("pingactors.hub.replay.max-messages", min: 0),
            ReplayMaxBytes = reader.Size("pingactors.hub.replay.max-bytes", min: 0, max: int.MaxValue),
            ReplayUnsubscribedMaxBytes = reader.Size("pingactors.hub.replay.unsubscribed-max-bytes", min: 0, max: int.MaxValue),
            OutboundMaxMessages = reader.Int("pingactors.hub.outbound.max-messages", min: 1),
            OutboundMaxBytes = reader.Size("pingactors.hub.outbound.max-bytes", min: 1, max: int.MaxValue),
            Overflow = reader.Choice("pingactors.hub.outbound.overflow", new Dictionary<string, OverflowPolicy>
            {
                ["close"] = OverflowPolicy.Close,
                ["drop-oldest"] = OverflowPolicy.DropOldest,
            }),
            WriteTimeout = reader.Duration("pingactors.hub.outbound.write-timeout", positive: true),
            CloseTimeout = reader.Duration("pingactors.hub.outbound.close-timeout", positive: true),
            KeepAliveInterval = reader.Duration("pingactors.hub.keepalive.interval", positive: false),
            KeepAliveTimeout = reader.Duration("pingactors.hub.keepalive.timeout", positive: false),
        };
        if (reader.AutoOrLong("pingactors.hub.stream-hosts", min: 1, max: 1024) is { } streamHosts)
        {
            hub = hub with { StreamHosts = (int)streamHosts };
        }

        var hubListen = reader.Listen("pingactors.hub.listen");
        var opsListen = reader.Listen("pingactors.ops.listen");
        if (hubListen.Port != 0 && hubListen.Port == opsListen.Port && (hubListen.Address.Equals(opsListen.Address) || IsAny(hubListen) || IsAny(opsListen)))
        {
            throw new ConfigException($"{loaded.SourceOf("pingactors.ops.listen")}: pingactors.ops.listen: expected a different address than pingactors.hub.listen, got {opsListen}");
        }

        ClusterChecks.Validate(loaded);

        return new NodeSettings(
            hubListen,
            opsListen,
            reader.Origins("pingactors.hub.allowed-origins"),
            reader.Bool("pingactors.hub.html-page"),
            hub,
            reader.Bool("pingactors.ops.access-log"),
            reader.Duration("pingactors.shutdown.drain-window", positive: false),
            reader.Duration("pingactors.shutdown.timeout", positive: true),
            reader.Choice("pingactors.log.level", new Dictionary<string, Microsoft.Extensions.Logging.LogLevel>
            {
                ["trace"] = Microsoft.Extensions.Logging.LogLevel.Trace,
                ["debug"] = Microsoft.Extensions.Logging.LogLevel.Debug,
                ["information"] = Microsoft.Extensions.Logging.LogLevel.Information,
                ["info"] = Microsoft.Extensions.Logging.LogLevel.Information,
                ["warning"] = Microsoft.Extensions.Logging.LogLevel.Warning,
                ["error"] = Microsoft.Extensions.Logging.LogLevel.Error,
            }),
            reader.Duration("pingactors.cluster.join-timeout", positive: true),
            reader.AutoOrLong("pingactors.hub.max-connections", min: 1),
            (int?)reader.AutoOrLong("pingactors.hub.channel-threads", min: 1, max: 256) ?? AutoChannelThreads,
            reader.Int("pingactors.hub.small-channel-sockets", min: 0),
            (int?)reader.AutoOrLong("pingactors.hub.io-queues", min: 0, max: 64));
    }

    private static bool IsAny(ListenAddress a) => a.Address.Equals(System.Net.IPAddress.Any) || a.Address.Equals(System.Net.IPAddress.IPv6Any);

    /// <summary>Reads keys and turns every failure into one line: source, key, what was expected, what was found.</summary>
    private sealed class SettingsReader(LoadedConfig loaded)
    {
        private readonly Config _config = loaded.Config;
        private readonly Config _reference = ConfigurationFactory.ParseString(ConfigLoader.ReferenceText());

        public void RejectUnknownKeys(string root)
        {
            foreach (var source in loaded.Sources.Skip(1))
            {
                // Nothing reads other top-level sections, so one there is a typo (e.g. "pingactor") that would
                // otherwise be ignored in silence. akka.* is Akka's to check.
                foreach (var top in source.Config.Root.GetObject().Items.Keys)
                {
                    if (top != root && top != "akka")
                    {
                        var hint = EditDistance(top, root) <= 2 ? $" (did you mean {root}?)" : string.Empty;
                        throw new ConfigException($"{source.Name}: {top}: expected a key under {root} or akka{hint}, got an unknown top-level key");
                    }
                }

                if (source.Config.HasPath(root))
                {
                    CheckKnown(source, root, source.Config.GetValue(root));
                }
            }
        }

        public int Int(string key, int min) => Get(key, $"a whole number >= {min}", () =>
        {
            var v = _config.GetInt(key);
            return v >= min ? v : throw new FormatException();
        });

        public long? AutoOrLong(string key, long min, long max = long.MaxValue) => Get(key, max == long.MaxValue ? $"auto or a whole number >= {min}" : $"auto or a whole number from {min} to {max}", () =>
        {
            var raw = Raw(key);
            if (raw == "auto")
            {
                return (long?)null;
            }

            return long.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v : throw new FormatException();
        });

        public bool Bool(string key) => Get(key, "on or off", () =>
        {
            var raw = Raw(key);
            return raw switch
            {
                "on" or "true" or "yes" => true,
                "off" or "false" or "no" => false,
                _ => throw new FormatException(),
            };
        });

        public int Size(string key, long min, long max) => (int)Get(key, $"a size such as 64KiB (between {min} and {max} bytes)", () =>
        {
            var v = _config.GetByteSize(key) ?? throw new FormatException();
            return v >= min && v <= max ? v : throw new FormatException();
        });

        public TimeSpan Duration(string key, bool positive) => Get(key, positive ? "a duration above zero such as 5s" : "a duration such as 5s", () =>
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(Raw(key), @"^\s*\d+(\.\d+)?\s*[a-z]*\s*$"))
            {
                throw new FormatException();
            }

            var v = _config.GetTimeSpan(key, null, allowInfinite: false);
            return v < TimeSpan.Zero || (positive && v == TimeSpan.Zero) ? throw new FormatException() : v;
        });

        public T Choice<T>(string key, IReadOnlyDictionary<string, T> choices) => Get(key, "one of " + string.Join(", ", choices.Keys), () =>
            choices.TryGetValue(Raw(key).ToLowerInvariant(), out var v) ? v : throw new FormatException());

        public ListenAddress Listen(string key) => Get(key, "host:port with an IP address or localhost, e.g. 127.0.0.1:8080", () =>
            ListenAddress.TryParse(Raw(key), out var address) ? address! : throw new FormatException());

        public OriginPolicy Origins(string key) => Get(key, "a list of origins such as [\"https://example.com\", \"https://*.example.com\"]", () =>
        {
            var list = _config.GetStringList(key);
            foreach (var entry in list)
            {
                if (!OriginPolicy.IsValidEntry(entry))
                {
                    throw new FormatException();
                }
            }

            return new OriginPolicy(list.ToArray());
        });

        private string Raw(string key) => _config.GetValue(key) is { } v && !v.IsObject() && !v.IsArray() ? v.GetString() ?? string.Empty : throw new FormatException();

        private T Get<T>(string key, string expected, Func<T> read)
        {
            try
            {
                if (!_config.HasPath(key))
                {
                    throw new FormatException();
                }

                return read();
            }
            catch (Exception e) when (e is not ConfigException)
            {
                var value = _config.HasPath(key) ? Describe(_config.GetValue(key)) : "nothing";
                throw new ConfigException($"{loaded.SourceOf(key)}: {key}: expected {expected}, got {value}");
            }
        }

        private static string Describe(HoconValue? value) =>
            value is null ? "nothing" : value.IsObject() ? "an object" : value.IsArray() ? "[" + string.Join(", ", value.GetArray().Select(v => v.ToString())) + "]" : "\"" + value.GetString() + "\"";

        // A typo is the usual cause of an unknown key: name the nearest sibling key if it is close enough.
        private string Suggestion(string path)
        {
            var dot = path.LastIndexOf('.');
            var parent = path[..dot];
            var name = path[(dot + 1)..];
            if (!_reference.HasPath(parent) || !_reference.GetValue(parent).IsObject())
            {
                return string.Empty;
            }

            var best = _reference.GetValue(parent).GetObject().Items.Keys
                .Select(k => (Key: k, Distance: EditDistance(k, name)))
                .OrderBy(k => k.Distance)
                .FirstOrDefault();
            return best.Key is not null && best.Distance <= Math.Max(2, name.Length / 3) ? $" (did you mean {parent}.{best.Key}?)" : string.Empty;
        }

        private static int EditDistance(string a, string b)
        {
            var row = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var diagonal = row[0];
                row[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var above = row[j];
                    row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                    diagonal = above;
                }
            }

            return row[b.Length];
        }

        private void CheckKnown(ConfigSource source, string path, HoconValue value)
        {
            if (!_reference.HasPath(path))
            {
                throw new ConfigException($"{source.Name}: {path}: expected a key listed in hocon/reference.conf{Suggestion(path)}, got an unknown key");
            }

            if (value.IsObject() && _reference.GetValue(path).IsObject())
            {
                foreach (var (name, child) in value.GetObject().Items)
                {
                    CheckKnown(source, path + "." + name, child);
                }
            }
        }
    }
}
