namespace PingActors.Actors.Sessions;

/// <summary>
/// How much is waiting in one session's outbox, kept where a sender can read it: a sender reserves room
/// before it hands a message to the outbox (and is refused at once when the queue is full), the socket's
/// stream gives the room back as each message leaves the queue for the socket or is dropped. The proxy's
/// /send answers per session from it without waiting for the session's stream. The two counts are not one
/// atomic pair; racing senders may pass a bound by a message or two, never more than there are senders.
/// </summary>
public sealed class OutboxGauge(int maxMessages, long maxBytes)
{
    private int _messages;
    private long _bytes;

    public int Messages => Volatile.Read(ref _messages);

    /// <summary>True, and the room is taken, if one more message of <paramref name="bytes"/> fits.</summary>
    public bool TryReserve(int bytes)
    {
        var messages = Interlocked.Increment(ref _messages);
        var total = Interlocked.Add(ref _bytes, bytes);

        // One message always fits, however large (within max-message-size): a queue that holds nothing would refuse it forever.
        if (messages > maxMessages || (total > maxBytes && messages > 1))
        {
            Release(bytes);
            return false;
        }

        return true;
    }

    /// <summary>Takes room whether it fits or not (a greeting, a last word).</summary>
    public void Reserve(int bytes)
    {
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void Release(int bytes)
    {
        Interlocked.Decrement(ref _messages);
        Interlocked.Add(ref _bytes, -bytes);
    }
}
