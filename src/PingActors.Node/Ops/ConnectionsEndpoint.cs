using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using PingActors.Actors.Proxy;
using PingActors.Actors.Proxy.Delivery;
using PingActors.Actors.Sessions;
using PingActors.Node.Http;
using PingActors.Node.Proxy;

namespace PingActors.Node.Ops;

/// <summary>
/// The connection API on the ops listener, in the style of AWS API Gateway's <c>@connections</c>, for sessions of
/// either proxy face on any node: <c>GET /@connections/{id}</c> describes one, <c>POST</c> pushes its body to it
/// (410 Gone when it no longer exists, as AWS), <c>DELETE</c> closes it with 1000 (the close callback follows its
/// face's rule for an app's own close). Beyond AWS: <c>POST /@connections?id=a&amp;id=b</c> pushes one body to many,
/// with a result per id. The body is a binary message for <c>application/octet-stream</c>, text otherwise.
/// </summary>
public sealed class ConnectionsEndpoint(ProxyParts parts, ActorSystem system)
{
    public const string Prefix = "/@connections";

    // The API has no send-timeout of its own: the proxy's default bounds the other nodes' answers.
    private readonly ProxyDelivery _delivery = new(parts.Directory, parts.Peers, new ProxySettings { ConnectCallback = new Uri("http://127.0.0.1/") });

    public static bool Serves(string? path) => path is not null && (path == Prefix || path.StartsWith(Prefix + "/", StringComparison.Ordinal));

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        var id = path.Length > Prefix.Length + 1 ? Uri.UnescapeDataString(path[(Prefix.Length + 1)..]) : null;
        var method = context.Request.Method;
        if (id is null)
        {
            var ids = context.Request.Query["id"].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToArray();
            if (!HttpMethods.IsPost(method) || ids.Length == 0)
            {
                await Message(context, ids.Length == 0 ? 400 : 405, "POST /@connections?id=A&id=B with the message as the body");
                return;
            }

            await PushAsync(context, ids, many: true);
            return;
        }

        if (HttpMethods.IsGet(method))
        {
            var info = await _delivery.DescribeAsync(id, Cluster.Get(system).SelfAddress.ToString());
            await (info is null ? Message(context, 410, "Gone") : Write(context, 200, json => Describe(json, info)));
        }
        else if (HttpMethods.IsPost(method))
        {
            await PushAsync(context, [id], many: false);
        }
        else if (HttpMethods.IsDelete(method))
        {
            var report = await _delivery.DeliverAsync([id], Payload.EmptyText, close: true);
            await OneAnswer(context, report.Outcomes[0]);
        }
        else
        {
            await Message(context, 405, "GET, POST or DELETE");
        }
    }

    private async Task PushAsync(HttpContext context, string[] ids, bool many)
    {
        var body = await RequestBody.ReadAsync(context.Request, 64 * 1024 * 1024);
        if (body.Bytes is null)
        {
            if (!body.ClientGone)
            {
                await Message(context, body.Status, body.Refusal.Trim());
            }

            return;
        }

        var payload = new Payload(!RequestBody.IsBinary(context.Request.ContentType), body.Bytes);
        var report = await _delivery.DeliverAsync(ids, payload, close: false);
        if (!many)
        {
            await OneAnswer(context, report.Outcomes[0]);
            return;
        }

        await Write(context, 200, json =>
        {
            json.WriteStartArray("results");
            for (var i = 0; i < ids.Length; i++)
            {
                json.WriteStartObject();
                json.WriteString("id", ids[i]);
                json.WriteNumber("status", StatusOf(report.Outcomes[i]));
                if (report.Outcomes[i] != DeliveryOutcome.Queued)
                {
                    json.WriteString("error", DeliveryErrors.Text(report.Outcomes[i]));
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    private static Task OneAnswer(HttpContext context, DeliveryOutcome outcome) =>
        Message(context, StatusOf(outcome), outcome == DeliveryOutcome.Queued ? "OK" : StatusOf(outcome) == 410 ? "Gone" : DeliveryErrors.Text(outcome));

    private static int StatusOf(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Queued => 200,
        DeliveryOutcome.NotFound or DeliveryOutcome.Closed => 410,
        DeliveryOutcome.QueueFull => 429,
        _ => 504,
    };

    private static void Describe(Utf8JsonWriter json, PingActors.Actors.Proxy.Delivery.ConnectionInfo info)
    {
        json.WriteString("id", info.Id);
        json.WriteString("face", info.Face);
        json.WriteString("connected_at", info.ConnectedAt);
        json.WriteString("last_active_at", info.LastActiveAt);
        json.WriteString("node", info.Node);
        json.WriteString("remote_address", info.RemoteAddress);
    }

    private static Task Message(HttpContext context, int status, string message) => Write(context, status, json => json.WriteString("message", message));

    private static Task Write(HttpContext context, int status, Action<Utf8JsonWriter> fields)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            fields(json);
            json.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }
}
