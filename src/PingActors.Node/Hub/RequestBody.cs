using System.Buffers;
using System.Net.Http.Headers;

namespace PingActors.Node.Hub;

/// <summary>A request body as read: its bytes, or none and the status and text that refuse it.</summary>
public readonly record struct BodyRead(byte[]? Bytes, int Status, string Refusal);

/// <summary>Reads a request body into one array, refusing it as soon as it passes the size limit.</summary>
public static class RequestBody
{
    /// <returns>The body; or a refusal: 413 when it is larger than <paramref name="limit"/>, 400 when its framing is broken.</returns>
    public static async Task<BodyRead> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBytesAsync(request, limit, cancellationToken) is { } bytes
                ? new BodyRead(bytes, StatusCodes.Status200OK, string.Empty)
                : new BodyRead(null, StatusCodes.Status413PayloadTooLarge, $"Error: message too large. The limit is {limit} bytes.\n");
        }
        catch (Exception e) when (IsMalformed(e))
        {
            return new BodyRead(null, StatusCodes.Status400BadRequest, $"Error: bad request. Malformed request body: {e.Message}\n");
        }
    }

    /// <summary>As in kuiperbelt: <c>application/octet-stream</c> (any case, any parameters) means a binary frame.</summary>
    public static bool IsBinary(string? contentType) =>
        contentType is not null
        && MediaTypeHeaderValue.TryParse(contentType, out var media)
        && string.Equals(media.MediaType, "application/octet-stream", StringComparison.OrdinalIgnoreCase);

    // Kestrel reports broken chunked framing as a 400 BadHttpRequestException, except a chunk size too large
    // for an int, which it throws as an IOException around the OverflowException: left to Kestrel, the first
    // became a 400 without a word and the second a 500. Other failures (a reset, a too slow body) stay Kestrel's.
    private static bool IsMalformed(Exception e) =>
        e is BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } or IOException { InnerException: OverflowException };

    /// <returns>The body, or null when it is larger than <paramref name="limit"/>.</returns>
    private static async Task<byte[]?> ReadBytesAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
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

                var read = await request.Body.ReadAsync(buffer.AsMemory(count), cancellationToken);
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
