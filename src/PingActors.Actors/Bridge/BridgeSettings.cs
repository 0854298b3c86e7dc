using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge;

/// <summary>The bridge's actor settings (<c>pingactors.bridge</c>, hocon/reference.conf), read and checked by the node.</summary>
public sealed record BridgeSettings
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the backend may take to choose a peer.</summary>
    public TimeSpan ChooseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The most read from a stream peer at once (websocksy reads 16 KiB).</summary>
    public int ReadChunk { get; init; } = 64 * 1024;

    public SessionSettings Session { get; init; } = new();
}
