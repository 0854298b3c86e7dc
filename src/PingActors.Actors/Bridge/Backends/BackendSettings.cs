namespace PingActors.Actors.Bridge.Backends;

/// <summary>
/// <c>pingactors.bridge.backend</c>, as strings: what <see cref="BackendFactory"/> builds a backend from.
/// </summary>
/// <param name="Type"><c>default</c>, <c>file</c>, or a .NET type name <c>"Namespace.Type, Assembly"</c>.</param>
/// <param name="Assembly">The path of the assembly holding <paramref name="Type"/>; empty to find it by name.</param>
/// <param name="Port">The default backend's port when set explicitly; null lets the host's port (else 5900) apply.</param>
/// <param name="Settings">The <c>settings {}</c> map handed to a backend of your own.</param>
public sealed record BackendSettings(
    string Type,
    string Assembly = "",
    string Host = DefaultBackend.DefaultHost,
    int? Port = null,
    string Framing = DefaultBackend.DefaultFraming,
    string FramingConfig = "",
    string Protocol = "",
    string Path = "",
    IReadOnlyList<string>? Expressions = null,
    IReadOnlyDictionary<string, string>? Settings = null);

/// <summary>A backend that cannot be built; <see cref="Key"/> is the <c>pingactors.bridge.backend</c> key at fault.</summary>
public sealed class BackendConfigurationException(string key, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The key under <c>pingactors.bridge.backend</c>: type, assembly, host, port, path, expressions or settings.</summary>
    public string Key { get; } = key;
}
