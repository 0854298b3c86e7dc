namespace PingActors.Node.Configuration;

/// <summary>The node's command line: config files and overrides, plus Pinghub's own flags so its command lines work unchanged.</summary>
public sealed record CommandLine(IReadOnlyList<string> ConfigFiles, IReadOnlyList<KeyValuePair<string, string>> Overrides, bool ShowHelp)
{
    public const string Usage = """
        Usage: PingActors.Node [options]

        Runs a PingActors node on the embedded default configuration (hocon/reference.conf), changed by:
          --config FILE        HOCON file to load; repeatable, later files win
          --set KEY=VALUE      override one key (e.g. --set pingactors.hub.listen=0.0.0.0:8080); repeatable, wins over files
          --help, -h           show this text

        Pinghub's flags are accepted too, so a Pinghub command line works unchanged:
          -addr HOST:PORT      same as --set pingactors.hub.listen=HOST:PORT (":8081" means all interfaces)
          -origin URL          same as --set pingactors.hub.allowed-origins=[URL]
          -mport PORT          same as --set pingactors.ops.listen=127.0.0.1:PORT

        Every key, with its default and meaning, is in hocon/reference.conf.
        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var files = new List<string>();
        var overrides = new List<KeyValuePair<string, string>>();
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = Split(args[i]);
            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count)
                {
                    throw new ConfigException($"command line: {name} needs a value (see --help)");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--help" or "-h" or "-help":
                    help = true;
                    break;
                case "--config" or "-config":
                    files.Add(Value());
                    break;
                case "--set" or "-set":
                    overrides.Add(ParseOverride(Value()));
                    break;
                case "-addr" or "--addr":
                    overrides.Add(new("pingactors.hub.listen", PinghubAddress(Value())));
                    break;
                case "-origin" or "--origin":
                    overrides.Add(new("pingactors.hub.allowed-origins", "[" + Quote(Value()) + "]"));
                    break;
                case "-mport" or "--mport":
                    overrides.Add(new("pingactors.ops.listen", "127.0.0.1:" + Value()));
                    break;
                default:
                    throw new ConfigException($"command line: unknown option {args[i]} (see --help)");
            }
        }

        return new CommandLine(files, overrides, help);
    }

    internal static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    private static (string Name, string? Value) Split(string arg)
    {
        // Go's flag package accepts -name=value and --name=value; so do we.
        if (arg.StartsWith('-') && arg.IndexOf('=') is var eq and > 0)
        {
            return (arg[..eq], arg[(eq + 1)..]);
        }

        return (arg, null);
    }

    private static KeyValuePair<string, string> ParseOverride(string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0)
        {
            throw new ConfigException($"command line: --set {text}: expected KEY=VALUE");
        }

        return new(text[..eq].Trim(), text[(eq + 1)..].Trim());
    }

    private static string PinghubAddress(string addr) => addr.StartsWith(':') ? "0.0.0.0" + addr : addr;
}
