using System.Buffers;
using System.Text;
using Akka.Actor;
using PingActors.Actors.Hub.Channels;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using PingActors.Actors.Hub.Sse;
using PingActors.Actors.Sessions;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Hub;

/// <summary>
/// Serves a GET for <c>text/event-stream</c> on a channel path (docs/sse.md): opens an <see cref="SseSessionActor"/>
/// under the node's session supervisor, answers its refusal if it has one, else streams its outbox into the
/// response: a <c>retry:</c> hint, then every event the channel hands it, flushed once per batch, heartbeat
/// comments while quiet, until the client goes, the outbox overflows, or the node drains.
/// </summary>
public sealed class SseEndpoint : IDisposable
{
    private static readonly byte[] HeartbeatComment = ":\n\n"u8.ToArray();
    private static readonly SessionOutcome.Refused ConnectionLimit = SessionOutcome.Refused.Text(503, "Error: connection limit reached, try again later.\n", retryLater: true);
    private static readonly Func<string?, Task<System.Net.WebSockets.WebSocket>> NoHandshake =
        _ => throw new InvalidOperationException("an SSE session has no WebSocket handshake");

    private readonly HubFeatureSettings _settings;
    private readonly HubRuntime _runtime;
    private readonly NodeSessions _sessions;
    private readonly ILogger<SseEndpoint> _log;
    private readonly Lazy<SseContext> _context;
    private readonly SseHeartbeat _heartbeat;
    private readonly byte[] _retryHint;
    private readonly long _maxStreams;
    private long _streams;

    /// <param name="maxStreams">pingactors.hub.sse.max-connections as resolved by the host (auto: the WebSocket limit); null: no limit.</param>
    public SseEndpoint(HubFeatureSettings settings, HubRuntime runtime, NodeSessions sessions, long? maxStreams, ILogger<SseEndpoint> log)
    {
        _settings = settings;
        _runtime = runtime;
        _sessions = sessions;
        _log = log;
        _maxStreams = maxStreams ?? long.MaxValue;
        var sse = settings.Settings.Sse;
        _heartbeat = new SseHeartbeat(sse.Heartbeat);
        _retryHint = Encoding.ASCII.GetBytes("retry: " + (long)sse.Retry.TotalMilliseconds + "\n\n");
        _context = new(() => new SseContext(runtime.Context, sse, new SseFormat(), _heartbeat));
    }

    public bool Enabled => _settings.Settings.Sse.Enabled;

    public async Task HandleAsync(HttpContext context, string channel)
    {
        if (!SseRequest.TryReadSince(context.Request, out var since))
        {
            await HttpAnswers.WriteText(context, StatusCodes.Status400BadRequest, SseRequest.BadPositionText);
            return;
        }

        var metrics = _runtime.Context.Metrics;
        if (_sessions.Draining)
        {
            metrics.Sse.Refused.Inc();
            await HttpAnswers.Write(context, SessionOutcome.ShuttingDown);
            return;
        }

        if (Interlocked.Increment(ref _streams) > _maxStreams)
        {
            Interlocked.Decrement(ref _streams);
            metrics.Sse.Refused.Inc();
            await HttpAnswers.Write(context, ConnectionLimit);
            return;
        }

        try
        {
            await StreamAsync(context, channel, since);
        }
        finally
        {
            Interlocked.Decrement(ref _streams);
        }
    }

    public void Dispose() => _heartbeat.Dispose();

    private async Task StreamAsync(HttpContext context, string channel, ChannelPosition? since)
    {
        var sse = _context.Value;
        var session = _settings.Settings.Session;
        var hub = _settings.Settings;
        var outbox = new SseOutbox(session, sse.Hub.Metrics, context.Abort, since is null ? default : (hub.ReplayMaxMessages, hub.ReplayMaxBytes));
        var outcome = new TaskCompletionSource<SessionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var aborted = context.RequestAborted.Register(static o => ((SseOutbox)o!).Close(SseEnd.ClientGone), outbox);
        _sessions.Supervisor.Tell(new OpenSession(SseSessionActor.Props, new SseSessionRequest(channel, since, sse, outbox), NoHandshake, outcome));

        // The supervisor may answer without a session at all (it began draining since the check above): then only
        // the outcome completes.
        var ready = outbox.WhenReadyAsync();
        if (!ready.IsCompleted)
        {
            await Task.WhenAny(ready.AsTask(), outcome.Task);
        }

        var batch = new List<Payload>();
        if (!outbox.Take(batch).Opened)
        {
            // Refused before it was joined (join timeout, drain): nothing was sent yet, so answer it as HTTP. Or
            // its client left first: the session must not wait for a join nobody will read.
            outbox.Ended();
            if (await outcome.Task is SessionOutcome.Refused refused && !context.RequestAborted.IsCancellationRequested)
            {
                await HttpAnswers.Write(context, refused);
            }

            return;
        }

        _heartbeat.Add(outbox);
        try
        {
            await WriteEventsAsync(context, outbox, batch, sse.Hub.Metrics.Sse, session);
        }
        finally
        {
            _heartbeat.Remove(outbox);
            outbox.Ended();
        }

        await outcome.Task;
    }

    private async Task WriteEventsAsync(HttpContext context, SseOutbox outbox, List<Payload> batch, SseMetrics metrics, SessionSettings session)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";

        // A stream lasts as long as its client: it leaves Kestrel's plain-HTTP count (whose slots POSTs need)
        // and counts in pingactors.hub.sse.max-connections instead.
        context.Features.Get<IDecrementConcurrentConnectionCountFeature>()?.ReleaseConnection();

        var writer = response.BodyWriter;
        using var writeTimeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        writer.Write(_retryHint);

        // What was queued between the join and now goes out with the headers.
        var take = outbox.Take(batch);
        while (true)
        {
            foreach (var payload in batch)
            {
                writer.Write(payload.Bytes);
            }

            var events = batch.Count;
            batch.Clear();
            if (take.Heartbeat)
            {
                writer.Write(HeartbeatComment);
            }

            if (take.End is { } end)
            {
                await EndAsync(context, end, writeTimeout, session.CloseTimeout);
                metrics.Events.Inc(events);
                return;
            }

            if (!await FlushAsync(context, writeTimeout, session.WriteTimeout))
            {
                return;
            }

            metrics.Events.Inc(events);
            await outbox.WhenReadyAsync();
            take = outbox.Take(batch);
        }
    }

    private async Task EndAsync(HttpContext context, SseEnd end, CancellationTokenSource writeTimeout, TimeSpan closeTimeout)
    {
        if (end.Abort)
        {
            _log.LogDebug("SSE stream on {Path} dropped: {Why}", context.Request.Path, end.Why);
            context.Abort();
            return;
        }

        if (end == SseEnd.ClientGone)
        {
            return;
        }

        if (end.LastEvent is { } last)
        {
            context.Response.BodyWriter.Write(last);
        }

        // Drain and lost messages: what was queued and the last event go out within close-timeout, then the
        // response ends (its terminating chunk), and an EventSource reconnects with its Last-Event-ID.
        if (await FlushAsync(context, writeTimeout, closeTimeout))
        {
            await context.Response.BodyWriter.CompleteAsync();
        }
    }

    // False when the stream is over: its client went, or it did not take the bytes within the timeout.
    private static async ValueTask<bool> FlushAsync(HttpContext context, CancellationTokenSource timeout, TimeSpan within)
    {
        timeout.CancelAfter(within);
        try
        {
            var flushed = await context.Response.BodyWriter.FlushAsync(timeout.Token);
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                context.Abort();
                return false;
            }

            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            context.Abort();
            return false;
        }
    }
}
