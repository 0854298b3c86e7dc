using System.Net;

namespace PingActors.Node.Hosting;

/// <summary>
/// Set on every connection as a Kestrel connection feature: which listener it arrived on, and, until its first
/// request's headers are in, its place among its address's unfinished requests (<see cref="UnfinishedRequests"/>).
/// </summary>
public sealed class ConnectionTag
{
    private readonly UnfinishedRequests? _unfinished;
    private readonly IPAddress? _address;
    private CancellationTokenRegistration _onClose;
    private int _counted;

    internal ConnectionTag(string listener, UnfinishedRequests? unfinished, IPAddress? address)
    {
        Listener = listener;
        _unfinished = unfinished;
        _address = address;
        _counted = unfinished is null ? 0 : 1;
    }

    public string Listener { get; }

    /// <summary>The connection's first request has its headers: it no longer counts as unfinished.</summary>
    public void RequestArrived()
    {
        if (Release())
        {
            _onClose.Dispose();
        }
    }

    internal void ReleaseWhenClosed(CancellationToken closed) =>
        _onClose = closed.Register(static tag => ((ConnectionTag)tag!).Release(), this);

    private bool Release()
    {
        if (Interlocked.Exchange(ref _counted, 0) == 0)
        {
            return false;
        }

        _unfinished!.Leave(_address!);
        return true;
    }
}
