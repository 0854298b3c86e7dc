using System.Globalization;
using System.Text;
using PingActors.Actors.Proxy;

namespace PingActors.Node.Proxy;

/// <summary>kuiperbelt's <c>/stats</c>: its JSON object (field names and order as kuiperbelt's) or, with <c>?format=tsv</c>, six text lines.</summary>
public static class ProxyStatsPage
{
    public static Task WriteAsync(HttpContext context, ProxyStats stats)
    {
        var format = context.Request.Query["format"].ToString();
        if (format is "tsv" or "txt" or "text")
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var text = new StringBuilder();
            foreach (var (name, value) in new (string, long)[]
            {
                ("kuiperbelt.conn.current", stats.Connections),
                ("kuiperbelt.conn.total", stats.TotalConnections),
                ("kuiperbelt.conn.errors", stats.ConnectErrors),
                ("kuiperbelt.conn.closing", stats.ClosingConnections),
                ("kuiperbelt.messages.total", stats.TotalMessages),
                ("kuiperbelt.messages.errors", stats.MessageErrors),
            })
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}\t{value}\t{now}\n");
            }

            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(text.ToString(), context.RequestAborted);
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"connections\":{stats.Connections},\"total_connections\":{stats.TotalConnections},\"total_messages\":{stats.TotalMessages},\"connect_errors\":{stats.ConnectErrors},\"message_errors\":{stats.MessageErrors},\"closing_connections\":{stats.ClosingConnections}}}\n"),
            context.RequestAborted);
    }
}
