namespace PingActors.Actors.Dispatch;

/// <summary>The dispatcher id the session actors run on (with <see cref="LeanMailbox"/>; hocon/reference.conf).</summary>
public static class SessionDispatcher
{
    public const string Id = "akka.actor.pingactors-session-dispatcher";
}
