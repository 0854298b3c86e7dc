namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// The newest messages of one channel incarnation, bounded in count and bytes, so a node that lost its
/// subscription (hand-off, crash) can be given what it missed instead of a silent gap.
/// </summary>
public sealed class ReplayBuffer(int maxMessages, long maxBytes)
{
    private readonly Queue<ChannelMessage> _messages = new();
    private long _bytes;
    private long _evictedUpTo;

    internal int Count => _messages.Count;

    /// <summary>The payload bytes held.</summary>
    internal long Bytes => _bytes;

    public void Add(ChannelMessage message)
    {
        if (maxMessages <= 0)
        {
            _evictedUpTo = message.Seq;
            return;
        }

        _messages.Enqueue(message);
        _bytes += message.Payload.Length;
        while (_messages.Count > maxMessages || (_bytes > maxBytes && _messages.Count > 0))
        {
            var evicted = _messages.Dequeue();
            _bytes -= evicted.Payload.Length;
            _evictedUpTo = evicted.Seq;
        }
    }

    /// <summary>
    /// Keeps nothing of <paramref name="message"/> or before it: a node resuming from before it is told of
    /// the gap, one resuming after it still gets the rest.
    /// </summary>
    public void Skip(ChannelMessage message)
    {
        _messages.Clear();
        _bytes = 0;
        _evictedUpTo = message.Seq;
    }

    /// <summary>
    /// The newest buffered messages, oldest first, whose size (payload plus <paramref name="overhead"/> each)
    /// stays within <paramref name="maxBytes"/>: what a handed-off incarnation can carry in one remote message.
    /// </summary>
    public IReadOnlyList<ChannelMessage> Newest(long maxBytes, int overhead)
    {
        var taken = new List<ChannelMessage>();
        long bytes = 0;
        foreach (var message in _messages.Reverse())
        {
            bytes += message.Payload.Length + overhead;
            if (bytes > maxBytes)
            {
                break;
            }

            taken.Add(message);
        }

        taken.Reverse();
        return taken;
    }

    /// <summary>Replaces the content: <paramref name="messages"/> (consecutive, oldest first), everything up to <paramref name="evictedUpTo"/> gone.</summary>
    public void Restore(IEnumerable<ChannelMessage> messages, long evictedUpTo)
    {
        _messages.Clear();
        _bytes = 0;
        _evictedUpTo = evictedUpTo;
        foreach (var message in messages)
        {
            Add(message);
        }
    }

    /// <summary>The buffered messages numbered after <paramref name="afterSeq"/>, or false if some of them were already evicted.</summary>
    public bool TryGetAfter(long afterSeq, out IReadOnlyList<ChannelMessage> messages)
    {
        if (afterSeq < _evictedUpTo)
        {
            messages = [];
            return false;
        }

        messages = _messages.Where(m => m.Seq > afterSeq).ToList();
        return true;
    }
}
