using System.Net;
using PingActors.Node.Configuration;

namespace PingActors.Node.Hosting;

/// <summary>One listener the node opens: a feature's (it owns every path of it) or ops.</summary>
public sealed record ListenerSpec(string Name, string Key, ListenAddress Address)
{
    public const string Ops = "ops";

    /// <summary>Two listeners on one port would compete for it: the later one is an error naming its key.</summary>
    public static void CheckDistinct(IReadOnlyList<ListenerSpec> listeners, LoadedConfig loaded)
    {
        for (var i = 0; i < listeners.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var (a, b) = (listeners[j].Address, listeners[i].Address);
                var sameSocketFile = a.UnixSocket is not null && a.UnixSocket == b.UnixSocket;
                if (sameSocketFile || a.UnixSocket is null && b.UnixSocket is null && a.Port != 0 && a.Port == b.Port && (a.Address.Equals(b.Address) || IsAny(a) || IsAny(b)))
                {
                    throw new ConfigException($"{loaded.SourceOf(listeners[i].Key)}: {listeners[i].Key}: expected a different address than {listeners[j].Key}, got {b}");
                }
            }
        }
    }

    private static bool IsAny(ListenAddress a) => a.Address.Equals(IPAddress.Any) || a.Address.Equals(IPAddress.IPv6Any);
}
