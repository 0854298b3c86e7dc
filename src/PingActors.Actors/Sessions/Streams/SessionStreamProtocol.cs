namespace PingActors.Actors.Sessions.Streams;

/// <summary>A client message for the session actor; the stream reads the next one only after <paramref name="Ack"/> is called.</summary>
public sealed record InboundMessage(Payload Payload, Action Ack);

/// <summary>The socket's stream has ended (the socket is closed).</summary>
public sealed class StreamCompleted
{
    public static readonly StreamCompleted Instance = new();
}

/// <summary>The socket's stream has failed.</summary>
public sealed record StreamFailed(Exception Cause);
