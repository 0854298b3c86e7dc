using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using PingActors.Actors.Proxy.Faces;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Callbacks;

/// <summary>
/// The app's callbacks, shaped by the proxy's face, over one pooled <see cref="HttpClient"/> (the node makes
/// it with <c>IHttpClientFactory</c>: bounded connections per app server, recycled every connection-lifetime).
/// Every call is bounded by callback.timeout, so an app that is down, slow or answers garbage costs its
/// session a failed callback and nothing more; each outcome is counted for /stats and /metrics.
/// </summary>
public sealed class CallbackClient(HttpClient http, IProxyFace face, ProxySettings settings, ProxyStats stats, ProxyMetrics metrics)
{
    private static readonly SessionOutcome.Refused BadGateway = SessionOutcome.Refused.Text(502, "Bad Gateway\n");

    private readonly ConcurrentDictionary<Task, bool> _closesInFlight = new();

    /// <param name="key">The session's key when the face makes it before the callback (WSaaS), else null.</param>
    public async Task<ConnectAnswer> ConnectAsync(ConnectRequest client, string? key)
    {
        using var request = face.Connect(client, key);
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(settings.CallbackTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await ResponseBody.ReadAsync(response.Content, settings.CallbackMaxBodySize, timeout.Token).ConfigureAwait(false);
            var verdict = face.ReadConnect(response, body, key);
            Count("connect", verdict.Outcome, started);
            if (verdict.Failed)
            {
                stats.ConnectFailed();
            }

            return verdict.Answer;
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
        using var request = face.Establish(sessionKey);
        return await SendAsync("establish", request).ConfigureAwait(false) == HttpStatusCode.OK;
    }

    /// <summary>Passes one client message on; null if the app did not answer, else its status.</summary>
    public Task<HttpStatusCode?> ReceiveAsync(string sessionKey, ConnectRequest client, Payload message)
    {
        var request = face.Receive(sessionKey, client, message);
        return SendAndDisposeAsync(request);

        async Task<HttpStatusCode?> SendAndDisposeAsync(HttpRequestMessage r)
        {
            using (r)
            {
                return await SendAsync("receive", r).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends the close callback without waiting; <see cref="WhenClosesSentAsync"/> waits for those in flight (at shutdown).</summary>
    public void Close(string sessionKey, ConnectRequest client)
    {
        if (face.Close(sessionKey, client) is not { } request)
        {
            return;
        }

        var sending = SendCloseAsync(request);
        if (!sending.IsCompleted)
        {
            _closesInFlight.TryAdd(sending, true);
            sending.ContinueWith(t => _closesInFlight.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    public Task WhenClosesSentAsync() => Task.WhenAll(_closesInFlight.Keys);

    private async Task SendCloseAsync(HttpRequestMessage request)
    {
        using (request)
        {
            await SendAsync("close", request).ConfigureAwait(false);
        }
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

    private void Count(string kind, string outcome, long started) => metrics.Callback(kind, outcome, Stopwatch.GetElapsedTime(started));
}
