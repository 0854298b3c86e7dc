using System.Reflection;
using Akka.Configuration;
using PingActors.Node.Configuration.Kuiperbelt;
using PingActors.Node.Configuration.Websocksy;
using PingActors.Node.Configuration.Wsaas;

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

/// <summary>
/// Loads the embedded reference.conf, then a kuiperbelt YAML file, a websocksy config file and --wsaas's environment if given, then the
/// --config files in order, then the --set overrides: a HOCON file or a flag still changes what those files set.
/// </summary>
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

    public static LoadedConfig Load(CommandLine commandLine) => Load(commandLine, Environment.GetEnvironmentVariable);

    /// <param name="environment">Where <c>${VAR}</c> substitutions and --wsaas's variables are looked up (the process environment in production).</param>
    public static LoadedConfig Load(CommandLine commandLine, Func<string, string?> environment)
    {
        var sources = new List<ConfigSource> { new(ReferenceName, ConfigurationFactory.ParseString(ReferenceText())) };
        if (commandLine.KuiperbeltFile is { } kuiperbelt)
        {
            sources.Add(KuiperbeltConfig.Load(kuiperbelt, environment));
        }

        if (commandLine.WebsocksyFile is { } websocksy)
        {
            sources.Add(WebsocksyConfig.Load(websocksy));
        }

        if (commandLine.Wsaas)
        {
            sources.Add(WsaasEnvironment.Load(environment));
        }

        foreach (var file in commandLine.ConfigFiles)
        {
            var path = Path.GetFullPath(file);
            sources.Add(new ConfigSource(path, Parse(ReadFile("--config", file, path, "a readable HOCON file"), path, isFile: true, environment)));
        }

        foreach (var (key, value, option) in commandLine.Overrides)
        {
            sources.Add(new ConfigSource(option, Parse($"{key} = {AsHoconValue(value)}", option, isFile: false, environment)));
        }

        var merged = sources[0].Config;
        for (var i = 1; i < sources.Count; i++)
        {
            merged = sources[i].Config.WithFallback(merged);
        }

        return new LoadedConfig(merged, sources);
    }

    internal static string ReadFile(string option, string file, string path, string expected)
    {
        var problem = Directory.Exists(path) ? "a directory" : !File.Exists(path) ? "nothing" : null;
        if (problem is null)
        {
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = "a file that cannot be read (" + e.Message.Split('\n')[0].Trim() + ")";
            }
        }

        throw new ConfigException($"command line: {option} {file}: expected {expected}, got {problem} at {path}");
    }

    private static Config Parse(string text, string name, bool isFile, Func<string, string?> environment)
    {
        try
        {
            // Akka's parser accepts broken structure silently and knows no environment variables; see HoconSyntax.
            text = HoconSyntax.Prepare(text, environment);
        }
        catch (HoconSyntaxException e)
        {
            var where = isFile ? $"{name}:{e.Line}" : name;
            var key = e.Key is null ? string.Empty : $" {e.Key}:";
            throw new ConfigException($"{where}:{key} expected {e.Expected}, got {e.Got}");
        }

        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e)
        {
            var reason = e.Message.Split('\n')[0].Trim();
            throw new ConfigException($"{name}: expected valid HOCON, got an error from the parser: {reason}");
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

        return HoconString.Quote(value);
    }
}
