namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// The peer's stream broke its framing's limits (a record past the size limit). The message is short
/// enough to be a WebSocket close reason (at most 123 bytes of UTF-8).
/// </summary>
public sealed class FramingException(string message) : Exception(message);

/// <summary>A framing name or config that cannot be used: one line naming the framing, what was expected and what was got.</summary>
public sealed class FramingConfigException(string message) : Exception(message);
