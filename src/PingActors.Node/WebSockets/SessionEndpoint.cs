using System.Net.WebSockets;
using Akka.Actor;
using PingActors.Actors.Sessions;

namespace PingActors.Node.WebSockets;

/// <summary>
/// Serves a WebSocket request for any feature: checks the handshake and the origin, opens a session of the
/// feature's kind, and answers whatever the session decides (the upgrade, or a refusal with its status,
/// headers and body); the request then lasts as long as the socket.
/// </summary>
public sealed class SessionEndpoint(NodeSessions sessions)
{
    private static readonly SessionOutcome.Refused ConnectionLimit = SessionOutcome.Refused.Text(503, "Error: connection limit reached, try again later.\n", retryLater: true);

    public async Task RunAsync(HttpContext context, IOriginCheck origins, SessionSettings settings, Props kind, ISessionRequest request)
    {
        var rejection = Handshake.Validate(context.Request, origins);
        if (rejection is not null)
        {
            foreach (var (name, value) in rejection.Headers)
            {
                context.Response.Headers[name] = value;
            }

            await HttpAnswers.WriteText(context, rejection.Status, rejection.Body);
            return;
        }

        if (sessions.Draining)
        {
            await HttpAnswers.Write(context, SessionOutcome.ShuttingDown);
            return;
        }

        var outcome = new TaskCompletionSource<SessionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var interval = settings.KeepAliveInterval;
        var timeout = interval > TimeSpan.Zero && settings.KeepAliveTimeout > TimeSpan.Zero ? settings.KeepAliveTimeout : Timeout.InfiniteTimeSpan;
        CloseReasonStream? transport = null;
        sessions.Supervisor.Tell(new OpenSession(kind, request, AcceptAsync, outcome));
        var result = await outcome.Task;
        transport?.RequestEnded();
        if (context.Response.HasStarted)
        {
            return;
        }

        switch (result)
        {
            case SessionOutcome.Refused refused:
                await HttpAnswers.Write(context, refused);
                break;
            case SessionOutcome.Closed when transport is null:
                // Accepted, but the upgrade itself was refused: the node is at its connection limit.
                await HttpAnswers.Write(context, ConnectionLimit);
                break;
        }

        async Task<WebSocket> AcceptAsync(string? subProtocol)
        {
            var (socket, stream) = await WebSocketUpgrade.AcceptAsync(context, interval, timeout, settings.MaxMessageSize, request.Activity, subProtocol, settings.Deflate.Enabled);
            transport = stream;
            return socket;
        }
    }
}
