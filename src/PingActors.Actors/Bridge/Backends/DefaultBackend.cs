namespace PingActors.Actors.Bridge.Backends;

/// <summary>
/// websocksy's built-in <c>defaultpeer</c> backend: every WebSocket goes to the same peer.
/// <para>
/// One deliberate difference: websocksy keeps its default port 5900 beside a <c>host</c> that names a port
/// (<c>tcp://h:19301</c>) and then fails every connection; here the host's port is used unless
/// <c>port</c> was set explicitly (then the two must agree).
/// </para>
/// </summary>
public sealed class DefaultBackend : IBridgeBackend
{
    public const string DefaultHost = "tcp://localhost";
    public const int DefaultPort = 5900;
    public const string DefaultFraming = "auto";

    private readonly PeerChoice _peer;
    private readonly string? _protocol;

    /// <param name="host">websocksy's <c>host</c>: a peer address, scheme tcp (the default), udp, unix or unix-dgram.</param>
    /// <param name="port">websocksy's <c>port</c> when set explicitly; null takes the host's port, else 5900.</param>
    /// <param name="framing">Passed through to the bridge; an empty name means auto.</param>
    /// <param name="framingConfig">Passed through; empty means none.</param>
    /// <param name="protocol">Null or empty: no subprotocol; a name: the first offer equal to it ignoring case; <c>*</c>: the first offer.</param>
    /// <exception cref="ArgumentException">The host or port names no peer (the message says why).</exception>
    public DefaultBackend(string host = DefaultHost, int? port = null, string? framing = null, string? framingConfig = null, string? protocol = null)
    {
        PeerAddress address;
        try
        {
            address = PeerAddress.Parse(string.IsNullOrEmpty(host) ? DefaultHost : host, port, DefaultPort);
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message, nameof(host), e);
        }

        Peer = address;
        _peer = new PeerChoice(address.ToUri(), null, string.IsNullOrEmpty(framing) ? DefaultFraming : framing, string.IsNullOrEmpty(framingConfig) ? null : framingConfig);
        _protocol = string.IsNullOrEmpty(protocol) ? null : protocol;
    }

    /// <summary>The peer every connection gets.</summary>
    public PeerAddress Peer { get; }

    public ValueTask<PeerChoice?> ChooseAsync(BridgeRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<PeerChoice?>(_peer with { Protocol = Choose(request.OfferedProtocols) });

    // A client offering nothing, or nothing that matches, still gets the peer: websocksy upgrades without a
    // Sec-WebSocket-Protocol header and leaves it to the client to give up.
    private string? Choose(IReadOnlyList<string> offered)
    {
        if (_protocol is null || offered.Count == 0)
        {
            return null;
        }

        return _protocol == "*"
            ? offered[0]
            : offered.FirstOrDefault(o => string.Equals(o, _protocol, StringComparison.OrdinalIgnoreCase));
    }
}
