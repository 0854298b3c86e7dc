using System.Net.Http.Headers;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Callbacks;

/// <summary>The request parts kuiperbelt's callbacks share: which headers they carry and how a body's type is told.</summary>
internal static class CallbackMessages
{
    public const string EndpointHeader = "X-Kuiperbelt-Endpoint";

    private static readonly MediaTypeHeaderValue TextPlain = new("text/plain");
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    // Hop-by-hop (RFC 9110 7.6.1), the handshake's own, and those HttpClient sets itself from the request.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Upgrade", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding",
        "Host", "Content-Length",
    };

    /// <summary>kuiperbelt's rule for /send bodies and callback answers: application/octet-stream (any case, any parameters) is binary, anything else text.</summary>
    public static bool IsBinary(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';');
        var media = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return media.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsForwarded(string header) =>
        !NotForwarded.Contains(header) && !header.StartsWith("Sec-WebSocket-", StringComparison.OrdinalIgnoreCase);

    public static HttpContent Body(Payload message)
    {
        var content = new ByteArrayContent(message.Bytes);
        content.Headers.ContentType = message.IsText ? TextPlain : OctetStream;
        return content;
    }

    /// <summary>proxy-set-header: a value sets the header, an empty one removes it.</summary>
    public static void ApplySetHeaders(HttpRequestMessage request, ProxySettings settings)
    {
        foreach (var (name, value) in settings.SetHeaders)
        {
            request.Headers.Remove(name);
            request.Content?.Headers.Remove(name);
            if (value.Length > 0 && !request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }
}
