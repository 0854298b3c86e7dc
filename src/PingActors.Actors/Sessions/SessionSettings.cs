namespace PingActors.Actors.Sessions;

/// <summary>What to do when a session's outbound queue is full.</summary>
public enum OverflowPolicy
{
    /// <summary>Close the socket with <see cref="CloseReasons.SlowConsumer"/>; everything else carries on.</summary>
    Close,

    /// <summary>Drop the oldest queued message (counted as dropped) and keep the connection.</summary>
    DropOldest,
}

/// <summary>
/// What every kind of WebSocket session shares: <c>pingactors.websocket</c>, with a feature's own keys of the
/// same names (<c>pingactors.hub.max-message-size</c>, ...) winning for that feature (hocon/reference.conf).
/// </summary>
public sealed record SessionSettings
{
    public int MaxMessageSize { get; init; } = 64 * 1024;

    public int OutboundMaxMessages { get; init; } = 256;

    public long OutboundMaxBytes { get; init; } = 4 * 1024 * 1024;

    public OverflowPolicy Overflow { get; init; } = OverflowPolicy.Close;

    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(27);

    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many shared interpreters run the feature's session streams (see <see cref="Streams.StreamHost"/>).</summary>
    public int StreamHosts { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>permessage-deflate (RFC 7692), off unless configured (<c>deflate.*</c>).</summary>
    public DeflateSettings Deflate { get; init; } = DeflateSettings.Off;
}

/// <summary>
/// <c>pingactors.websocket.deflate</c>: whether a client's permessage-deflate offer is accepted (always without
/// context takeover, both ways), the smallest message sent compressed, and zlib's level.
/// </summary>
public sealed record DeflateSettings(bool Enabled, int MinSize, int Level)
{
    public static readonly DeflateSettings Off = new(false, 64, 6);
}
