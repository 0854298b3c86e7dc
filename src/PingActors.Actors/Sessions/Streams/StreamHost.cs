using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>A session's stream for a host to run; a failure to materialize it is told to <paramref name="Owner"/>.</summary>
public sealed record RunSessionStream(IGraph<ClosedShape, NotUsed> Graph, IActorRef Owner);

/// <summary>
/// A long-lived stream whose only stage materializes session streams into its own interpreter
/// (Akka.Streams sub-fusing). Each session's socket flow is still its own graph with its own
/// stages and backpressure, but many of them share one interpreter actor instead of each paying for an
/// actor, a mailbox, props and a path: about 1.3 KB per idle socket (docs/benchmarks.md). A node runs a
/// few hosts and spreads connections over them, so they still run in parallel.
/// </summary>
public sealed class StreamHost : GraphStageWithMaterializedValue<SourceShape<NotUsed>, Action<RunSessionStream>>
{
    public StreamHost() => Shape = new SourceShape<NotUsed>(Out);

    public Outlet<NotUsed> Out { get; } = new("stream-host.out");

    public override SourceShape<NotUsed> Shape { get; }

    public override ILogicAndMaterializedValue<Action<RunSessionStream>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return new LogicAndMaterializedValue<Action<RunSessionStream>>(logic, logic.Run);
    }

    private sealed class Logic : OutGraphStageLogic
    {
        public Logic(StreamHost stage)
            : base(stage.Shape)
        {
            SetHandler(stage.Out, this);
            Run = GetAsyncCallback<RunSessionStream>(OnRun);
        }

        /// <summary>Thread-safe: queues the graph for this host's interpreter.</summary>
        public Action<RunSessionStream> Run { get; }

        public override void OnPull()
        {
            // Never emits: the host lives as long as the node.
        }

        private void OnRun(RunSessionStream run)
        {
            try
            {
                SubFusingMaterializer.Materialize(run.Graph);
            }
            catch (Exception e)
            {
                // One session's graph must never take its host (and the other sessions) down.
                Log.Error(e, "Could not start a session stream");
                run.Owner.Tell(new StreamFailed(e), ActorRefs.NoSender);
            }
        }
    }
}

/// <summary>
/// A feature's stream hosts; its sessions are spread over them round-robin. A host
/// whose stream ends (it should not: only a bug or the materializer shutting down ends it) is replaced,
/// so later sessions never go to a dead interpreter; the sessions it ran are told by their
/// <see cref="ActorEndpoint"/> and close.
/// </summary>
public sealed class StreamHosts
{
    private readonly Action<RunSessionStream>[] _hosts;
    private readonly ActorMaterializer _materializer;

    private StreamHosts(int count, ActorMaterializer materializer)
    {
        _hosts = new Action<RunSessionStream>[count];
        _materializer = materializer;
        for (var i = 0; i < count; i++)
        {
            StartHost(i);
        }
    }

    public int Count => _hosts.Length;

    public static StreamHosts Start(int count, ActorMaterializer materializer) => new(count, materializer);

    public void Run(long sequence, RunSessionStream run) => Volatile.Read(ref _hosts[sequence % _hosts.Length])(run);

    private void StartHost(int index)
    {
        var (run, ended) = Source.FromGraph(new StreamHost())
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .WithAttributes(Attributes.CreateName("session-host-" + index))
            .Run(_materializer);
        Volatile.Write(ref _hosts[index], run);
        ended.ContinueWith(
            _ =>
            {
                if (!_materializer.IsShutdown)
                {
                    StartHost(index);
                }
            },
            TaskScheduler.Default);
    }
}
