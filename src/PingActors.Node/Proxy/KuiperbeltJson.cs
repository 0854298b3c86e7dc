using System.Text;
using System.Text.Json;
using PingActors.Actors.Proxy.Delivery;

namespace PingActors.Node.Proxy;

/// <summary>
/// kuiperbelt's answers to /send, /close and /ping, byte for byte where apps may compare them
/// (seeds-protocols.md 1.2): <c>{"result":"OK"}</c> with no newline; the per-session errors with one.
/// </summary>
public static class KuiperbeltJson
{
    public const string ContentType = "application/json; charset=utf-8";

    public static readonly byte[] Ok = Encoding.UTF8.GetBytes("{\"result\":\"OK\"}");

    public static byte[] Error(string error) => Serialize([new(error, null)], "NG");

    /// <summary>The body for a delivery with per-session errors; null when every session took it.</summary>
    public static byte[]? Errors(DeliveryReport report)
    {
        var errors = new List<SessionError>();
        for (var i = 0; i < report.Keys.Count; i++)
        {
            if (report.Outcomes[i] != DeliveryOutcome.Queued)
            {
                errors.Add(new SessionError(DeliveryErrors.Text(report.Outcomes[i]), report.Keys[i]));
            }
        }

        return errors.Count == 0 ? null : Serialize(errors, report.Sent ? "OK" : "NG", newline: true);
    }

    private static byte[] Serialize(List<SessionError> errors, string result, bool newline = false)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("errors");
            foreach (var error in errors)
            {
                json.WriteStartObject();
                json.WriteString("error", error.Error);
                if (error.Session is not null)
                {
                    json.WriteString("session", error.Session);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("result", result);
            json.WriteEndObject();
        }

        if (newline)
        {
            buffer.WriteByte((byte)'\n');
        }

        return buffer.ToArray();
    }

    private sealed record SessionError(string Error, string? Session);
}
