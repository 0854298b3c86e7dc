using Akka.Actor;
using Microsoft.AspNetCore.Http.Features;
using PingActors.Actors.Hub;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;
using PingActors.Node.Http;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Hub;

/// <summary>
/// The pub/sub listener, compatible with Pinghub: an upgrade on any valid path subscribes, a POST
/// publishes, a plain GET shows the channel page, anything else is 405. A GET for text/event-stream
/// subscribes with Server-Sent Events (<see cref="SseEndpoint"/>).
/// </summary>
public sealed class HubEndpoint(HubFeatureSettings settings, HubRuntime runtime, HubMetrics metrics, SessionEndpoint sessions, SseEndpoint sse, ILogger<HubEndpoint> log)
{
    // Not async itself, so a WebSocket request (which lasts as long as its socket) keeps only the one
    // state machine of the handler it goes to.
    public Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var path = ChannelPath.Parse(rawTarget);
        if (path.Location is not null)
        {
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = path.Location;
            return Task.CompletedTask;
        }

        if (path.Channel is null)
        {
            return HttpAnswers.WriteText(context, StatusCodes.Status400BadRequest, path.Error!);
        }

        var method = context.Request.Method;
        if (Handshake.IsUpgradeRequest(context.Request))
        {
            if (!HttpMethods.IsGet(method))
            {
                return MethodNotAllowed(context);
            }

            var recovery = RecoveryQuery.Parse(context.Request.Query);
            return recovery.Error is { } error
                ? HttpAnswers.WriteText(context, StatusCodes.Status400BadRequest, error)
                : sessions.RunAsync(context, settings.Origins, settings.Settings.Session, HubSessionActor.Props, new HubSessionRequest(path.Channel, runtime.Context, recovery.Request));
        }

        if (sse.Enabled && SseRequest.Wants(context.Request))
        {
            return sse.HandleAsync(context, path.Channel);
        }

        if (HttpMethods.IsPost(method))
        {
            return PublishAsync(context, path.Channel);
        }

        if (HttpMethods.IsGet(method) && settings.HtmlPage)
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(ChannelPage.Render(path.Channel), context.RequestAborted);
        }

        return MethodNotAllowed(context);
    }

    private async Task PublishAsync(HttpContext context, string channel)
    {
        var read = await RequestBody.ReadAsync(context.Request, settings.Settings.Session.MaxMessageSize);
        if (read.ClientGone)
        {
            // A client that goes away mid-body is a network event, not the node's error: no stack trace. Aborting
            // keeps Kestrel from draining the rest of the body, which after a reset fails with an error of its own
            // ("the body reader is in an invalid state").
            log.LogDebug("POST to {Channel}: the connection ended before the body ({Reason})", channel, read.Refusal);
            context.Response.StatusCode = read.Status;
            context.Abort();
            return;
        }

        if (read.Bytes is not { } body)
        {
            await HttpAnswers.WriteText(context, read.Status, read.Refusal);
            return;
        }

        var isText = !RequestBody.IsBinary(context.Request.ContentType);
        if (isText && !System.Text.Unicode.Utf8.IsValid(body))
        {
            await HttpAnswers.WriteText(context, StatusCodes.Status400BadRequest, "Error: bad request. Body must be valid UTF-8 (send binary with Content-Type: application/octet-stream).\n");
            return;
        }

        // Pinghub accepts an empty POST and does not broadcast it.
        if (body.Length > 0)
        {
            var hub = settings.Settings;
            try
            {
                var published = await runtime.ChannelRegion.Ask<Published>(new Publish(channel, new Payload(isText, body)), hub.PublishTimeout, context.RequestAborted);
                metrics.PublishPost.Inc();

                // Where the message went: its number in the channel, and how many nodes it was sent to
                // (one cross-node message per node with subscribers, however many subscribers it has).
                context.Response.Headers["X-PingActors-Seq"] = published.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["X-PingActors-Nodes"] = published.Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await PaceAsync(context.RequestAborted);
            }
            catch (AskTimeoutException)
            {
                log.LogWarning("Publish to {Channel} not acknowledged within {Timeout}", channel, hub.PublishTimeout);
                await HttpAnswers.Unavailable(context, "Error: channel unavailable, message not published.\n");
                return;
            }
        }

        await HttpAnswers.WriteText(context, StatusCodes.Status200OK, "OK\n");
    }

    // The message is numbered and accepted; the answer waits while the node's fan-out is too far behind,
    // so a publisher cannot run ahead of it without bound (pingactors.hub.publish-backlog).
    private async Task PaceAsync(CancellationToken aborted)
    {
        var hub = settings.Settings;
        if (hub.PublishBacklog == 0)
        {
            return;
        }

        var below = runtime.Backlog.WhenBelowAsync(hub.PublishBacklog);
        if (below.IsCompleted)
        {
            return;
        }

        try
        {
            await below.WaitAsync(hub.PublishTimeout, aborted);
        }
        catch (TimeoutException)
        {
            log.LogWarning("Fan-out backlog still at {Queued} socket deliveries after {Timeout}; answering the publish anyway", runtime.Backlog.Queued, hub.PublishTimeout);
        }
    }

    private static Task MethodNotAllowed(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = "GET, POST";
        return Task.CompletedTask;
    }
}
