namespace PingActors.Node.Hosting;

/// <summary>Which of the node's listeners a connection arrived on, set as a connection feature by Kestrel.</summary>
public sealed record ListenerTag(string Name);
