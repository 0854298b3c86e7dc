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
        if (address.UnixSocket is { } path)
        {
            EnsureSocketFileFree(key, address, path);
            return;
        }

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

    // A socket file left by a process that is gone would fail the bind: it is removed when nothing answers
    // on it; one something still listens on is in use, as a taken port is.
    private static void EnsureSocketFileFree(string key, ListenAddress address, string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            File.Delete(path);
            return;
        }

        throw new ListenAddressInUseException(key, address, new SocketException((int)SocketError.AddressAlreadyInUse));
    }
}
