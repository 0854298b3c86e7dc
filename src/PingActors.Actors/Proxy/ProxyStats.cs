namespace PingActors.Actors.Proxy;

/// <summary>
/// kuiperbelt's counters, for its <c>/stats</c> (names and meanings as kuiperbelt's, seeds-protocols.md 1.2):
/// apps and dashboards that read them keep working. Bumped from HTTP handlers and session actors alike.
/// </summary>
public sealed class ProxyStats
{
    private long _connections;
    private long _totalConnections;
    private long _totalMessages;
    private long _connectErrors;
    private long _messageErrors;

    public long Connections => Interlocked.Read(ref _connections);

    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    public long TotalMessages => Interlocked.Read(ref _totalMessages);

    public long ConnectErrors => Interlocked.Read(ref _connectErrors);

    public long MessageErrors => Interlocked.Read(ref _messageErrors);

    /// <summary>Always 0: kuiperbelt counts sessions waiting out its shutdown loop here; a session here ends with its socket's close handshake, which no counter needs to wait on.</summary>
    public long ClosingConnections => 0;

    public void SessionOpened()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _totalConnections);
    }

    public void SessionEnded() => Interlocked.Decrement(ref _connections);

    public void MessagesSent(int count) => Interlocked.Add(ref _totalMessages, count);

    public void ConnectFailed() => Interlocked.Increment(ref _connectErrors);

    public void MessageFailed(int count = 1) => Interlocked.Add(ref _messageErrors, count);
}
