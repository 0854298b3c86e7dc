using System.Globalization;
using PingActors.Actors.Hub.Channels;

namespace PingActors.Node.Hub;

/// <summary>
/// The recovery options of a subscribe URL (docs/recovery.md): <c>recover=1</c> asks for positions,
/// <c>since=&lt;seq&gt;&amp;epoch=&lt;epoch&gt;</c> (both or neither) for what was missed after them. Without
/// <c>recover</c> the query is ignored, as Pinghub ignores it.
/// </summary>
public readonly record struct RecoveryQuery(RecoveryRequest? Request, string? Error)
{
    public static RecoveryQuery Parse(IQueryCollection query)
    {
        if (!query.TryGetValue("recover", out var recover))
        {
            return default;
        }

        if (recover.Count != 1 || recover[0] != "1")
        {
            return Bad("recover must be 1");
        }

        var hasSince = query.TryGetValue("since", out var since);
        var hasEpoch = query.TryGetValue("epoch", out var epoch);
        if (!hasSince && !hasEpoch)
        {
            return new RecoveryQuery(new RecoveryRequest(null), null);
        }

        if (!hasSince || !hasEpoch)
        {
            return Bad("since and epoch go together (the position of the last message received)");
        }

        if (since.Count != 1 || !long.TryParse(since[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return Bad("since must be a sequence number (0 or more)");
        }

        if (epoch.Count != 1 || !ChannelEpoch.TryParse(epoch[0], out _))
        {
            return Bad("epoch must be the epoch the node sent (up to 16 hex digits)");
        }

        return new RecoveryQuery(new RecoveryRequest(new ChannelPosition(epoch[0]!, seq)), null);
    }

    private static RecoveryQuery Bad(string what) => new(null, "Error: bad request. " + what + ".\n");
}
