using System.Text;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Tests.Sessions;

/// <summary>
/// The supervisor starts a session of whatever kind the request names, and a session may refuse its handshake
/// with any status, headers and body: the plug-in point of the proxy's connect callback. A kind defined here,
/// not the hub's, shows that the core needs nothing of the hub.
/// </summary>
public sealed class SessionSupervisorSpecs : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly SessionContext _session;

    public SessionSupervisorSpecs()
        : base("akka.loglevel = WARNING")
    {
        var settings = new SessionSettings { StreamHosts = 1 };
        var graph = Flow.FromGraph(new WebSocketFlow(settings)).Join(Flow.FromGraph(new ActorEndpoint(settings, Metrics())));
        _session = SessionContext.Start(settings, Metrics(), graph, Sys.Materializer());
    }

    [Fact]
    public async Task Starts_a_session_of_the_kind_the_request_names_and_passes_on_its_refusal_with_status_headers_and_body()
    {
        var supervisor = Sys.ActorOf(SessionSupervisor.Props);
        var outcome = new TaskCompletionSource<SessionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var refusal = new SessionOutcome.Refused(401, [new("WWW-Authenticate", "Bearer"), new("Content-Type", "application/octet-stream")], new byte[] { 0, 1, 2 });

        supervisor.Tell(new OpenSession(RefusingSession.Props, new RefusingRequest(refusal, TestActor, _session), NeverAccept, outcome));

        ExpectMsg("prepared");
        var answered = Assert.IsType<SessionOutcome.Refused>(await outcome.Task.WaitAsync(Patience));
        Assert.Equal(401, answered.Status);
        Assert.Contains(new KeyValuePair<string, string>("WWW-Authenticate", "Bearer"), answered.Headers);
        Assert.Equal(new byte[] { 0, 1, 2 }, answered.Body.ToArray());
    }

    [Fact]
    public async Task Draining_refuses_a_session_still_preparing_and_then_every_new_one_with_503_and_answers_drained()
    {
        var supervisor = Sys.ActorOf(SessionSupervisor.Props);
        var preparing = new TaskCompletionSource<SessionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        supervisor.Tell(new OpenSession(RefusingSession.Props, new RefusingRequest(null, TestActor, _session), NeverAccept, preparing));
        ExpectMsg("prepared");

        supervisor.Tell(new Drain(TimeSpan.FromMilliseconds(100)));

        Assert.Equal(SessionOutcome.ShuttingDown, await preparing.Task.WaitAsync(Patience));
        ExpectMsg<Drained>(Patience);

        var late = new TaskCompletionSource<SessionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        supervisor.Tell(new OpenSession(RefusingSession.Props, new RefusingRequest(null, TestActor, _session), NeverAccept, late));
        var refused = Assert.IsType<SessionOutcome.Refused>(await late.Task.WaitAsync(Patience));
        Assert.Equal(503, refused.Status);
        Assert.Contains(new KeyValuePair<string, string>("Retry-After", "1"), refused.Headers);
        Assert.Equal("Error: server shutting down.\n", Encoding.UTF8.GetString(refused.Body.Span));
    }

    private static SessionMetrics Metrics() => new(Prometheus.Metrics.NewCustomRegistry(), "test");

    private static Task<System.Net.WebSockets.WebSocket> NeverAccept(string? subProtocol) => throw new InvalidOperationException("this kind never accepts");

    /// <summary>Refuses with its request's answer once prepared; with none, waits (as a session asking an app would).</summary>
    private sealed record RefusingRequest(SessionOutcome.Refused? Answer, IActorRef Observer, SessionContext Session) : ISessionRequest;

    private sealed class RefusingSession : SessionActor<RefusingRequest>
    {
        public static readonly Props Props = Props.Create<RefusingSession>();

        protected override TimeSpan StartTimeout => TimeSpan.FromMinutes(1);

        protected override string Describe => "a test session";

        protected override void OnPrepare()
        {
            Request.Observer.Tell("prepared");
            if (Request.Answer is { } answer)
            {
                Refuse(answer);
            }
        }

        protected override void OnPrepareTimedOut() => Refuse(SessionOutcome.Refused.Text(504, "too slow\n"));

        protected override void OnClientMessage(InboundMessage message) => message.Ack();
    }
}
