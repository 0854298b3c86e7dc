namespace PingActors.Node.Configuration;

/// <summary>A configuration problem, reported at start as one line naming the source, the key and what was expected.</summary>
public sealed class ConfigException(string message) : Exception(message);
