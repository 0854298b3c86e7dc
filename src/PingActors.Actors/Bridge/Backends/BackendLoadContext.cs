using System.Reflection;
using System.Runtime.Loader;

namespace PingActors.Actors.Bridge.Backends;

/// <summary>
/// Loads a backend's assembly, and those of its dependencies the node lacks, from the backend's directory.
/// Every assembly the node has (PingActors.Actors above all) comes from the node: a backend holding its own
/// copy of PingActors.Actors would implement an <see cref="IBridgeBackend"/> the node does not recognise.
/// </summary>
internal sealed class BackendLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    public BackendLoadContext(string assemblyPath)
        : base("bridge-backend:" + Path.GetFileName(assemblyPath))
    {
        _resolver = new AssemblyDependencyResolver(assemblyPath);

        // Asked only once the node's own context could not load the name (Load below defers to it).
        Resolving += LoadOwnDependency;
    }

    // null: the node's (default) context loads the name when it can; otherwise Resolving runs.
    protected override Assembly? Load(AssemblyName assemblyName) => null;

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only used where dynamic code runs (BackendFactory checks).")]
    private Assembly? LoadOwnDependency(AssemblyLoadContext context, AssemblyName name) =>
        _resolver.ResolveAssemblyToPath(name) is { } path ? context.LoadFromAssemblyPath(path) : null;

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
