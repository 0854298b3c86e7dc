using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PingActors.Node.Configuration.Kuiperbelt;

/// <summary>
/// A kuiperbelt YAML file, read as kuiperbelt's Go reads it (gopkg.in/yaml.v2 into its Config struct):
/// plain scalars resolve by YAML 1.1 (yes/on/true are booleans, ~ and an empty value are null, which leaves
/// a key at its zero value), a string key takes any scalar (port: 9180 is the string "9180"), a duration
/// takes a Go duration string or a whole number of nanoseconds. Unlike yaml.v2, a key kuiperbelt does not
/// know is an error: it would be ignored there too, which is how a typo goes unnoticed.
/// </summary>
internal sealed class KuiperbeltYaml
{
    private static readonly string[] Sections = ["callback", "path"];

    // kuiperbelt's Config struct, by YAML key.
    private static readonly string[] Keys =
    [
        "port", "sock", "endpoint", "session_header", "strict_broadcast", "proxy_set_header", "send_timeout",
        "send_queue_size", "origin_policy", "idle_timeout", "suppress_access_log",
        "callback.connect", "callback.establish", "callback.receive", "callback.close", "callback.timeout",
        "path.connect", "path.close", "path.stats", "path.send", "path.ping",
    ];

    private readonly Dictionary<string, YamlNode> _values;

    private KuiperbeltYaml(string file, Dictionary<string, YamlNode> values)
    {
        File = file;
        _values = values;
    }

    /// <summary>The file's full path, which every error starts with.</summary>
    public string File { get; }

    public static KuiperbeltYaml Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var reason = (e.InnerException?.Message ?? e.Message).Split('\n')[0].Trim();
            throw new ConfigException($"{file}:{e.Start.Line}: expected valid YAML (after the {{{{ }}}} templates), got an error from the parser: {reason}");
        }

        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        if (stream.Documents.Count > 1)
        {
            throw new ConfigException($"{file}: expected one YAML document, got {stream.Documents.Count}");
        }

        if (stream.Documents.Count == 1 && !IsNull(stream.Documents[0].RootNode))
        {
            Collect(file, string.Empty, stream.Documents[0].RootNode, values);
        }

        return new KuiperbeltYaml(file, values);
    }

    public bool Has(string key) => _values.TryGetValue(key, out var node) && !IsNull(node);

    /// <summary>A string key: any scalar's text, as yaml.v2 does for a Go string; empty when absent or null.</summary>
    public string String(string key) => Scalar(key, "a string") ?? string.Empty;

    public bool Bool(string key)
    {
        var text = Scalar(key, "true or false", plainOnly: true);
        return text switch
        {
            null => false,
            "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON" => true,
            "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF" => false,
            _ => throw Error(key, "true or false"),
        };
    }

    public long Int(string key)
    {
        var text = Scalar(key, "a whole number", plainOnly: true);
        return text is null ? 0 : WholeNumber(text) ?? throw Error(key, "a whole number");
    }

    /// <summary>Nanoseconds, as Go's time.Duration holds them; 0 when absent.</summary>
    public long Duration(string key)
    {
        const string expected = "a duration such as 5s or 1m30s (or a whole number of nanoseconds), not negative";
        var node = Node(key);
        var text = Scalar(key, expected);
        var nanos = text is null ? 0
            : IsPlain(node!) && WholeNumber(text) is { } whole ? whole
            : GoDuration.ParseNanoseconds(text) ?? throw Error(key, expected);
        return nanos >= 0 ? nanos : throw Error(key, expected);
    }

    /// <summary>A map of string to string (proxy_set_header); a null value is the empty string.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Map(string key)
    {
        var node = Node(key);
        if (node is null || IsNull(node))
        {
            return [];
        }

        if (node is not YamlMappingNode mapping)
        {
            throw Error(key, "a mapping of header name to value, e.g. { X-Foo: bar }");
        }

        return mapping.Children
            .Select(pair =>
            {
                var name = pair.Key is YamlScalarNode { Value: { Length: > 0 } text } ? text : throw Error(key, "header names that are non-empty strings");
                return KeyValuePair.Create(name, ScalarOf(pair.Value, $"{key}.{name}", "a string") ?? string.Empty);
            })
            .ToList();
    }

    /// <summary>A one-line error naming the file and the YAML key, describing what the key holds.</summary>
    public ConfigException Error(string key, string expected) =>
        new($"{File}: {key}: expected {expected}, got {Describe(Node(key))}");

    private YamlNode? Node(string key) => _values.GetValueOrDefault(key);

    private string? Scalar(string key, string expected, bool plainOnly = false) => ScalarOf(Node(key), key, expected, plainOnly);

    private string? ScalarOf(YamlNode? node, string key, string expected, bool plainOnly = false)
    {
        if (node is null || IsNull(node))
        {
            return null;
        }

        if (node is not YamlScalarNode scalar || (plainOnly && !IsPlain(scalar)))
        {
            throw new ConfigException($"{File}: {key}: expected {expected}, got {Describe(node)}");
        }

        return scalar.Value ?? string.Empty;
    }

    private static void Collect(string file, string prefix, YamlNode node, Dictionary<string, YamlNode> values)
    {
        var where = prefix.Length == 0 ? string.Empty : prefix.TrimEnd('.') + ": ";
        if (node is not YamlMappingNode mapping)
        {
            throw new ConfigException($"{file}: {where}expected a mapping of kuiperbelt's keys, got {Describe(node)}");
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = prefix + (keyNode as YamlScalarNode)?.Value;
            if (prefix.Length == 0 && Sections.Contains(key))
            {
                if (!IsNull(value))
                {
                    Collect(file, key + ".", value, values);
                }

                continue;
            }

            if (!Keys.Contains(key))
            {
                var known = Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k[prefix.Length..]).Where(k => !k.Contains('.'));
                var listed = prefix.Length == 0 ? known.Concat(Sections).Order(StringComparer.Ordinal) : known;
                throw new ConfigException($"{file}: {key}: expected one of kuiperbelt's keys{(prefix.Length == 0 ? string.Empty : " under " + prefix.TrimEnd('.'))} ({string.Join(", ", listed)}), got an unknown key");
            }

            values[key] = value;
        }
    }

    // YAML 1.1 integers as yaml.v2 resolves them: decimal, 0x hex, 0b binary, 0-prefixed octal, '_' ignored.
    private static long? WholeNumber(string text)
    {
        var s = text.Replace("_", string.Empty, StringComparison.Ordinal);
        var negative = s.StartsWith('-');
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            s = s[1..];
        }

        var (digits, radix) = s switch
        {
            _ when s.StartsWith("0x", StringComparison.Ordinal) => (s[2..], 16),
            _ when s.StartsWith("0b", StringComparison.Ordinal) => (s[2..], 2),
            _ when s.Length > 1 && s[0] == '0' => (s[1..], 8),
            _ => (s, 10),
        };
        if (digits.Length == 0 || digits.Length > 64)
        {
            return null;
        }

        try
        {
            var value = radix == 10
                ? long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture)
                : Convert.ToInt64(digits, radix);
            return value >= 0 ? (negative ? -value : value) : null;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    private static bool IsPlain(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Tag.IsEmpty;

    private static bool IsNull(YamlNode node) =>
        IsPlain(node) && ((YamlScalarNode)node).Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Describe(YamlNode? node) => node switch
    {
        null => "nothing",
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode s => "\"" + s.Value + "\"",
        YamlSequenceNode => "a list",
        _ => "a mapping",
    };
}
