using System.Text;
using System.Text.Unicode;

namespace PingActors.Node.Hub;

/// <summary>
/// Turns a request target into a channel name with Pinghub's rules: the decoded path without the query,
/// valid UTF-8, 1 to 256 characters counting the leading slash; a path that is not clean
/// (<c>//</c>, <c>/./</c>, <c>/../</c>) is redirected to its clean form; a trailing slash is kept.
/// </summary>
public static class ChannelPath
{
    private const int MaxRunes = 256;
    public const string InvalidUtf8Text = "Error: bad request. Path must be valid Unicode (UTF-8).\n";
    public const string BadLengthText = "Error: bad request. Path length must be 1-256 Unicode characters (UTF-8).\n";
    public const string MalformedText = "Error: bad request. Path has a malformed percent-encoding.\n";

    public static ChannelPathResult Parse(string rawTarget)
    {
        var target = rawTarget;
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var pathStart = target.IndexOf('/', target.IndexOf("//", StringComparison.Ordinal) + 2);
            target = pathStart < 0 ? "/" : target[pathStart..];
        }

        var q = target.IndexOf('?');
        var rawPath = q < 0 ? target : target[..q];
        var query = q < 0 ? string.Empty : target[q..];
        if (!rawPath.StartsWith('/'))
        {
            return ChannelPathResult.Invalid(MalformedText);
        }

        if (!TryPercentDecode(rawPath, out var bytes))
        {
            return ChannelPathResult.Invalid(MalformedText);
        }

        if (!Utf8.IsValid(bytes))
        {
            return ChannelPathResult.Invalid(InvalidUtf8Text);
        }

        var path = Encoding.UTF8.GetString(bytes);
        var clean = Clean(path);
        if (!string.Equals(clean, path, StringComparison.Ordinal))
        {
            return ChannelPathResult.Redirect(Encode(clean) + query);
        }

        var runes = 0;
        foreach (var _ in path.EnumerateRunes())
        {
            runes++;
        }

        return runes is < 1 or > MaxRunes ? ChannelPathResult.Invalid(BadLengthText) : ChannelPathResult.Valid(path);
    }

    /// <summary>Go's path.Clean, keeping a trailing slash (gorilla/mux's cleanPath).</summary>
    private static string Clean(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        var clean = "/" + string.Join('/', segments);
        if (path.EndsWith('/') && clean != "/")
        {
            clean += "/";
        }

        return clean;
    }

    private static string Encode(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static bool TryPercentDecode(string raw, out byte[] bytes)
    {
        var output = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%')
            {
                if (i + 2 >= raw.Length || !Uri.IsHexDigit(raw[i + 1]) || !Uri.IsHexDigit(raw[i + 2]))
                {
                    bytes = [];
                    return false;
                }

                output.Add((byte)Convert.ToInt32(raw.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                // Kestrel refuses raw non-ASCII request targets before we see them, so c is ASCII here.
                output.Add((byte)c);
            }
        }

        bytes = output.ToArray();
        return true;
    }
}

/// <summary>The outcome of <see cref="ChannelPath.Parse"/>.</summary>
public sealed record ChannelPathResult(string? Channel, string? Error, string? Location)
{
    public static ChannelPathResult Valid(string channel) => new(channel, null, null);

    public static ChannelPathResult Invalid(string error) => new(null, error, null);

    public static ChannelPathResult Redirect(string location) => new(null, null, location);
}
