using PingActors.Node.Configuration.Kuiperbelt;

namespace PingActors.Node.Configuration;

/// <summary>One key set on the command line, and the option that set it (named in errors: "--set", "-addr", ...).</summary>
public sealed record Override(string Key, string Value, string Option);

/// <summary>
/// The node's command line: config files and overrides, plus Pinghub's and kuiperbelt's (ekbo's) own flags so
/// their command lines work unchanged.
/// </summary>
/// <param name="KuiperbeltFile">A kuiperbelt YAML config (--kuiperbelt-config, or -config with a .yml/.yaml file), or null.</param>
/// <param name="WebsocksyFile">A websocksy config file (--websocksy-config), or null.</param>
/// <param name="Wsaas">--wsaas: WSaaS's face on, its keys from WSaaS's environment variables.</param>
public sealed record CommandLine(IReadOnlyList<string> ConfigFiles, IReadOnlyList<Override> Overrides, bool ShowHelp, string? KuiperbeltFile = null, string? WebsocksyFile = null, bool Wsaas = false)
{
    private const string Options = "--config, --set, --seed, --port, --hostname, --public-hostname, --help, -addr, -origin, -mport, --kuiperbelt-config, --websocksy-config, --wsaas, -sock, -log-level, -gops-addr";

    public const string Usage = """
        Usage: PingActors.Node [options]

        Runs a PingActors node on the embedded default configuration (hocon/reference.conf), changed by:
          --config FILE        HOCON file to load; repeatable, later files win
          --set KEY=VALUE      override one key (e.g. --set pingactors.hub.listen=0.0.0.0:8080); repeatable, wins over files
          --help, -h           show this text

        Cluster (see README, "Running a cluster"):
          --seed HOST:PORT     a seed node's remoting address; repeatable; list every seed on every node,
                               spelled exactly as that node's --hostname (127.0.0.1 and localhost differ)
          --port N             this node's remoting port (akka.remote.dot-netty.tcp.port)
          --hostname H         address remoting binds to (default 127.0.0.1)
          --public-hostname H  address other nodes use to reach this one (needed with --hostname 0.0.0.0)

        Config files may use environment variables, e.g. listen = ${?PINGACTORS_HUB_LISTEN}
        (unset: the key keeps its earlier value); ${VAR} without '?' must be set.

        Pinghub's flags are accepted too, so a Pinghub command line works unchanged:
          -addr HOST:PORT      same as --set pingactors.hub.listen=HOST:PORT (":8081" means all interfaces)
          -origin URL          same as --set pingactors.hub.allowed-origins=[URL]
          -mport PORT          same as --set pingactors.ops.listen=127.0.0.1:PORT

        kuiperbelt's config and ekbo's flags are accepted too (README, "Drop-in for kuiperbelt users"):
          --kuiperbelt-config FILE  kuiperbelt's YAML config, {{ env }} and {{ must_env }} included, read into
                               pingactors.proxy; the node then runs the proxy alone. --config and -config take
                               a kuiperbelt config too when FILE ends in .yml or .yaml
          -port N              with a kuiperbelt config: the proxy's port, on all interfaces (as ekbo);
                               without one, -port stays --port, the remoting port (with one, set that by
                               --set akka.remote.dot-netty.tcp.port=N)
          -sock PATH           with a kuiperbelt config: the proxy on a unix socket (not with -port)
          -log-level L         with a kuiperbelt config: debug, info, warn or error (pingactors.log.level)
          -gops-addr ADDR      with a kuiperbelt config: accepted and ignored (there is no gops agent)

        websocksy's config file is accepted too (README, "Drop-in for websocksy users"):
          --websocksy-config FILE   websocksy's [core]/[backend] file, read into pingactors.bridge; the node
                               then runs the bridge alone. websocksy's -p/-l/-k/-b/-c flags map to --set keys

        WSaaS's environment is accepted too (README, "WSaaS face"):
          --wsaas              WSaaS's face of the proxy on (pingactors.wsaas), the hub off; its keys from
                               WS_PORT, HTTP_PORT, TARGET_ADDRESS (API_URI), LOCAL_ADDRESS (WS_HOSTNAME),
                               MAX_PAGE, WS_TIMEOUT and LOG_LEVEL where set

        Every key, with its default and meaning, is in hocon/reference.conf.
        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var files = new List<string>();
        var overrides = new List<Override>();
        var seeds = new List<string>();
        var help = false;
        string? kuiperbelt = null;
        string? websocksy = null;
        var wsaas = false;

        // ekbo's flags mean something only beside a kuiperbelt config, which may come later on the line; each
        // is placed among the overrides where it stood once the whole line is read.
        var ekboFlags = new List<EkboFlag>();
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
                    throw new ConfigException($"command line: {name}: expected a value after it, got the end of the command line (see --help)");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--help" or "-h" or "-help":
                    help = true;
                    break;
                case "--config" or "-config":
                    var file = Value();
                    if (IsYaml(file))
                    {
                        kuiperbelt = OnlyKuiperbeltFile(kuiperbelt, name, file);
                    }
                    else
                    {
                        files.Add(file);
                    }

                    break;
                case "--kuiperbelt-config" or "-kuiperbelt-config":
                    kuiperbelt = OnlyKuiperbeltFile(kuiperbelt, name, Value());
                    break;
                case "--websocksy-config" or "-websocksy-config":
                    var websocksyFile = Value();
                    websocksy = websocksy is null ? websocksyFile : throw new ConfigException($"command line: {name} {websocksyFile}: expected one websocksy config, got a second one after {websocksy}");
                    break;
                case "--wsaas" or "-wsaas":
                    wsaas = true;
                    break;
                case "--sock" or "-sock" or "--log-level" or "-log-level" or "--gops-addr" or "-gops-addr":
                    ekboFlags.Add(new(name, Value(), overrides.Count));
                    break;
                case "--set" or "-set":
                    overrides.Add(ParseOverride(Value()));
                    break;
                case "-addr" or "--addr":
                    overrides.Add(new("pingactors.hub.listen", PinghubAddress(Value()), name));
                    break;
                case "-origin" or "--origin":
                    overrides.Add(new("pingactors.hub.allowed-origins", "[" + HoconString.Quote(Value()) + "]", name));
                    break;
                case "-mport" or "--mport":
                    overrides.Add(new("pingactors.ops.listen", "127.0.0.1:" + Value(), name));
                    break;
                case "--seed" or "-seed":
                    seeds.Add(SeedAddress(Value()));
                    break;
                case "--port" or "-port":
                    ekboFlags.Add(new(name, Value(), overrides.Count));
                    break;
                case "--hostname" or "-hostname":
                    overrides.Add(new("akka.remote.dot-netty.tcp.hostname", Value(), name));
                    break;
                case "--public-hostname" or "-public-hostname":
                    overrides.Add(new("akka.remote.dot-netty.tcp.public-hostname", Value(), name));
                    break;
                default:
                    throw new ConfigException($"command line: {args[i]}: expected one of {Options} (see --help), got an unknown option");
            }
        }

        if (seeds.Count > 0)
        {
            overrides.Add(new("akka.cluster.seed-nodes", "[" + string.Join(", ", seeds.Select(HoconString.Quote)) + "]", "--seed"));
        }

        EkboFlags.Place(ekboFlags, overrides, kuiperbelt is not null);
        return new CommandLine(files, overrides, help, kuiperbelt, websocksy, wsaas);
    }

    private static bool IsYaml(string file) =>
        file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase);

    private static string OnlyKuiperbeltFile(string? earlier, string option, string file) => earlier is null
        ? file
        : throw new ConfigException($"command line: {option} {file}: expected one kuiperbelt config, got a second one after {earlier}");

    /// <summary>A seed given as host:port (or a full akka.tcp:// address) as Akka spells it.</summary>
    internal static string SeedAddress(string seed)
    {
        if (seed.StartsWith("akka.tcp://", StringComparison.Ordinal))
        {
            return seed;
        }

        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var port) || port is < 1 or > 65535)
        {
            throw new ConfigException($"command line: --seed: expected HOST:PORT of a node's remoting endpoint (e.g. 127.0.0.1:4053), got \"{seed}\"");
        }

        return $"akka.tcp://{ClusterChecks.SystemName}@{seed}";
    }

    private static (string Name, string? Value) Split(string arg)
    {
        // Go's flag package accepts -name=value and --name=value; so do we.
        if (arg.StartsWith('-') && arg.IndexOf('=') is var eq and > 0)
        {
            return (arg[..eq], arg[(eq + 1)..]);
        }

        return (arg, null);
    }

    private static Override ParseOverride(string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0 || text[..eq].Trim().Length == 0)
        {
            throw new ConfigException($"command line: --set {text}: expected KEY=VALUE, got {(eq < 0 ? "no '='" : "no key")}");
        }

        return new(text[..eq].Trim(), text[(eq + 1)..].Trim(), "--set");
    }

    private static string PinghubAddress(string addr) => addr.StartsWith(':') ? "0.0.0.0" + addr : addr;
}
