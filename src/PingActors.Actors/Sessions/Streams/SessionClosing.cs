namespace PingActors.Actors.Sessions.Streams;

/// <summary>
/// How the outbound side of a session tells its <see cref="WebSocketFlow"/> to close the socket: the stream
/// fails with this, and the flow answers with a close frame carrying <see cref="Reason"/> instead of failing.
/// Upstream completing without it closes with <see cref="CloseReasons.Normal"/>; any other failure closes with
/// <see cref="CloseReasons.InternalError"/>.
/// </summary>
/// <param name="Within">What is left of the close's time bound, when part of it went on flushing queued messages.</param>
public sealed class SessionClosing(CloseReason reason, TimeSpan? within = null) : Exception(reason.ToString())
{
    public CloseReason Reason { get; } = reason;

    public TimeSpan? Within { get; } = within;
}

/// <summary>The stream fails with this to drop the socket without a close handshake (its session actor is gone).</summary>
public sealed class SessionAborted() : Exception("session aborted");
