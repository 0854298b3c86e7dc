using System.Net.WebSockets;
using Akka.Actor;

namespace PingActors.Actors.Sessions;

/// <summary>What a feature's WebSocket request carries to its session actor: the feature's own data, and the session core it runs on.</summary>
public interface ISessionRequest
{
    SessionContext Session { get; }

    /// <summary>Touched by the socket's transport on each client ping, for a feature with an idle timeout; null: none kept.</summary>
    ActivityClock? Activity => null;
}

/// <summary>
/// Asks the <see cref="SessionSupervisor"/> for a session actor of the kind <paramref name="Kind"/> (one shared
/// <see cref="Props"/> per kind: a per-socket Props would cost every idle socket its own). <paramref name="Accept"/>
/// completes the WebSocket handshake (answering the subprotocol it is given, if any); the session calls it only once it is ready (the hub once its channel is
/// joined, the proxy once the app said yes), or answers <paramref name="Outcome"/> with a refusal instead.
/// </summary>
public sealed record OpenSession(Props Kind, ISessionRequest Request, Func<string?, Task<WebSocket>> Accept, TaskCompletionSource<SessionOutcome> Outcome);

/// <summary>Sent by the supervisor to a new session actor; <paramref name="Sequence"/> spreads sessions over the stream hosts.</summary>
public sealed record StartSession(OpenSession Open, long Sequence);

/// <summary>How a session request ended, for the HTTP handler that waits on it.</summary>
public abstract record SessionOutcome
{
    /// <summary>The handshake was completed (or tried) and the session has ended.</summary>
    public sealed record Closed : SessionOutcome
    {
        public static readonly Closed Instance = new();
    }

    /// <summary>The handshake is refused with this answer; nothing was sent to the client yet.</summary>
    /// <param name="Headers">Response headers, <c>Content-Type</c> among them when there is a body.</param>
    public sealed record Refused(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, ReadOnlyMemory<byte> Body) : SessionOutcome
    {
        /// <summary>A plain-text refusal, with <c>Retry-After: 1</c> when <paramref name="retryLater"/>.</summary>
        public static Refused Text(int status, string body, bool retryLater = false) => new(
            status,
            retryLater ? [new("Content-Type", "text/plain; charset=utf-8"), new("Retry-After", "1")] : [new("Content-Type", "text/plain; charset=utf-8")],
            System.Text.Encoding.UTF8.GetBytes(body));
    }

    /// <summary>503: the node is draining.</summary>
    public static readonly Refused ShuttingDown = Refused.Text(503, "Error: server shutting down.\n", retryLater: true);
}

/// <summary>Close this session with <paramref name="Reason"/>, after what is queued for it (all of them: <see cref="Drain"/>).</summary>
public sealed record CloseSession(CloseReason Reason);

/// <summary>Close every session, spread over <paramref name="Window"/>; answered with <see cref="Drained"/> when none is left.</summary>
public sealed record Drain(TimeSpan Window);

/// <summary>No session is left on this node.</summary>
public sealed class Drained
{
    public static readonly Drained Instance = new();
}
