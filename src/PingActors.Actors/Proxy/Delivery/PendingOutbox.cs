namespace PingActors.Actors.Proxy.Delivery;

/// <summary>
/// A session's outbox from the moment the app accepted it until its socket is open: an app learns a session's
/// key from the connect callback and may push at once, before the 101 has gone out, so what arrives then is
/// held and handed to the socket first, in order, when it opens. Room was reserved on the session's gauge by
/// the sender, as for every push, so the hold is bounded by the send queue.
/// </summary>
internal sealed class PendingOutbox
{
    private readonly object _gate = new();
    private List<object>? _held = [];
    private Action<object>? _socket;

    /// <summary>Called from senders' threads: held until <see cref="Open"/>, then straight to the socket.</summary>
    public void Push(object message)
    {
        Action<object>? socket;
        lock (_gate)
        {
            socket = _socket;
            if (socket is null)
            {
                _held!.Add(message);
                return;
            }
        }

        // After the lock: Open handed over everything held before it let any push through.
        socket(message);
    }

    /// <summary>Hands what was held to <paramref name="socket"/>, then lets every later push go straight there.</summary>
    public void Open(Action<object> socket)
    {
        lock (_gate)
        {
            foreach (var message in _held!)
            {
                socket(message);
            }

            _held = null;
            _socket = socket;
        }
    }
}
