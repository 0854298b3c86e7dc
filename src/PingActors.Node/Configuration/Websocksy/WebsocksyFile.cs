namespace PingActors.Node.Configuration.Websocksy;

/// <summary>One <c>key = value</c> line of a websocksy config file, with its section and line number.</summary>
internal sealed record WebsocksyLine(int Number, bool InBackend, string Key, string Value)
{
    public string Section => InBackend ? "[backend]" : "[core]";
}

/// <summary>
/// websocksy's config file syntax (config.c): <c>[core]</c> and <c>[backend]</c> begin a section when they begin
/// the line (anything after them is ignored, as there); other lines are <c>key = value</c>, split at the
/// first '=' and trimmed; lines without '=' are ignored. Lines before any section are <c>[core]</c>'s.
/// </summary>
internal static class WebsocksyFile
{
    public static IEnumerable<WebsocksyLine> Parse(string text)
    {
        var inBackend = false;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            if (raw.StartsWith("[core]", StringComparison.Ordinal))
            {
                inBackend = false;
                continue;
            }

            if (raw.StartsWith("[backend]", StringComparison.Ordinal))
            {
                inBackend = true;
                continue;
            }

            var line = raw.Trim();

            // websocksy has no comments: there a "# host = x" line in [backend] reaches the backend, which
            // rejects it and stops the start. Skipping such lines only lets through files websocksy refuses.
            if (line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            var eq = line.IndexOf('=');
            if (eq < 0)
            {
                continue;
            }

            yield return new WebsocksyLine(number, inBackend, line[..eq].TrimEnd(), line[(eq + 1)..].TrimStart());
        }
    }
}
