using PingActors.Actors.Proxy;
using PingActors.Actors.Proxy.Callbacks;
using PingActors.Actors.Proxy.Delivery;
using PingActors.Actors.Sessions;
using PingActors.Node.Http;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Proxy;

/// <summary>
/// The proxy's listeners, kuiperbelt's routes: the connect path upgrades through the app's connect callback;
/// send, close and stats are served here, or only on the control listener when one is set; ping on both;
/// any other path is Go's <c>404 page not found</c>.
/// </summary>
public sealed class ProxyEndpoint(ProxyFeatureSettings feature, ProxyRuntime runtime, SessionEndpoint sessions)
{
    private static readonly byte[] NotFound = "404 page not found\n"u8.ToArray();
    private static readonly byte[] MethodNotAllowedBody = KuiperbeltJson.Error("required POST method");
    private static readonly byte[] MissingSessionBody = KuiperbeltJson.Error("session header is missing");

    private ProxyPaths Paths => feature.Paths;

    /// <summary>The public listener (pingactors.proxy.listen).</summary>
    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path == Paths.Connect)
        {
            return ProxyConnect.RunAsync(context, runtime.Context, feature.Origins, sessions);
        }

        return feature.ControlListen is null ? HandleControlAsync(context) : Route(context, path, control: false);
    }

    /// <summary>The control listener (pingactors.proxy.control-listen), or the public one when there is none.</summary>
    public Task HandleControlAsync(HttpContext context) => Route(context, context.Request.Path.Value, control: true);

    private Task Route(HttpContext context, string? path, bool control)
    {
        if (path == Paths.Ping)
        {
            return Json(context, StatusCodes.Status200OK, KuiperbeltJson.Ok);
        }

        if (control && path == Paths.Send)
        {
            return DeliverAsync(context, close: false);
        }

        if (control && path == Paths.Close)
        {
            return DeliverAsync(context, close: true);
        }

        if (control && path == Paths.Stats)
        {
            return ProxyStatsPage.WriteAsync(context, runtime.Stats);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = HttpAnswers.TextPlain;
        return context.Response.Body.WriteAsync(NotFound, context.RequestAborted).AsTask();
    }

    private async Task DeliverAsync(HttpContext context, bool close)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await Json(context, StatusCodes.Status405MethodNotAllowed, MethodNotAllowedBody);
            return;
        }

        var proxy = runtime.Context;
        var keys = context.Request.Headers[proxy.Settings.SessionHeader];
        if (keys.Count == 0)
        {
            await Json(context, StatusCodes.Status400BadRequest, MissingSessionBody);
            return;
        }

        var body = await RequestBody.ReadAsync(context.Request, proxy.Settings.Session.MaxMessageSize);
        if (body.ClientGone)
        {
            return;
        }

        if (body.Bytes is null)
        {
            await Json(context, body.Status, KuiperbeltJson.Error(body.Refusal.TrimEnd('\n')));
            return;
        }

        var payload = body.Bytes.Length == 0 && !RequestBody.IsBinary(context.Request.ContentType)
            ? Payload.EmptyText
            : new Payload(!RequestBody.IsBinary(context.Request.ContentType), body.Bytes);
        var report = await runtime.Delivery.DeliverAsync(keys.Select(k => k ?? string.Empty).ToArray(), payload, close);

        Count(proxy, report);
        var errors = KuiperbeltJson.Errors(report);
        await Json(context, report.Sent ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, errors ?? KuiperbeltJson.Ok);
    }

    private static void Count(ProxyContext proxy, DeliveryReport report)
    {
        var queued = 0;
        foreach (var outcome in report.Outcomes)
        {
            if (outcome == DeliveryOutcome.Queued)
            {
                queued += report.Sent ? 1 : 0;
            }
            else
            {
                proxy.Stats.MessageFailed();
                proxy.Metrics.DeliveryErrors.WithLabels(outcome.ToString()).Inc();
            }
        }

        proxy.Stats.MessagesSent(queued);
        proxy.Metrics.Deliveries.Inc(queued);
    }

    private static Task Json(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = KuiperbeltJson.ContentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
