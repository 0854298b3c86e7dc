using System.Text;

namespace PingActors.Actors.Bridge.Backends;

/// <summary>
/// One of the file backend's expressions (websocksy's <c>expression</c>): a file name with <c>%endpoint%</c>,
/// <c>%cookie:NAME%</c> and <c>%header:Name%</c> in it, resolved per request.
/// </summary>
internal sealed class FileBackendExpression
{
    private const string EndpointVariable = "%endpoint%";
    private const string CookiePrefix = "%cookie:";
    private const string HeaderPrefix = "%header:";

    private readonly List<Part> _parts = [];

    /// <exception cref="ArgumentException">An unterminated or unnamed variable, or a literal <c>..</c> segment.</exception>
    public FileBackendExpression(string template)
    {
        Template = template;
        var literal = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var variable = ReadVariable(template, i);
            if (variable is null)
            {
                literal.Append(template[i]);
                continue;
            }

            if (literal.Length > 0)
            {
                _parts.Add(new Part(PartKind.Literal, literal.ToString()));
                literal.Clear();
            }

            _parts.Add(variable.Value.Part);
            i += variable.Value.Length - 1;
        }

        if (literal.Length > 0)
        {
            _parts.Add(new Part(PartKind.Literal, literal.ToString()));
        }

        // Values cannot hold '/' (it becomes '_'), so only the operator's own text could climb out of path;
        // say so at start rather than skip the expression on every request.
        var shape = string.Concat(_parts.Select(p => p.Kind == PartKind.Literal ? p.Text : "v"));
        if (shape.Split('/').Contains(".."))
        {
            throw new ArgumentException($"expected an expression that stays inside path, got \"{template}\" with a \"..\" segment");
        }
    }

    public string Template { get; }

    /// <summary>The file name for <paramref name="request"/>, or null when a variable is missing or empty (websocksy skips the expression then).</summary>
    public string? Resolve(BridgeRequest request)
    {
        var name = new StringBuilder();
        foreach (var part in _parts)
        {
            var value = part.Kind switch
            {
                PartKind.Literal => part.Text,
                PartKind.Endpoint => Endpoint(request.Endpoint),
                PartKind.Cookie => Cookie(request.Headers, part.Text),
                _ => Header(request.Headers, part.Text),
            };
            if (string.IsNullOrEmpty(value) || value.Contains('\0'))
            {
                return null;
            }

            // websocksy's defence against traversal; FileBackend still checks the whole path stays inside.
            name.Append(part.Kind == PartKind.Literal ? value : value.Replace('/', '_'));
        }

        return name.ToString();
    }

    /// <summary>websocksy's %endpoint%: the request target minus its first character and one trailing '/', query kept.</summary>
    internal static string? Endpoint(string endpoint)
    {
        if (endpoint.Length >= 2 && endpoint[^1] == '/')
        {
            endpoint = endpoint[..^1];
        }

        return endpoint.Length < 1 ? null : endpoint[1..];
    }

    private static string? Cookie(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var (tag, value) in headers)
        {
            if (!tag.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // websocksy splits pairs on "; " exactly and takes a value up to the next ';'.
            foreach (var pair in value.Split("; "))
            {
                if (pair.Length > name.Length && pair[name.Length] == '=' && pair.StartsWith(name, StringComparison.Ordinal))
                {
                    var found = pair[(name.Length + 1)..];
                    var semicolon = found.IndexOf(';');
                    return semicolon < 0 ? found : found[..semicolon];
                }
            }
        }

        return null;
    }

    // Case-insensitive, unlike websocksy: HTTP header names are, and Kestrel does not keep the client's spelling.
    private static string? Header(IReadOnlyList<KeyValuePair<string, string>> headers, string tag) =>
        headers.FirstOrDefault(h => h.Key.Equals(tag, StringComparison.OrdinalIgnoreCase)).Value;

    private static (Part Part, int Length)? ReadVariable(string template, int at)
    {
        if (template[at] != '%')
        {
            return null;
        }

        if (string.CompareOrdinal(template, at, EndpointVariable, 0, EndpointVariable.Length) == 0)
        {
            return (new Part(PartKind.Endpoint, string.Empty), EndpointVariable.Length);
        }

        foreach (var (prefix, kind) in new[] { (CookiePrefix, PartKind.Cookie), (HeaderPrefix, PartKind.Header) })
        {
            if (string.CompareOrdinal(template, at, prefix, 0, prefix.Length) != 0)
            {
                continue;
            }

            var end = template.IndexOf('%', at + prefix.Length);
            if (end < 0 || end == at + prefix.Length)
            {
                throw new ArgumentException($"expected {prefix}NAME% in expression \"{template}\", got {(end < 0 ? "no closing %" : "no name")}");
            }

            return (new Part(kind, template[(at + prefix.Length)..end]), end - at + 1);
        }

        // Any other '%' is kept as it is, as websocksy does.
        return null;
    }

    private enum PartKind
    {
        Literal,
        Endpoint,
        Cookie,
        Header,
    }

    private readonly record struct Part(PartKind Kind, string Text);
}
