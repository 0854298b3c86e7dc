namespace PingActors.Actors.Hub;

/// <summary>What to do when a subscriber's outbound queue is full.</summary>
public enum OverflowPolicy
{
    /// <summary>Close the socket with <see cref="CloseReasons.SlowConsumer"/>; the channel and other subscribers carry on.</summary>
    Close,

    /// <summary>Drop the oldest queued message (counted as dropped) and keep the connection.</summary>
    DropOldest,
}

/// <summary>Typed view of <c>pingactors.hub</c> (see hocon/reference.conf for the meaning of each value).</summary>
public sealed record HubSettings
{
    public int MaxMessageSize { get; init; } = 64 * 1024;

    public int OutboundMaxMessages { get; init; } = 256;

    public long OutboundMaxBytes { get; init; } = 4 * 1024 * 1024;

    public OverflowPolicy Overflow { get; init; } = OverflowPolicy.Close;

    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>pingactors.hub.publish-backlog: how far publishers may run ahead of the node's fan-out, in socket deliveries; 0 = no limit.</summary>
    public int PublishBacklog { get; init; } = 16_000;

    public TimeSpan ChannelIdleTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan SubscribeRetry { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many shared interpreters run the connections' streams (see StreamHost); pingactors.hub.stream-hosts.</summary>
    public int StreamHosts { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    public int ReplayMaxMessages { get; init; } = 1000;

    public long ReplayMaxBytes { get; init; } = 1024 * 1024;

    /// <summary>pingactors.hub.replay.unsubscribed-max-bytes: replay kept node-wide by channels with no subscriber (see UnsubscribedReplay).</summary>
    public long ReplayUnsubscribedMaxBytes { get; init; } = 64 * 1024 * 1024;

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(27);

    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
