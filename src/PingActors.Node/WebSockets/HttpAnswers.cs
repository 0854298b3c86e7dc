using PingActors.Actors.Sessions;

namespace PingActors.Node.WebSockets;

/// <summary>The plain answers every listener gives: a text body, a refused handshake.</summary>
public static class HttpAnswers
{
    public const string TextPlain = "text/plain; charset=utf-8";

    public static Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = TextPlain;
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    /// <summary>A 503 that tells the client to retry in a second.</summary>
    public static Task Unavailable(HttpContext context, string text)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteText(context, StatusCodes.Status503ServiceUnavailable, text);
    }

    public static Task Write(HttpContext context, SessionOutcome.Refused refused)
    {
        context.Response.StatusCode = refused.Status;
        foreach (var (name, value) in refused.Headers)
        {
            context.Response.Headers[name] = value;
        }

        return refused.Body.IsEmpty ? Task.CompletedTask : context.Response.Body.WriteAsync(refused.Body, context.RequestAborted).AsTask();
    }
}
