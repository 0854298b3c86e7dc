using System.Net.Http.Headers;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Callbacks;

/// <summary>The request parts kuiperbelt's callbacks share: which headers they carry and how a body's type is told.</summary>
internal static class CallbackMessages
{
    public const string EndpointHeader = "X-Kuiperbelt-Endpoint";

    /// <summary>kuiperbelt's connect callback answered 200 without naming the session.</summary>
    public static readonly SessionOutcome.Refused NoSessionHeader = SessionOutcome.Refused.Text(400, "Bad Request\n");

    private static readonly MediaTypeHeaderValue TextPlain = new("text/plain");
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    // The headers of the app's refusal that reach the client besides its status and body.
    private static readonly string[] RefusalHeaders = ["WWW-Authenticate", "Retry-After", "Location"];

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

    /// <summary>The app's refusal of a connect, passed on to the client as a real HTTP answer.</summary>
    public static ConnectAnswer.Refuse Refusal(HttpResponseMessage response, byte[] body)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (response.Content.Headers.ContentType?.ToString() is { } contentType)
        {
            headers.Add(new("Content-Type", contentType));
        }

        foreach (var name in RefusalHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                headers.Add(new(name, string.Join(", ", values)));
            }
        }

        return new ConnectAnswer.Refuse(new SessionOutcome.Refused((int)response.StatusCode, headers, body));
    }
}
