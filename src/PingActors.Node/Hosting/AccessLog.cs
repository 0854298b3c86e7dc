using System.Diagnostics;

namespace PingActors.Node.Hosting;

/// <summary>One log line per finished request (a WebSocket request finishes when its socket closes).</summary>
public sealed class AccessLog(ILogger<AccessLog> log)
{
    public async Task InvokeAsync(HttpContext context, string listener, Func<Task> next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next();
        }
        finally
        {
            log.LogInformation(
                "{Listener} {Remote} \"{Method} {Target}\" {Status} {Millis:F1}ms",
                listener,
                context.Connection.RemoteIpAddress,
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
