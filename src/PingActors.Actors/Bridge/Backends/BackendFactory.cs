using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace PingActors.Actors.Bridge.Backends;

/// <summary>
/// Builds the bridge's backend from <c>pingactors.bridge.backend</c>: the built-in <c>default</c> and <c>file</c>
/// backends, or a type of your own implementing <see cref="IBridgeBackend"/> with a public constructor that takes
/// the <c>settings {}</c> map (<c>IReadOnlyDictionary&lt;string, string&gt;</c>) or nothing.
/// </summary>
public static class BackendFactory
{
    public const string Default = "default";
    public const string File = "file";

    /// <exception cref="BackendConfigurationException">The backend cannot be built; the message says why and <see cref="BackendConfigurationException.Key"/> names the key.</exception>
    public static IBridgeBackend Create(BackendSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        switch (settings.Type)
        {
            case Default:
                return Build("host", () => new DefaultBackend(settings.Host, settings.Port, settings.Framing, settings.FramingConfig, settings.Protocol));
            case File:
                if (settings.Path.Length == 0)
                {
                    throw new BackendConfigurationException("path", "expected the directory of the file backend's route files, got \"\"");
                }

                return Build("expressions", () => new FileBackend(settings.Path, settings.Expressions ?? []));
            case "":
                throw new BackendConfigurationException("type", $"expected {Default}, {File} or a .NET type \"Namespace.Type, Assembly\", got \"\"");
            default:
                return CreateUserBackend(settings);
        }
    }

    private static IBridgeBackend Build(string key, Func<IBridgeBackend> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentException e)
        {
            throw new BackendConfigurationException(key, FirstLine(e.Message), e);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "A backend of your own is loaded only where dynamic code runs (checked below); its type is found by name at run time.")]
    private static IBridgeBackend CreateUserBackend(BackendSettings settings)
    {
        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            throw new BackendConfigurationException("type", $"expected {Default} or {File} in a native (AOT) build, which cannot load .NET assemblies at run time, got \"{settings.Type}\"; run the JIT build of the node for a backend of your own");
        }

        var type = settings.Assembly.Length > 0 ? TypeFromPath(settings.Type, settings.Assembly) : TypeByName(settings.Type);
        return Instantiate(type, settings.Settings ?? new Dictionary<string, string>());
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "See CreateUserBackend.")]
    private static Type TypeFromPath(string typeName, string assembly)
    {
        var path = System.IO.Path.GetFullPath(assembly);
        if (!System.IO.File.Exists(path))
        {
            throw new BackendConfigurationException("assembly", $"expected the path of a .NET assembly (.dll), got nothing at {path}");
        }

        Assembly loaded;
        try
        {
            loaded = new BackendLoadContext(path).LoadFromAssemblyPath(path);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException)
        {
            throw new BackendConfigurationException("assembly", $"expected a .NET assembly, got a file that does not load ({FirstLine(e.Message)}) at {path}", e);
        }

        var comma = typeName.IndexOf(',');
        var fullName = (comma < 0 ? typeName : typeName[..comma]).Trim();
        var assemblyName = comma < 0 ? null : typeName[(comma + 1)..].Trim();
        if (!string.IsNullOrEmpty(assemblyName) && !string.Equals(assemblyName, loaded.GetName().Name, StringComparison.OrdinalIgnoreCase))
        {
            throw new BackendConfigurationException("type", $"expected a type of assembly {loaded.GetName().Name} (loaded from {path}), got \"{typeName}\", which names assembly {assemblyName}");
        }

        return loaded.GetType(fullName, throwOnError: false)
            ?? throw new BackendConfigurationException("type", $"expected a public type of {path}, got \"{fullName}\", which it does not have");
    }

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "See CreateUserBackend.")]
    private static Type TypeByName(string typeName)
    {
        if (!typeName.Contains(','))
        {
            throw new BackendConfigurationException("type", $"expected {Default}, {File} or a .NET type \"Namespace.Type, Assembly\" (and assembly set to its path unless it sits beside the node), got \"{typeName}\"");
        }

        try
        {
            return Type.GetType(typeName, throwOnError: true)!;
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
        {
            throw new BackendConfigurationException("type", $"expected a .NET type the node can find, got \"{typeName}\" ({FirstLine(e.Message)}); set pingactors.bridge.backend.assembly to its .dll", e);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "See CreateUserBackend.")]
    private static IBridgeBackend Instantiate(Type type, IReadOnlyDictionary<string, string> settings)
    {
        if (!typeof(IBridgeBackend).IsAssignableFrom(type))
        {
            var foreign = type.GetInterfaces().Any(i => i.FullName == typeof(IBridgeBackend).FullName)
                ? " (it implements another copy of the interface: do not ship PingActors.Actors.dll beside the backend)"
                : string.Empty;
            throw new BackendConfigurationException("type", $"expected a class implementing {typeof(IBridgeBackend).FullName}, got {type.FullName}, which does not{foreign}");
        }

        if (type.IsAbstract)
        {
            throw new BackendConfigurationException("type", $"expected a class that can be created, got the abstract {type.FullName}");
        }

        var withSettings = type.GetConstructor([typeof(IReadOnlyDictionary<string, string>)]);
        var without = type.GetConstructor(Type.EmptyTypes);
        if (withSettings is null && (without is null || settings.Count > 0))
        {
            throw without is null
                ? new BackendConfigurationException("type", $"expected {type.FullName} to have a public constructor taking IReadOnlyDictionary<string, string> (the settings) or none, got neither")
                : new BackendConfigurationException("settings", $"expected no settings, as {type.FullName} has no constructor taking IReadOnlyDictionary<string, string>, got {string.Join(", ", settings.Keys)}");
        }

        try
        {
            return (IBridgeBackend)(withSettings is not null ? withSettings.Invoke([settings]) : without!.Invoke(null));
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            var key = withSettings is not null ? "settings" : "type";
            throw new BackendConfigurationException(key, $"expected settings {type.FullName} accepts, got an error from its constructor: {FirstLine(inner.Message)}", inner);
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
