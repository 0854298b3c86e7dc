using Akka.Configuration;
using PingActors.Node.Configuration;

namespace PingActors.Tests.Configuration;

/// <summary>kuiperbelt config files written to a directory of their own, and the node's view of them.</summary>
internal sealed class KuiperbeltSpecFiles : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kuiperbelt-specs-").FullName;

    public string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Loads the command line with <paramref name="environment"/> as the only environment variables.</summary>
    public static LoadedConfig Load(string[] args, IReadOnlyDictionary<string, string>? environment = null) =>
        ConfigLoader.Load(CommandLine.Parse(args), name => environment?.GetValueOrDefault(name));

    public static ConfigException LoadFails(string[] args, IReadOnlyDictionary<string, string>? environment = null) =>
        Assert.Throws<ConfigException>(() => Load(args, environment));

    public static Dictionary<string, string> Headers(Config config) =>
        config.GetConfig("pingactors.proxy.proxy-set-header")?.Root.GetObject().Items.ToDictionary(i => i.Key, i => i.Value.GetString())
        ?? [];

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
