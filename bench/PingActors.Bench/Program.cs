using PingActors.Bench;

// Socket completions run on the runtime's epoll threads instead of hopping to the thread pool: the
// subscribers' work per read is a few spans parsed, and the hop (a work item, a thread woken) cost more
// than that: tool CPU per delivery in fanout on Baseline went from 4.8-5.2 to 2.1-3.5 us, in channels from
// 11.6-11.7 to 8.8-10.5 us (docs/benchmarks.md). The runtime reads it once, when the first socket
// registers, so it must be set before any socket exists; a value from the environment wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

try
{
    var options = Options.Parse(args);
    if (options.Help || options.Scenario.Length == 0)
    {
        Console.WriteLine(Options.Usage);
        return options.Help ? 0 : 2;
    }

    options.CheckNames();
    return options.Scenario switch
    {
        "idle" => await Idle.RunAsync(options),
        "fanout" => await Fanout.RunAsync(options),
        "sse-fanout" => await SseFanout.RunAsync(options),
        "channels" => await Channels.RunAsync(options),
        "ws-publish" => await WsPublish.RunAsync(options),
        "recover" => await Recover.RunAsync(options),
        "slowloris" => await Slowloris.RunAsync(options),
        "send" => await Send.RunAsync(options),
        "proxy-connect" => await ProxyConnect.RunAsync(options),
        "bridge-echo" => await BridgeEcho.RunAsync(options),
        _ => throw new ArgumentException($"unknown scenario '{options.Scenario}' (idle, fanout, sse-fanout, channels, ws-publish, recover, slowloris, send, proxy-connect, bridge-echo)"),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

namespace PingActors.Bench
{
    internal static partial class Program
    {
        public static void CheckUnused(Options o)
        {
            var unused = o.Unused.ToList();
            if (unused.Count > 0)
            {
                throw new ArgumentException("unknown option(s): " + string.Join(", ", unused.Select(u => "--" + u)));
            }
        }
    }
}
