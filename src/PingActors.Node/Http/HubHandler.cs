using System.Net.WebSockets;
using Akka.Actor;
using Microsoft.AspNetCore.Http.Features;
using PingActors.Actors.Channels;
using PingActors.Actors.Connections;
using PingActors.Actors.Hub;
using PingActors.Actors.Metrics;
using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Node.Http;

/// <summary>
/// The pub/sub listener, compatible with Pinghub: an upgrade on any valid path subscribes, a POST
/// publishes, a plain GET shows the channel page, anything else is 405.
/// </summary>
public sealed class HubHandler(NodeSettings settings, HubRuntime runtime, HubMetrics metrics, ILogger<HubHandler> log)
{
    private const string TextPlain = "text/plain; charset=utf-8";

    private readonly TimeSpan _keepAliveTimeout =
        settings.Hub.KeepAliveInterval > TimeSpan.Zero && settings.Hub.KeepAliveTimeout > TimeSpan.Zero ? settings.Hub.KeepAliveTimeout : Timeout.InfiniteTimeSpan;

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
            return WriteText(context, StatusCodes.Status400BadRequest, path.Error!);
        }

        var method = context.Request.Method;
        if (Handshake.IsUpgradeRequest(context.Request))
        {
            return HttpMethods.IsGet(method) ? SubscribeAsync(context, path.Channel) : MethodNotAllowed(context);
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

    private async Task SubscribeAsync(HttpContext context, string channel)
    {
        var rejection = Handshake.Validate(context.Request, settings.Origins);
        if (rejection is not null)
        {
            foreach (var (name, value) in rejection.Headers)
            {
                context.Response.Headers[name] = value;
            }

            await WriteText(context, rejection.Status, rejection.Body);
            return;
        }

        if (runtime.Draining)
        {
            await Unavailable(context, "Error: server shutting down.\n");
            return;
        }

        var outcome = new TaskCompletionSource<ConnectionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var interval = settings.Hub.KeepAliveInterval;
        var timeout = _keepAliveTimeout;
        CloseReasonStream? transport = null;
        runtime.Connections.Tell(new OpenConnection(channel, AcceptAsync, outcome));
        var result = await outcome.Task;
        transport?.RequestEnded();
        switch (result)
        {
            case ConnectionOutcome.ChannelUnavailable when !context.Response.HasStarted:
                await Unavailable(context, "Error: channel unavailable, try again.\n");
                break;
            case ConnectionOutcome.ShuttingDown when !context.Response.HasStarted:
                await Unavailable(context, "Error: server shutting down.\n");
                break;
            case ConnectionOutcome.Closed when transport is null && !context.Response.HasStarted:
                // Joined, but the upgrade itself was refused: the node is at its connection limit.
                await Unavailable(context, "Error: connection limit reached, try again later.\n");
                break;
        }

        async Task<WebSocket> AcceptAsync()
        {
            var (socket, stream) = await WebSocketUpgrade.AcceptAsync(context, interval, timeout);
            transport = stream;
            return socket;
        }
    }

    private async Task PublishAsync(HttpContext context, string channel)
    {
        var limit = settings.Hub.MaxMessageSize;
        var body = await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted);
        if (body is null)
        {
            await WriteText(context, StatusCodes.Status413PayloadTooLarge, $"Error: message too large. The limit is {limit} bytes.\n");
            return;
        }

        var isText = !RequestBody.IsBinary(context.Request.ContentType);
        if (isText && !System.Text.Unicode.Utf8.IsValid(body))
        {
            await WriteText(context, StatusCodes.Status400BadRequest, "Error: bad request. Body must be valid UTF-8 (send binary with Content-Type: application/octet-stream).\n");
            return;
        }

        // Pinghub accepts an empty POST and does not broadcast it.
        if (body.Length > 0)
        {
            try
            {
                var published = await runtime.ChannelRegion.Ask<Published>(new Publish(channel, new Payload(isText, body)), settings.Hub.PublishTimeout, context.RequestAborted);
                metrics.PublishPost.Inc();

                // Where the message went: its number in the channel, and how many nodes it was sent to
                // (one cross-node message per node with subscribers, however many subscribers it has).
                context.Response.Headers["X-PingActors-Seq"] = published.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["X-PingActors-Nodes"] = published.Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await PaceAsync(context.RequestAborted);
            }
            catch (AskTimeoutException)
            {
                log.LogWarning("Publish to {Channel} not acknowledged within {Timeout}", channel, settings.Hub.PublishTimeout);
                await Unavailable(context, "Error: channel unavailable, message not published.\n");
                return;
            }
        }

        await WriteText(context, StatusCodes.Status200OK, "OK\n");
    }

    // The message is numbered and accepted; the answer waits while the node's fan-out is too far behind,
    // so a publisher cannot run ahead of it without bound (pingactors.hub.publish-backlog).
    private async Task PaceAsync(CancellationToken aborted)
    {
        var limit = settings.Hub.PublishBacklog;
        if (limit == 0)
        {
            return;
        }

        var below = runtime.Backlog.WhenBelowAsync(limit);
        if (below.IsCompleted)
        {
            return;
        }

        try
        {
            await below.WaitAsync(settings.Hub.PublishTimeout, aborted);
        }
        catch (TimeoutException)
        {
            log.LogWarning("Fan-out backlog still at {Queued} socket deliveries after {Timeout}; answering the publish anyway", runtime.Backlog.Queued, settings.Hub.PublishTimeout);
        }
    }

    private static Task MethodNotAllowed(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = "GET, POST";
        return Task.CompletedTask;
    }

    private static Task Unavailable(HttpContext context, string text)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteText(context, StatusCodes.Status503ServiceUnavailable, text);
    }

    private static Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = TextPlain;
        return context.Response.WriteAsync(text, context.RequestAborted);
    }
}
