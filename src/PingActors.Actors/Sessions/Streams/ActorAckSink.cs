using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;

namespace PingActors.Actors.Sessions.Streams;

/// <summary>
/// The actor end of a session's stream: each client message goes to the session actor as an
/// <see cref="InboundMessage"/>, and the next one is pulled only when the actor calls its ack. Unlike
/// Sink.ActorRefWithAck it needs no stage actor and no DeathWatch (its session actor aborts the
/// socket when it stops), which keeps an idle session small.
/// </summary>
public sealed class ActorAckSink : GraphStage<SinkShape<Payload>>
{
    // One instance serves every session of its kind (SessionGraph): the actor of a run comes with
    // its SessionBinding attribute.
    public ActorAckSink() => Shape = new SinkShape<Payload>(In);

    public Inlet<Payload> In { get; } = new("session.actor");

    public override SinkShape<Payload> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, SessionBinding.Of(inheritedAttributes).Owner);

    private sealed class Logic : InGraphStageLogic
    {
        private readonly ActorAckSink _stage;
        private readonly IActorRef _owner;
        private Action? _ack;
        private bool _told;

        public Logic(ActorAckSink stage, IActorRef owner)
            : base(stage.Shape)
        {
            _stage = stage;
            _owner = owner;
            SetHandler(stage.In, this);
        }

        public override void PreStart() => Pull(_stage.In);

        // The ack callback is made with the first message: most sockets of a hub never send one.
        public override void OnPush() => _owner.Tell(new InboundMessage(Grab(_stage.In), _ack ??= GetAsyncCallback(() => Pull(_stage.In))), ActorRefs.NoSender);

        public override void OnUpstreamFinish()
        {
            Tell(StreamCompleted.Instance);
            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception e)
        {
            Tell(new StreamFailed(e));
            FailStage(e);
        }

        // Also when the stream is torn down from outside (its host stopping): the actor must not wait.
        public override void PostStop() => Tell(new StreamFailed(new AbruptStageTerminationException(this)));

        private void Tell(object message)
        {
            if (!_told)
            {
                _told = true;
                _owner.Tell(message, ActorRefs.NoSender);
            }
        }
    }
}
