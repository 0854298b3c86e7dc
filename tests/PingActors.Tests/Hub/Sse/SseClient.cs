using System.Net;
using System.Text;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub.Sse;

/// <summary>One event as an EventSource would dispatch it (data lines joined with LF), or a comment line.</summary>
public sealed record SseEvent(string? Id, string? Event, string? Data, string? Comment, int? Retry)
{
    public bool IsComment => Comment is not null;
}

/// <summary>
/// An SSE subscriber with <c>curl -N</c> semantics: the response is read as its bytes arrive
/// (<see cref="HttpCompletionOption.ResponseHeadersRead"/>), one line at a time, and parsed as the
/// EventSource spec does.
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly HttpClient _http;
    private readonly StreamReader _reader;

    private SseClient(HttpClient http, HttpResponseMessage response, StreamReader reader)
    {
        _http = http;
        Response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Opens the stream; fails unless it is answered 200 with text/event-stream.</summary>
    public static async Task<SseClient> ConnectAsync(TestNode node, string pathAndQuery, string? lastEventId = null)
    {
        var (response, http) = await SendAsync(node, pathAndQuery, lastEventId);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync();
            http.Dispose();
            throw new Xunit.Sdk.XunitException($"SSE request answered {(int)response.StatusCode}: {body}");
        }

        var stream = await response.Content.ReadAsStreamAsync();
        return new SseClient(http, response, new StreamReader(stream, Encoding.UTF8));
    }

    /// <summary>Sends the request and returns whatever was answered (for refusals).</summary>
    public static async Task<(HttpResponseMessage Response, HttpClient Http)> SendAsync(TestNode node, string pathAndQuery, string? lastEventId = null)
    {
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, node.HttpUri(pathAndQuery));
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        using var cts = new CancellationTokenSource(DefaultTimeout);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        return (response, http);
    }

    /// <summary>The next event or comment; null when the stream ended.</summary>
    public async Task<SseEvent?> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        string? id = null, type = null, comment = null;
        int? retry = null;
        StringBuilder? data = null;
        var any = false;
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"no complete event within {timeout ?? DefaultTimeout}");
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // The server dropped the connection (a slow consumer's end): the stream is over.
                return null;
            }

            if (line is null)
            {
                return any ? new SseEvent(id, type, data?.ToString(), comment, retry) : null;
            }

            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseEvent(id, type, data?.ToString(), comment, retry);
                }

                continue;
            }

            any = true;
            if (line[0] == ':')
            {
                comment = line[1..];
                continue;
            }

            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "retry":
                    retry = int.Parse(value);
                    break;
                case "data":
                    data = data is null ? new StringBuilder(value) : data.Append('\n').Append(value);
                    break;
            }
        }
    }

    /// <summary>The next event that is not a comment (heartbeats are skipped).</summary>
    public async Task<SseEvent> ReadEventAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var next = await ReadAsync(timeout) ?? throw new Xunit.Sdk.XunitException("the stream ended before the next event");
            if (!next.IsComment && next.Retry is null)
            {
                return next;
            }
        }
    }

    /// <summary>Reads past the retry hint to the recovery notice every stream starts with.</summary>
    public async Task<SseEvent> ReadRecoveryAsync()
    {
        var recovery = await ReadEventAsync();
        Assert.Equal("recovery", recovery.Event);
        return recovery;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        Response.Dispose();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
