using System.Net.Http.Headers;
using System.Text;
using PingActors.Actors.Proxy;
using PingActors.Actors.Proxy.Callbacks;
using PingActors.Actors.Proxy.Delivery;
using PingActors.Actors.Sessions;
using PingActors.Node.Http;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Proxy.Wsaas;

/// <summary>
/// WSaaS's listeners: a WebSocket on any path of the public one is a session of the proxy engine with the
/// WSaaS face; the control one takes <c>PUT /{id}</c> (push) and <c>DELETE /{id}</c> (close) for sessions
/// on any node, and answers WSaaS's <c>{"code": ...}</c>.
/// </summary>
public sealed class WsaasEndpoint(WsaasFeatureSettings feature, WsaasRuntime runtime, SessionEndpoint sessions)
{
    /// <summary>The WebSocket listener (pingactors.wsaas.listen).</summary>
    public Task HandleAsync(HttpContext context) =>
        ProxyConnect.RunAsync(context, runtime.Context, KuiperbeltOrigins.None, sessions);

    /// <summary>The control listener (pingactors.wsaas.control-listen).</summary>
    /// <remarks>
    /// Not async itself, nor is the delivery when it completes at once (the session is here): a push is as hot
    /// as kuiperbelt's /send (issue 19's goal), and each async level that the body read suspends is one more
    /// state machine boxed per request.
    /// </remarks>
    public Task HandleControlAsync(HttpContext context)
    {
        var id = (context.Request.Path.Value ?? "/")[1..];
        var method = context.Request.Method;
        if (HttpMethods.IsPut(method))
        {
            return PushAsync(context, id);
        }

        return HttpMethods.IsDelete(method) ? CloseAsync(context, id) : WsaasJson.WriteAsync(context, WsaasJson.BadRequest);
    }

    private async Task CloseAsync(HttpContext context, string id) =>
        await WsaasJson.WriteAsync(context, await DeliverAsync(id, Payload.EmptyText, close: true));

    private async Task PushAsync(HttpContext context, string id)
    {
        // As WSaaS, the size is checked before the id: a too-long message is refused even for an unknown session.
        var body = await RequestBody.ReadAsync(context.Request, feature.MaxMessageBytes - 1);
        if (body.ClientGone)
        {
            return;
        }

        if (body.Bytes is null)
        {
            await WsaasJson.WriteAsync(context, body.Status == StatusCodes.Status413PayloadTooLarge ? WsaasJson.MessageTooLong : WsaasJson.BadRequest);
            return;
        }

        var text = IsText(context.Request.ContentType);
        if (text && !IsUtf8(body.Bytes))
        {
            // A text frame must be UTF-8 (RFC 6455 8.1): sent as is, the client would fail the connection.
            await WsaasJson.WriteAsync(context, WsaasJson.BadRequest);
            return;
        }

        await WsaasJson.WriteAsync(context, await DeliverAsync(id, new Payload(text, body.Bytes), close: false));
    }

    private ValueTask<WsaasAnswer> DeliverAsync(string id, Payload payload, bool close)
    {
        if (id.Length == 0)
        {
            return ValueTask.FromResult(WsaasJson.NotFound);
        }

        var delivering = runtime.Delivery.DeliverAsync([id], payload, close);
        return delivering.IsCompletedSuccessfully ? ValueTask.FromResult(Answer(delivering.Result)) : AnswerAsync(delivering);

        async ValueTask<WsaasAnswer> AnswerAsync(Task<DeliveryReport> report) => Answer(await report);
    }

    private WsaasAnswer Answer(DeliveryReport report)
    {
        var proxy = runtime.Context;
        var outcome = report.Outcomes[0];
        if (outcome == DeliveryOutcome.Queued)
        {
            proxy.Metrics.Deliveries.Inc();
        }
        else
        {
            proxy.Metrics.DeliveryErrors.WithLabels(outcome.ToString()).Inc();
        }

        return WsaasJson.Of(outcome);
    }

    // WSaaS sends every push as a binary frame; a request that says its body is text gets a text frame.
    private static bool IsText(string? contentType) =>
        contentType is not null
        && MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType is { } type
        && type.StartsWith("text/", StringComparison.OrdinalIgnoreCase);

    private static bool IsUtf8(byte[] bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
