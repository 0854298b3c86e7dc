namespace PingActors.Actors.Bridge.Backends;

/// <summary>
/// What a backend sees of a bridge request: the raw request target (path and query, not decoded, as
/// websocksy's endpoint), the subprotocols the client offered (split on commas, trimmed, duplicates removed,
/// in order) and the other request headers (without the handshake's own).
/// </summary>
public sealed record BridgeRequest(string Endpoint, IReadOnlyList<string> OfferedProtocols, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>
/// The peer a backend chose: <paramref name="Peer"/> is <c>tcp://host:port</c>, <c>udp://host:port</c>,
/// <c>unix:///path</c> or <c>unix-dgram:///path</c>; <paramref name="Protocol"/> the subprotocol to answer
/// (one of the offered ones, in the client's spelling) or null; <paramref name="Framing"/> and
/// <paramref name="FramingConfig"/> how the peer's bytes are cut into messages.
/// </summary>
public sealed record PeerChoice(Uri Peer, string? Protocol, string Framing, string? FramingConfig);

/// <summary>Chooses the peer of each bridged WebSocket (websocksy's backend API). Implement it in an assembly of your own and name it in pingactors.bridge.backend.type.</summary>
public interface IBridgeBackend
{
    /// <returns>The peer, or null when no rule matches (the client gets 500, as in websocksy).</returns>
    ValueTask<PeerChoice?> ChooseAsync(BridgeRequest request, CancellationToken cancellationToken);
}
