using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// How a subscriber that wants positions (a recovering WebSocket, an SSE stream) receives the channel's
/// messages. A node-local channel encodes each message once per format for all its members of that format,
/// never once per member; a member without a format receives the payload as published (Pinghub).
/// </summary>
public interface IDeliveryFormat
{
    /// <summary>One message of the channel at <paramref name="position"/>.</summary>
    Payload Message(ChannelPosition position, Payload payload);

    /// <summary>
    /// Sent first to a member that joined with a <see cref="RecoveryRequest"/>: whether everything after its
    /// <c>Since</c> follows (<paramref name="recovered"/>), and the position the stream continues after.
    /// </summary>
    Payload Recovery(bool recovered, ChannelPosition position);
}

/// <summary>
/// A joining member wants positions, and, when <paramref name="Since"/> is set, what the channel published
/// after it (from the channel's buffer) before the live stream, with no gap and no duplicate.
/// </summary>
public sealed record RecoveryRequest(ChannelPosition? Since);
