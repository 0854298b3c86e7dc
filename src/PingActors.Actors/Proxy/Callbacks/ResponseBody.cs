namespace PingActors.Actors.Proxy.Callbacks;

/// <summary>The app's answer body was larger than callback.max-body-size.</summary>
public sealed class CallbackBodyTooLargeException(int limit) : Exception($"the callback's body is larger than {limit} bytes");

/// <summary>Reads a callback's answer body within a size bound, so an app answering garbage cannot fill the node's memory.</summary>
internal static class ResponseBody
{
    public static async Task<byte[]> ReadAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > limit)
        {
            throw new CallbackBodyTooLargeException(limit);
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new CallbackBodyTooLargeException(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.Length == 0 ? [] : buffer.ToArray();
    }

    /// <summary>Reads and drops an answer nobody uses, so its pooled connection can be reused.</summary>
    public static async Task DrainAsync(HttpContent content, int limit, CancellationToken cancellationToken) =>
        _ = await ReadAsync(content, limit, cancellationToken).ConfigureAwait(false);
}
