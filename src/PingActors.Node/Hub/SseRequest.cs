using System.Globalization;
using PingActors.Actors.Hub.Channels;

namespace PingActors.Node.Hub;

/// <summary>
/// What an SSE request asks for: a GET whose Accept names <c>text/event-stream</c>, resuming after the position in
/// <c>Last-Event-ID</c> (what an EventSource sends when it reconnects), else in <c>?lastEventId=epoch:seq</c>,
/// else in <c>?since=seq&amp;epoch=epoch</c> (for clients that cannot set headers; docs/sse.md).
/// </summary>
public static class SseRequest
{
    public const string MediaType = "text/event-stream";

    public const string BadPositionText = "Error: bad request. Last-Event-ID (or lastEventId, or since with epoch) must be epoch:seq as the node sent it (the epoch up to 16 hex digits, seq a whole number >= 0).\n";

    public static bool Wants(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Headers.Accept.ToString().Contains(MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>False if a position is given but malformed; <paramref name="since"/> null when none is given.</summary>
    public static bool TryReadSince(HttpRequest request, out ChannelPosition? since)
    {
        since = null;
        var header = request.Headers["Last-Event-ID"].ToString();
        if (header.Length > 0)
        {
            return TryParse(header, out since);
        }

        var query = request.Query;
        var lastEventId = query["lastEventId"].ToString();
        if (lastEventId.Length > 0)
        {
            return TryParse(lastEventId, out since);
        }

        var seq = query["since"].ToString();
        var epoch = query["epoch"].ToString();
        if (seq.Length == 0 && epoch.Length == 0)
        {
            return true;
        }

        return epoch.Length > 0 && TryParse(epoch + ":" + seq, out since);
    }

    /// <summary><c>epoch:seq</c> (<see cref="ChannelPosition.ToString"/>), with an epoch as <see cref="ChannelEpoch"/> writes it.</summary>
    public static bool TryParse(string text, out ChannelPosition? position)
    {
        position = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || !ChannelEpoch.TryParse(text[..colon], out _))
        {
            return false;
        }

        position = new ChannelPosition(text[..colon], seq);
        return true;
    }
}
