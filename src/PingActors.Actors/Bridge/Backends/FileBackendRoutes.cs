namespace PingActors.Actors.Bridge.Backends;

/// <summary>One line of a route file: <c>&lt;peer&gt; &lt;subprotocol&gt; [&lt;framing&gt;] [&lt;framing-config...&gt;]</c>.</summary>
/// <param name="Subprotocol">Null for a line with no space (a peer alone), which only a client offering nothing can get.</param>
internal sealed record FileBackendRoute(int Line, string Peer, string? Subprotocol, string? Framing, string? FramingConfig);

/// <summary>websocksy's route file format and its matching order (plugins/backend_file.c).</summary>
internal static class FileBackendRoutes
{
    /// <summary>The lines of a route file; blank lines are skipped (websocksy would crash on one or skip it).</summary>
    public static IEnumerable<FileBackendRoute> Parse(string text)
    {
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r', '\n');
            if (line.Length == 0)
            {
                continue;
            }

            // Single spaces separate the fields; the framing-config is the rest of the line, spaces and all.
            var fields = line.Split(' ', 4);
            yield return new FileBackendRoute(
                number,
                fields[0],
                fields.Length > 1 ? fields[1] : null,
                fields.Length > 2 && fields[2].Length > 0 ? fields[2] : null,
                fields.Length > 3 && fields[3].Length > 0 ? fields[3] : null);
        }
    }

    /// <summary>
    /// With no offers the first line wins and no subprotocol is answered. With offers, the first line (file
    /// order, not the client's preference) whose subprotocol equals an offer case-sensitively wins with that
    /// offer; a <c>*</c> line wins with the client's first offer.
    /// </summary>
    public static (FileBackendRoute Route, string? Protocol)? Match(IEnumerable<FileBackendRoute> routes, IReadOnlyList<string> offered)
    {
        foreach (var route in routes)
        {
            if (offered.Count == 0)
            {
                return (route, null);
            }

            if (route.Subprotocol is null)
            {
                continue;
            }

            if (route.Subprotocol == "*")
            {
                return (route, offered[0]);
            }

            foreach (var offer in offered)
            {
                if (string.Equals(offer, route.Subprotocol, StringComparison.Ordinal))
                {
                    return (route, offer);
                }
            }
        }

        return null;
    }
}
