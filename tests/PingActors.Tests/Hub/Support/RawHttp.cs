using System.Text;

namespace PingActors.Tests.Hub.Support;

/// <summary>A parsed HTTP/1.1 response.</summary>
public sealed record RawResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>
/// Hand-written HTTP over a bare socket, for requests HttpClient will not send as written (raw paths such
/// as <c>/&lt;xss&gt;</c> or <c>/%ff</c>, upgrade headers on a POST, broken handshakes).
/// </summary>
public static class RawHttp
{
    /// <summary>Sends <paramref name="method"/> <paramref name="target"/> with the given header lines and body, with Connection: close.</summary>
    public static async Task<RawResponse> SendAsync(Uri hubUri, string method, string target, IEnumerable<string>? headers = null, byte[]? body = null)
    {
        var request = new StringBuilder()
            .Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(hubUri.Authority).Append("\r\n");
        foreach (var header in headers ?? [])
        {
            request.Append(header).Append("\r\n");
        }

        if (body is not null)
        {
            request.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }

        request.Append("Connection: close\r\n\r\n");
        await using var raw = await RawWebSocket.OpenAsync(hubUri);
        await raw.WriteAsync([.. Encoding.Latin1.GetBytes(request.ToString()), .. body ?? []]);
        return Parse(await raw.ReadToEndAsync(RawWebSocket.DefaultTimeout), method == "HEAD");
    }

    public static Task<RawResponse> GetAsync(Uri hubUri, string target, params string[] headers) => SendAsync(hubUri, "GET", target, headers);

    private static RawResponse Parse(byte[] bytes, bool head)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no complete response head in: {text}");
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Select(p => new KeyValuePair<string, string>(p[0].Trim(), p[1].Trim()))
            .ToList();
        var body = bytes.AsSpan(end + 4).ToArray();
        if (head)
        {
            return new RawResponse(status, headers, body);
        }

        var response = new RawResponse(status, headers, body);
        if (string.Equals(response.Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            response = response with { Body = Dechunk(body) };
        }
        else if (response.Header("Content-Length") is { } length)
        {
            Assert.Equal(int.Parse(length), body.Length);
        }

        return response;
    }

    private static byte[] Dechunk(byte[] body)
    {
        var output = new MemoryStream();
        var i = 0;
        while (true)
        {
            var lineEnd = IndexOfCrLf(body, i);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(body, i, lineEnd - i).Split(';')[0], 16);
            i = lineEnd + 2;
            if (size == 0)
            {
                return output.ToArray();
            }

            output.Write(body, i, size);
            i += size + 2;
        }
    }

    private static int IndexOfCrLf(byte[] bytes, int from)
    {
        for (var i = from; i + 1 < bytes.Length; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                return i;
            }
        }

        throw new Xunit.Sdk.XunitException("truncated chunked body");
    }
}
