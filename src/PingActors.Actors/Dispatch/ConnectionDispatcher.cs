namespace PingActors.Actors.Dispatch;

/// <summary>The dispatcher id the connection actors run on (with <see cref="LeanMailbox"/>; hocon/reference.conf).</summary>
public static class ConnectionDispatcher
{
    public const string Id = "akka.actor.pingactors-connection-dispatcher";
}
