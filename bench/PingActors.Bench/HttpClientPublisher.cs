using System.Net.Http.Headers;

namespace PingActors.Bench;

/// <summary>
/// POSTs with <see cref="HttpClient"/> (SocketsHttpHandler, one pooled connection per concurrent publisher): the
/// tool's publisher until <see cref="RawHttpPublisher"/>, about 17 us of tool CPU per POST against 12.7. Kept behind
/// <c>--publisher httpclient</c> so new figures can be A/B'd against, and compared with, older runs.
/// </summary>
internal sealed class HttpClientPublisher : Publisher
{
    private static readonly MediaTypeHeaderValue TextPlain = new("text/plain");

    private readonly HttpClient _http;
    private readonly Uri[] _uris;
    private readonly string? _header;

    public HttpClientPublisher(Target target, IReadOnlyList<string> channels, int connections, string? header)
    {
        _uris = channels.Select(target.HttpUri).ToArray();
        _header = header;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        { Timeout = Timeout };
    }

    public override void Dispose() => _http.Dispose();

    protected override async ValueTask<(int Status, string? Header)> SendAsync(int channel, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = TextPlain;
        using var response = await _http.PostAsync(_uris[channel], content, ct).ConfigureAwait(false);
        var value = _header is not null && response.Headers.TryGetValues(_header, out var values) ? values.FirstOrDefault() : null;
        return ((int)response.StatusCode, value);
    }
}
