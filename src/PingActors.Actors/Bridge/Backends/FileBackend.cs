namespace PingActors.Actors.Bridge.Backends;

/// <summary>
/// websocksy's file backend: each expression names a route file under <see cref="BasePath"/>; the first file
/// that exists and has a line for the request's subprotocols gives the peer. Files are read on every request,
/// so they can be edited while the node runs.
/// </summary>
public sealed class FileBackend : IBridgeBackend
{
    /// <summary>Larger route files are refused (the request fails): a file is read whole on each request.</summary>
    public const int DefaultMaxFileBytes = 1024 * 1024;

    private readonly IReadOnlyList<FileBackendExpression> _expressions;
    private readonly string _root;
    private readonly int _maxFileBytes;

    /// <param name="path">websocksy's <c>path</c>: the directory the expressions are under (one trailing '/' is
    /// dropped; "" is the file system's root, as in websocksy; a relative one is taken from the working directory).</param>
    /// <param name="expressions">websocksy's <c>expression</c> keys, tried in order.</param>
    /// <exception cref="ArgumentException">No expressions, or one that cannot be parsed.</exception>
    public FileBackend(string path, IEnumerable<string> expressions, int maxFileBytes = DefaultMaxFileBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(expressions);
        var trimmed = path.EndsWith('/') ? path[..^1] : path;
        BasePath = Path.GetFullPath(trimmed.Length == 0 ? "/" : trimmed);
        _root = BasePath.EndsWith('/') ? BasePath : BasePath + "/";
        _expressions = expressions.Select(e => new FileBackendExpression(e)).ToArray();
        _maxFileBytes = maxFileBytes;
        if (_expressions.Count == 0)
        {
            throw new ArgumentException("expected at least one expression, got none", nameof(expressions));
        }
    }

    /// <summary>The directory every route file must be inside, absolute.</summary>
    public string BasePath { get; }

    /// <exception cref="InvalidDataException">The matching line's peer is not a usable address, or a route file is over the size cap.</exception>
    public async ValueTask<PeerChoice?> ChooseAsync(BridgeRequest request, CancellationToken cancellationToken)
    {
        foreach (var expression in _expressions)
        {
            var file = FileFor(expression, request);
            var text = file is null ? null : await ReadAsync(file, cancellationToken).ConfigureAwait(false);
            if (text is null)
            {
                continue;
            }

            if (FileBackendRoutes.Match(FileBackendRoutes.Parse(text), request.OfferedProtocols) is not var (route, protocol))
            {
                continue;
            }

            // websocksy would take this line and fail the connect (500): no later line or file is tried.
            PeerAddress peer;
            try
            {
                peer = PeerAddress.Parse(route.Peer);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{file}:{route.Line}: {e.Message}", e);
            }

            return new PeerChoice(peer.ToUri(), protocol, route.Framing ?? DefaultBackend.DefaultFraming, route.FramingConfig);
        }

        return null;
    }

    /// <summary>The route file for <paramref name="expression"/>, or null when a variable is missing or the name would leave <see cref="BasePath"/>.</summary>
    private string? FileFor(FileBackendExpression expression, BridgeRequest request)
    {
        var name = expression.Resolve(request);
        if (name is null)
        {
            return null;
        }

        var full = Path.GetFullPath(_root + name);
        return full.StartsWith(_root, StringComparison.Ordinal) && full.Length > _root.Length ? full : null;
    }

    /// <summary>The file's text, or null when it cannot be opened (missing, a directory, not readable): websocksy skips those.</summary>
    private async Task<string?> ReadAsync(string file, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            // Read at most one byte past the cap: a FIFO or a device reports no length and may never end.
            var buffer = new byte[Math.Min(_maxFileBytes + 1L, stream.CanSeek && stream.Length > 0 ? stream.Length + 1 : 64 * 1024)];
            var used = 0;
            while (true)
            {
                if (used == buffer.Length)
                {
                    if (used > _maxFileBytes)
                    {
                        throw new InvalidDataException($"{file}: expected a route file of at most {_maxFileBytes} bytes, got a larger one");
                    }

                    Array.Resize(ref buffer, (int)Math.Min(_maxFileBytes + 1L, buffer.Length * 2L));
                }

                var read = await stream.ReadAsync(buffer.AsMemory(used), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return System.Text.Encoding.UTF8.GetString(buffer, 0, used);
                }

                used += read;
            }
        }
    }
}
