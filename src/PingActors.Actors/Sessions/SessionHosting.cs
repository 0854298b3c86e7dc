using Akka.Actor;
using Akka.Hosting;

namespace PingActors.Actors.Sessions;

/// <summary>The session core's part of a node's ActorSystem: the one <see cref="SessionSupervisor"/>, at <c>/user/sessions</c>.</summary>
public static class SessionHosting
{
    public static AkkaConfigurationBuilder AddSessions(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) => registry.Register<SessionSupervisor>(system.ActorOf(SessionSupervisor.Props, "sessions")));
}
