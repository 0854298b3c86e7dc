using System.Net;
using System.Net.Sockets;
using PingActors.Node.Configuration;

namespace PingActors.Node.Hosting;

/// <summary>
/// Finds a listener's port taken before anything starts: hosted services (the ActorSystem among them) start
/// before Kestrel binds, so a port in use would otherwise only show after the node had joined its cluster.
/// </summary>
public static class PortProbe
{
    public static void EnsureFree(string key, ListenAddress address)
    {
        if (address.Port == 0)
        {
            return;
        }

        // Same socket options as Kestrel's listen socket (SO_REUSEADDR on Unix), so a port held only by
        // TIME_WAIT connections of a previous run passes here as it does there. Still racy, so Kestrel's
        // own bind failure is handled too (StartupFailure).
        using var probe = new Socket(address.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (!OperatingSystem.IsWindows())
        {
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }

        try
        {
            probe.Bind(new IPEndPoint(address.Address, address.Port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new ListenAddressInUseException(key, address, e);
        }
    }
}
