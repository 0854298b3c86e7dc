using PingActors.Actors.Hub.Sse;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub;

/// <summary>Typed view of <c>pingactors.hub</c> (see hocon/reference.conf for the meaning of each value).</summary>
public sealed record HubSettings
{
    /// <summary>The hub's sockets: <c>pingactors.websocket</c> with the hub's own keys of the same names winning.</summary>
    public SessionSettings Session { get; init; } = new();

    /// <summary>pingactors.hub.sse: Server-Sent Events subscribers.</summary>
    public SseSettings Sse { get; init; } = new();

    /// <summary>pingactors.hub.channel-threads: threads of the node-local channels (the fan-out).</summary>
    public int ChannelThreads { get; init; } = Math.Max(1, (Environment.ProcessorCount + 3) / 4);

    /// <summary>pingactors.hub.small-channel-sockets: a channel with at most this many sockets here fans out on its publisher's thread.</summary>
    public int SmallChannelSockets { get; init; } = 16;

    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>pingactors.hub.publish-backlog: how far publishers may run ahead of the node's fan-out, in socket deliveries; 0 = no limit.</summary>
    public int PublishBacklog { get; init; } = 16_000;

    /// <summary>pingactors.hub.publish-window: how many messages a subscribing node may be behind before POST answers wait; 0 = no limit.</summary>
    public int PublishWindow { get; init; } = 8;

    public TimeSpan ChannelIdleTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan SubscribeRetry { get; init; } = TimeSpan.FromSeconds(2);

    public int ReplayMaxMessages { get; init; } = 1000;

    public long ReplayMaxBytes { get; init; } = 1024 * 1024;

    /// <summary>pingactors.hub.replay.unsubscribed-max-bytes: replay kept node-wide by channels with no subscriber (see UnsubscribedReplay).</summary>
    public long ReplayUnsubscribedMaxBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>pingactors.hub.history.keep-for: how long a channel with no subscriber keeps its messages after its last one; zero: no history (Pinghub).</summary>
    public TimeSpan HistoryKeepFor { get; init; } = TimeSpan.Zero;

    /// <summary>pingactors.hub.history.max-messages: the messages a channel keeps while history is on, if more than replay.max-messages.</summary>
    public int HistoryMaxMessages { get; init; }

    public bool History => HistoryKeepFor > TimeSpan.Zero;
}
