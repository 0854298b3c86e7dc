namespace PingActors.Actors.Proxy.Delivery;

/// <summary>What a /send or /close did for one session key; all but <see cref="Queued"/> are reported to the app per session.</summary>
public enum DeliveryOutcome
{
    Queued = 0,

    /// <summary>No node holds a session with this key.</summary>
    NotFound = 1,

    /// <summary>The session's client is too slow: its send-queue-size messages are waiting already.</summary>
    QueueFull = 2,

    /// <summary>The session is closing or closed.</summary>
    Closed = 3,

    /// <summary>A node that may hold it did not answer within send-timeout.</summary>
    TimedOut = 4,
}

/// <summary>kuiperbelt's error strings for the per-session results of /send and /close.</summary>
public static class DeliveryErrors
{
    public static string Text(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.NotFound => "kuiperbelt: session is not found",
        DeliveryOutcome.QueueFull => "kuiperbelt: session queue is full",
        DeliveryOutcome.Closed => "kuiperbelt: session is closed",
        DeliveryOutcome.TimedOut => "context deadline exceeded",
        _ => string.Empty,
    };
}
