using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Prometheus;

namespace PingActors.Node.Hosting;

/// <summary>
/// Caps, per client address, the connections whose first request has not arrived whole
/// (<c>pingactors.http.max-pending-per-address</c>). A slowloris client that trickles its headers holds one of
/// Kestrel's plain-HTTP slots until the header timeout; a few hundred of them held every slot, and every
/// ordinary subscribe and publish failed. Beyond the cap a new connection from that address is closed at once.
/// </summary>
/// <remarks>
/// Counted until the first request's headers are in, not for the connection's life: a WebSocket or a busy
/// keep-alive publisher is no longer pending once it has spoken. Refusals are counted in
/// <c>pingactors_connections_refused_total</c> and logged as one summary line per interval, never one per
/// connection (an attack would otherwise write the log full).
/// </remarks>
public sealed class UnfinishedRequests
{
    private static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(10);

    private readonly int _maxPerAddress;
    private readonly ILogger _log;
    private readonly Counter.Child _refusedTotal;
    private readonly Dictionary<IPAddress, int> _pending = [];
    private readonly HashSet<IPAddress> _refusedAddresses = [];
    private long _refused;
    private long _summaryStarted = Stopwatch.GetTimestamp();

    public UnfinishedRequests(int maxPerAddress, CollectorRegistry registry, ILogger<UnfinishedRequests> log)
    {
        _maxPerAddress = maxPerAddress;
        _log = log;
        _refusedTotal = Prometheus.Metrics.WithCustomRegistry(registry)
            .CreateCounter("pingactors_connections_refused_total", "Connections the node closed at once, by reason.", "reason")
            .WithLabels("pending-per-address");
    }

    /// <summary>Tags each connection with its listener, and closes it at once when its address is over the cap.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> For(string listener) => next => connection =>
    {
        var address = _maxPerAddress > 0 ? (connection.RemoteEndPoint as IPEndPoint)?.Address : null;
        if (address is null)
        {
            connection.Features.Set(new ConnectionTag(listener, null, null));
            return next(connection);
        }

        if (!TryEnter(address))
        {
            return Task.CompletedTask; // Kestrel closes a connection whose delegate returns
        }

        var tag = new ConnectionTag(listener, this, address);
        connection.Features.Set(tag);
        tag.ReleaseWhenClosed(connection.ConnectionClosed);
        return next(connection);
    };

    internal void Leave(IPAddress address)
    {
        lock (_pending)
        {
            if (_pending.TryGetValue(address, out var count))
            {
                if (count <= 1)
                {
                    _pending.Remove(address);
                }
                else
                {
                    _pending[address] = count - 1;
                }
            }
        }
    }

    private bool TryEnter(IPAddress address)
    {
        lock (_pending)
        {
            _pending.TryGetValue(address, out var count);
            if (count < _maxPerAddress)
            {
                _pending[address] = count + 1;
                return true;
            }

            _refused++;
            _refusedAddresses.Add(address);
            _refusedTotal.Inc();
            if (Stopwatch.GetElapsedTime(_summaryStarted) >= SummaryInterval)
            {
                _log.LogWarning(
                    "Closed {Refused} connections in the last {Seconds:0}s from {Addresses} address(es) already holding {Max} connections each whose first request had not arrived (pingactors.http.max-pending-per-address); the latest from {Address}",
                    _refused,
                    Stopwatch.GetElapsedTime(_summaryStarted).TotalSeconds,
                    _refusedAddresses.Count,
                    _maxPerAddress,
                    address);
                _refused = 0;
                _refusedAddresses.Clear();
                _summaryStarted = Stopwatch.GetTimestamp();
            }

            return false;
        }
    }
}
