using System.Buffers;
using System.Net.Http.Headers;

namespace PingActors.Node.Http;

/// <summary>A request body as read: its bytes, or none and the status and text that refuse it.</summary>
public readonly record struct BodyRead(byte[]? Bytes, int Status, string Refusal)
{
    /// <summary>The connection ended before the body did: there is no one left to answer.</summary>
    public bool ClientGone => Status == StatusCodes.Status499ClientClosedRequest;
}

/// <summary>Reads a request body into one array, refusing it as soon as it passes the size limit.</summary>
public static class RequestBody
{
    /// <returns>
    /// The body; or a refusal: 413 when it is larger than <paramref name="limit"/>, 400 when its framing is broken,
    /// Kestrel's own status when it gave up on the body (408 when too slow); or <see cref="BodyRead.ClientGone"/>.
    /// </returns>
    /// <remarks>
    /// No cancellation token: a read cancelled by its token leaves Kestrel's body reader mid-read, and Kestrel's
    /// drain after the request then logs an error with a stack trace. Kestrel ends the read itself when the
    /// connection goes (reset, abort) or the body is too slow.
    /// </remarks>
    public static async Task<BodyRead> ReadAsync(HttpRequest request, int limit)
    {
        // Each of these is the client's doing, one per broken request: left to escape, Kestrel logged it as an
        // application error with its stack trace, so a client resetting POSTs in a loop wrote the log full.
        try
        {
            return await ReadBytesAsync(request, limit) is { } bytes
                ? new BodyRead(bytes, StatusCodes.Status200OK, string.Empty)
                : new BodyRead(null, StatusCodes.Status413PayloadTooLarge, $"Error: message too large. The limit is {limit} bytes.\n");
        }
        catch (Exception e) when (IsMalformed(e))
        {
            return new BodyRead(null, StatusCodes.Status400BadRequest, $"Error: bad request. Malformed request body: {e.Message}\n");
        }
        catch (BadHttpRequestException e)
        {
            return new BodyRead(null, e.StatusCode, $"Error: {e.Message}\n");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return new BodyRead(null, StatusCodes.Status499ClientClosedRequest, e.Message);
        }
    }

    /// <summary>As in kuiperbelt: <c>application/octet-stream</c> (any case, any parameters) means a binary frame.</summary>
    public static bool IsBinary(string? contentType) =>
        contentType is not null
        && MediaTypeHeaderValue.TryParse(contentType, out var media)
        && string.Equals(media.MediaType, "application/octet-stream", StringComparison.OrdinalIgnoreCase);

    // Kestrel reports broken chunked framing as a 400 BadHttpRequestException, except a chunk size too large
    // for an int, which it throws as an IOException around the OverflowException: left to Kestrel, the first
    // became a 400 without a word and the second a 500.
    private static bool IsMalformed(Exception e) =>
        e is BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } or IOException { InnerException: OverflowException };

    /// <returns>The body, or null when it is larger than <paramref name="limit"/>.</returns>
    private static async Task<byte[]?> ReadBytesAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        try
        {
            var count = 0;
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (count > limit)
                    {
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(count));
                if (read == 0)
                {
                    break;
                }

                count += read;
                if (count > limit)
                {
                    return null;
                }
            }

            return buffer.AsSpan(0, count).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
