using System.Globalization;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// The client-visible epoch of a channel is its entity's incarnation number in hex: the one number that
/// changes exactly when the channel's numbering restarts (a crash; a hand-off keeps it, docs/recovery.md).
/// </summary>
public static class ChannelEpoch
{
    public static string Of(long incarnation) => incarnation.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>The incarnation an epoch names, or false when the text cannot be one (any client may send anything).</summary>
    public static bool TryParse(string? epoch, out long incarnation)
    {
        incarnation = 0;
        return epoch is { Length: > 0 and <= 16 }
            && long.TryParse(epoch, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out incarnation)
            && incarnation > 0;
    }
}
