using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace PingActors.Node.Configuration;

/// <summary>Reads keys and turns every failure into one line: source, key, what was expected, what was found.</summary>
internal sealed class SettingsReader(LoadedConfig loaded)
{
    /// <summary>What every feature's WebSockets share; a feature's own section may set any of its keys for itself.</summary>
    public const string WebSocketSection = "pingactors.websocket";

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

    public int Int(string key, int min, int max) => Get(key, $"a whole number from {min} to {max}", () =>
    {
        var v = _config.GetInt(key);
        return v >= min && v <= max ? v : throw new FormatException();
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

    public ListenAddress Listen(string key) => Get(key, "host:port with an IP address or localhost, e.g. 127.0.0.1:8080, or unix:/absolute/path.sock", () =>
        ListenAddress.TryParse(Raw(key), out var address) ? address! : throw new FormatException());

    /// <summary>A list of strings, each checked by <paramref name="valid"/>.</summary>
    public IReadOnlyList<string> StringList(string key, string expected, Func<string, bool> valid) => Get(key, expected, () =>
    {
        var list = _config.GetStringList(key);
        return list.All(valid) ? list.ToArray() : throw new FormatException();
    });

    /// <summary>True when a file or the command line sets <paramref name="key"/> (not only the built-in reference.conf).</summary>
    /// <summary>A map of names to strings, such as proxy-set-header.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> StringMap(string key) => Get(key, "an object of names to strings, such as { \"X-Foo\" = \"bar\" }", () =>
        _config.GetValue(key).GetObject().Items
            .Select(item => item.Value.IsObject() || item.Value.IsArray() ? throw new FormatException() : KeyValuePair.Create(item.Key, item.Value.GetString() ?? string.Empty))
            .ToArray());

    public string String(string key) => Get(key, "a string", () => Raw(key));

    /// <summary>True when <paramref name="key"/> is HOCON's <c>null</c> (not the string "null", not "").</summary>
    public bool IsNull(string key) => _config.GetValue(key) is { } v && !v.IsObject() && !v.IsArray() && v.GetString() is null;

    /// <summary>True when <paramref name="key"/> holds a list (Akka would read a lone string as a list of one).</summary>
    public bool IsList(string key) => _config.GetValue(key) is { } v && v.IsArray();

    /// <summary>True if any source, reference.conf included, gives <paramref name="key"/> a value.</summary>
    public bool Has(string key) => _config.HasPath(key);

    public bool IsSet(string key) => loaded.SourceOf(key) != ConfigLoader.ReferenceName;

    /// <summary>Where <paramref name="key"/> was set, for an error about it.</summary>
    public string SourceOf(string key) => loaded.SourceOf(key);

    private string Raw(string key) => _config.GetValue(key) is { } v && !v.IsObject() && !v.IsArray() ? v.GetString() ?? string.Empty : throw new FormatException();

    /// <summary>Reads <paramref name="key"/> with <paramref name="read"/>; any failure becomes a <see cref="ConfigException"/> naming the source, the key and <paramref name="expected"/>.</summary>
    public T Get<T>(string key, string expected, Func<T> read)
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

        // The keys a feature's section takes from pingactors.websocket are candidates there too.
        var candidates = new[] { parent, KnownAs(parent) }
            .Where(p => p is not null && _reference.HasPath(p) && _reference.GetValue(p).IsObject())
            .SelectMany(p => _reference.GetValue(p).GetObject().Items.Keys)
            .Concat(KnownAs(parent + ".enabled") == parent + ".enabled" ? _reference.GetValue(WebSocketSection).GetObject().Items.Keys : [])
            .Distinct();
        var best = candidates
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
        var known = KnownAs(path);
        if (known is null)
        {
            throw new ConfigException($"{source.Name}: {path}: expected a key listed in hocon/reference.conf{Suggestion(path)}, got an unknown key");
        }

        // An empty object in reference.conf is a map the operator fills (proxy-set-header): any names go.
        if (value.IsObject() && _reference.GetValue(known).IsObject() && _reference.GetValue(known).GetObject().Items.Count > 0)
        {
            foreach (var (name, child) in value.GetObject().Items)
            {
                CheckKnown(source, path + "." + name, child);
            }
        }
    }

    // A feature's section (one with an `enabled` key) also takes every key of pingactors.websocket, for
    // that feature alone: pingactors.hub.max-message-size is known as pingactors.websocket.max-message-size.
    private string? KnownAs(string path)
    {
        if (_reference.HasPath(path))
        {
            return path;
        }

        var parts = path.Split('.', 3);
        if (parts.Length == 3 && parts[0] == "pingactors" && _reference.HasPath($"pingactors.{parts[1]}.enabled"))
        {
            var shared = $"{WebSocketSection}.{parts[2]}";
            return _reference.HasPath(shared) ? shared : null;
        }

        return null;
    }
}
