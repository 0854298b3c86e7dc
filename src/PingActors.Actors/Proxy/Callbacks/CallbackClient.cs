using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Callbacks;

/// <summary>
/// The app's four callbacks over one pooled <see cref="HttpClient"/> (the node makes it with
/// <c>IHttpClientFactory</c>: bounded connections per app server, recycled every connection-lifetime). Every
/// call is bounded by callback.timeout, so an app that is down, slow or answers garbage costs its session a
/// failed callback and nothing more; each outcome is counted for /stats and /metrics.
/// </summary>
public sealed class CallbackClient(HttpClient http, ProxySettings settings, ProxyStats stats, ProxyMetrics metrics)
{
    private static readonly SessionOutcome.Refused BadGateway = SessionOutcome.Refused.Text(502, "Bad Gateway\n");
    private static readonly SessionOutcome.Refused NoSessionHeader = SessionOutcome.Refused.Text(400, "Bad Request\n");

    // The headers of the app's refusal that reach the client besides its status and body.
    private static readonly string[] RefusalHeaders = ["WWW-Authenticate", "Retry-After", "Location"];

    private readonly ConcurrentDictionary<Task, bool> _closesInFlight = new();

    public async Task<ConnectAnswer> ConnectAsync(ConnectRequest client)
    {
        var url = new UriBuilder(settings.ConnectCallback) { Query = client.QueryString.TrimStart('?') }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in client.Headers)
        {
            if (CallbackMessages.IsForwarded(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        CallbackMessages.ApplySetHeaders(request, settings);
        request.Headers.Remove(CallbackMessages.EndpointHeader);
        request.Headers.TryAddWithoutValidation(CallbackMessages.EndpointHeader, settings.Endpoint);

        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(settings.CallbackTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await ResponseBody.ReadAsync(response.Content, settings.CallbackMaxBodySize, timeout.Token).ConfigureAwait(false);
            var contentType = response.Content.Headers.ContentType?.ToString();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Count("connect", "refused", started);

                // kuiperbelt does not count a 403 as a connect error: it is the app saying no, not failing.
                if (response.StatusCode != HttpStatusCode.Forbidden)
                {
                    stats.ConnectFailed();
                }

                return new ConnectAnswer.Refuse(new SessionOutcome.Refused((int)response.StatusCode, RefusalHeadersOf(response, contentType), body));
            }

            if (!response.Headers.TryGetValues(settings.SessionHeader, out var keys) || keys.FirstOrDefault() is not { Length: > 0 } key)
            {
                Count("connect", "error", started);
                stats.ConnectFailed();
                return new ConnectAnswer.Refuse(NoSessionHeader);
            }

            Count("connect", "ok", started);
            return new ConnectAnswer.Accept(key, body.Length > 0 ? new Payload(!CallbackMessages.IsBinary(contentType), body) : null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or CallbackBodyTooLargeException)
        {
            Count("connect", timeout.IsCancellationRequested ? "timeout" : "error", started);
            stats.ConnectFailed();
            return new ConnectAnswer.Refuse(BadGateway);
        }
    }

    /// <summary>True if the app answered 200.</summary>
    public async Task<bool> EstablishAsync(string sessionKey)
    {
        using var request = SessionRequest(settings.EstablishCallback!, sessionKey, content: null);
        return await SendAsync("establish", request).ConfigureAwait(false) == HttpStatusCode.OK;
    }

    /// <summary>Posts one client message; null if the app did not answer, else its status.</summary>
    public Task<HttpStatusCode?> ReceiveAsync(string sessionKey, Payload message)
    {
        var request = SessionRequest(settings.ReceiveCallback!, sessionKey, CallbackMessages.Body(message));
        return SendAndDisposeAsync(request);

        async Task<HttpStatusCode?> SendAndDisposeAsync(HttpRequestMessage r)
        {
            using (r)
            {
                return await SendAsync("receive", r).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Posts the close callback without waiting; <see cref="WhenClosesSentAsync"/> waits for those in flight (at shutdown).</summary>
    public void Close(string sessionKey)
    {
        if (settings.CloseCallback is null)
        {
            return;
        }

        var sending = SendCloseAsync(sessionKey);
        if (!sending.IsCompleted)
        {
            _closesInFlight.TryAdd(sending, true);
            sending.ContinueWith(t => _closesInFlight.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    public Task WhenClosesSentAsync() => Task.WhenAll(_closesInFlight.Keys);

    private async Task SendCloseAsync(string sessionKey)
    {
        using var request = SessionRequest(settings.CloseCallback!, sessionKey, content: null);
        await SendAsync("close", request).ConfigureAwait(false);
    }

    private HttpRequestMessage SessionRequest(Uri url, string sessionKey, HttpContent? content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content ?? new ByteArrayContent([]) };
        CallbackMessages.ApplySetHeaders(request, settings);
        request.Headers.Remove(settings.SessionHeader);
        request.Headers.TryAddWithoutValidation(settings.SessionHeader, sessionKey);
        request.Headers.Remove(CallbackMessages.EndpointHeader);
        request.Headers.TryAddWithoutValidation(CallbackMessages.EndpointHeader, settings.Endpoint);
        return request;
    }

    private async Task<HttpStatusCode?> SendAsync(string kind, HttpRequestMessage request)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(settings.CallbackTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            await ResponseBody.DrainAsync(response.Content, settings.CallbackMaxBodySize, timeout.Token).ConfigureAwait(false);
            Count(kind, response.StatusCode == HttpStatusCode.OK ? "ok" : "refused", started);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or CallbackBodyTooLargeException)
        {
            Count(kind, timeout.IsCancellationRequested ? "timeout" : "error", started);
            return null;
        }
    }

    private static List<KeyValuePair<string, string>> RefusalHeadersOf(HttpResponseMessage response, string? contentType)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (contentType is not null)
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

        return headers;
    }

    private void Count(string kind, string outcome, long started) => metrics.Callback(kind, outcome, Stopwatch.GetElapsedTime(started));
}
