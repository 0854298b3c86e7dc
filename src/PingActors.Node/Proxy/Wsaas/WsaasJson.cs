using PingActors.Actors.Proxy.Delivery;

namespace PingActors.Node.Proxy.Wsaas;

/// <summary>
/// WSaaS's control answers, byte for byte as WSaaS writes them (<c>{"code": "OK"}</c>, a space after the colon).
/// WSaaS answers everything with 200; the codes it cannot have (its queues are unbounded and it is one node)
/// come with a real status.
/// </summary>
public static class WsaasJson
{
    public const string ContentType = "application/json";

    public static readonly WsaasAnswer Ok = new(StatusCodes.Status200OK, "OK");
    public static readonly WsaasAnswer NotFound = new(StatusCodes.Status200OK, "NOT_FOUND");
    public static readonly WsaasAnswer MessageTooLong = new(StatusCodes.Status200OK, "MESSAGE_TOO_LONG");
    public static readonly WsaasAnswer BadRequest = new(StatusCodes.Status200OK, "BAD_REQUEST");
    public static readonly WsaasAnswer QueueFull = new(StatusCodes.Status503ServiceUnavailable, "QUEUE_FULL");
    public static readonly WsaasAnswer TimedOut = new(StatusCodes.Status504GatewayTimeout, "TIMEOUT");

    public static WsaasAnswer Of(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Queued => Ok,
        DeliveryOutcome.QueueFull => QueueFull,
        DeliveryOutcome.TimedOut => TimedOut,
        _ => NotFound, // not found, or closing: either way there is no session to push to
    };

    public static Task WriteAsync(HttpContext context, WsaasAnswer answer)
    {
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = answer.Body.Length;
        return context.Response.Body.WriteAsync(answer.Body, context.RequestAborted).AsTask();
    }
}

/// <summary>One control answer: its status and its <c>{"code": ...}</c> body.</summary>
public sealed record WsaasAnswer(int Status, string Code)
{
    public byte[] Body { get; } = System.Text.Encoding.UTF8.GetBytes($"{{\"code\": \"{Code}\"}}");
}
