using System.Reflection;
using Akka.Configuration;

namespace PingActors.Node.Configuration;

/// <summary>One place a configuration came from, kept so an error can name the file that set a bad key.</summary>
public sealed record ConfigSource(string Name, Config Config);

/// <summary>The merged configuration and the sources it was merged from (last wins).</summary>
public sealed record LoadedConfig(Config Config, IReadOnlyList<ConfigSource> Sources)
{
    /// <summary>Names the last source that sets <paramref name="key"/>.</summary>
    public string SourceOf(string key)
    {
        for (var i = Sources.Count - 1; i >= 0; i--)
        {
            if (Sources[i].Config.HasPath(key))
            {
                return Sources[i].Name;
            }
        }

        return "built-in reference.conf";
    }
}

/// <summary>Loads the embedded reference.conf, then the --config files in order, then the --set overrides.</summary>
public static class ConfigLoader
{
    public const string ReferenceName = "built-in reference.conf";

    public static string ReferenceText()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("PingActors.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static LoadedConfig Load(CommandLine commandLine)
    {
        var sources = new List<ConfigSource> { new(ReferenceName, ConfigurationFactory.ParseString(ReferenceText())) };
        foreach (var file in commandLine.ConfigFiles)
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                throw new ConfigException($"{file}: config file not found");
            }

            sources.Add(new ConfigSource(path, Parse(File.ReadAllText(path), path)));
        }

        foreach (var (key, value) in commandLine.Overrides)
        {
            var name = $"--set {key}";
            sources.Add(new ConfigSource(name, Parse($"{key} = {AsHoconValue(value)}", name)));
        }

        var merged = sources[0].Config;
        for (var i = 1; i < sources.Count; i++)
        {
            merged = sources[i].Config.WithFallback(merged);
        }

        return new LoadedConfig(merged, sources);
    }

    private static Config Parse(string text, string name)
    {
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e)
        {
            var reason = e.Message.Split('\n')[0].Trim();
            throw new ConfigException($"{name}: not valid HOCON: {reason}");
        }
    }

    // --set values are taken as HOCON when they are lists, objects, quoted strings, numbers or booleans;
    // anything else (a host:port, a URL) is a plain string and gets quoted for the user.
    private static string AsHoconValue(string value)
    {
        if (value.Length == 0)
        {
            return "\"\"";
        }

        if (value[0] is '[' or '{' or '"' || value is "true" or "false" or "on" or "off" || double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return value;
        }

        return CommandLine.Quote(value);
    }
}
