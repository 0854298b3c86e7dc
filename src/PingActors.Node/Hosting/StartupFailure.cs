using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using PingActors.Node.Configuration;

namespace PingActors.Node.Hosting;

/// <summary>A listener's address is taken, found before the node starts anything.</summary>
public sealed class ListenAddressInUseException(string key, ListenAddress address, Exception inner)
    : IOException($"Failed to bind to address {address}: address already in use.", inner)
{
    public string Key { get; } = key;

    public ListenAddress Address { get; } = address;
}

/// <summary>Turns an exception from starting the node into the one line printed on stderr.</summary>
public static class StartupFailure
{
    private const string AkkaPortKey = "akka.remote.dot-netty.tcp.port";

    public static string Describe(Exception e, LoadedConfig config, NodeSetup setup)
    {
        var chain = Flatten(e).ToList();
        if (chain.OfType<ListenAddressInUseException>().FirstOrDefault() is { } inUse)
        {
            return InUse(config, inUse.Key, inUse.Address);
        }

        if (chain.Any(IsAddressInUse))
        {
            // Akka remoting wraps its bind failure in RemoteTransportException; Kestrel throws IOException
            // with AddressInUseException inside. Name the key to change, as config errors do.
            if (chain.Any(x => x.GetType().FullName == "Akka.Remote.RemoteTransportException"))
            {
                var host = config.Config.GetString("akka.remote.dot-netty.tcp.hostname", "127.0.0.1");
                var port = config.Config.GetInt(AkkaPortKey, 0);
                return $"{config.SourceOf(AkkaPortKey)}: {AkkaPortKey}: expected a free port, got {host}:{port}, which is already in use (is another node running?)";
            }

            var message = chain.First(x => x is IOException).Message;
            foreach (var (_, key, address) in setup.Listeners)
            {
                if (address.Port != 0 && message.Contains($":{address.Port}", StringComparison.Ordinal))
                {
                    return InUse(config, key, address);
                }
            }

            return "cannot listen: " + FirstLine(message);
        }

        var root = chain[^1];
        return $"the node failed to start: {root.GetType().Name}: {FirstLine(root.Message)}";
    }

    private static string InUse(LoadedConfig config, string key, ListenAddress address) =>
        $"{config.SourceOf(key)}: {key}: expected a free address, got {address}, which is already in use (is another node running?)";

    private static bool IsAddressInUse(Exception e) =>
        e is AddressInUseException || e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse };

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        yield return e;
        var inner = e is AggregateException aggregate ? aggregate.InnerExceptions : e.InnerException is { } one ? [one] : (IEnumerable<Exception>)[];
        foreach (var child in inner)
        {
            foreach (var x in Flatten(child))
            {
                yield return x;
            }
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
