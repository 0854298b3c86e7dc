using System.Collections.Concurrent;
using Akka.Actor;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy;

/// <summary>How a /send reaches one established session on this node: its outbox directly (room reserved on its gauge first), its actor for a /close.</summary>
public sealed record ProxySessionHandle(string Key, IActorRef Actor, Action<object> Outbox, OutboxGauge Gauge, ActivityClock Activity)
{
    /// <summary>The protocol face its app speaks ("kuiperbelt", "wsaas").</summary>
    public string Face { get; init; } = string.Empty;

    public DateTimeOffset ConnectedAt { get; init; } = DateTimeOffset.UtcNow;

    public string? RemoteAddress { get; init; }
}

/// <summary>
/// This node's established proxy sessions by key. A concurrent map rather than an actor: every /send looks its
/// sessions up here from the HTTP handler's thread and offers straight to their outboxes, so a send to a
/// node-local session crosses no actor mailbox (docs/design.md, "Proxy"). Each session actor adds itself once
/// established and removes itself when it stops; as in kuiperbelt a later session with the same key takes
/// the key over (apps are told to issue a fresh one per connection).
/// </summary>
public sealed class SessionDirectory
{
    private readonly ConcurrentDictionary<string, ProxySessionHandle> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public void Add(ProxySessionHandle handle) => _sessions[handle.Key] = handle;

    /// <summary>Removes <paramref name="handle"/> only if its key still names it (not a later session that took the key over).</summary>
    public void Remove(ProxySessionHandle handle) => _sessions.TryRemove(KeyValuePair.Create(handle.Key, handle));

    public bool TryGet(string key, out ProxySessionHandle handle) => _sessions.TryGetValue(key, out handle!);
}
