using System.Runtime.InteropServices;

namespace PingActors.Node.Hosting;

/// <summary>
/// Every socket is a file descriptor. The node raises its soft open-file limit to the hard limit at start
/// (as Go's runtime does), and caps Kestrel's connections below it: a process that runs out of
/// descriptors cannot even accept to refuse, and Kestrel's accept loop then spins on EMFILE
/// (measured: RSS grew by ~400 MB in 10 s until the runtime died with "Out of memory").
/// </summary>
public static partial class OpenFileLimit
{
    /// <summary>Descriptors kept for everything that is not a client connection: outgoing cluster links, files, new assemblies.</summary>
    public const int Reserve = 128;

    private const int RlimitNofile = 7;

    /// <summary>Raises the soft limit to the hard one; returns the soft limit in force (null where unknown).</summary>
    public static long? Raise()
    {
        if (!OperatingSystem.IsLinux() || getrlimit(RlimitNofile, out var limit) != 0)
        {
            return null;
        }

        if (limit.Current < limit.Maximum && setrlimit(RlimitNofile, new RLimit { Current = limit.Maximum, Maximum = limit.Maximum }) == 0)
        {
            limit.Current = limit.Maximum;
        }

        return limit.Current > long.MaxValue ? long.MaxValue : (long)limit.Current;
    }

    /// <summary>How many client connections fit: the limit, less what is open now (assemblies, listeners), less <see cref="Reserve"/>.</summary>
    public static long? ConnectionBudget(long? softLimit)
    {
        if (softLimit is null || !Directory.Exists("/proc/self/fd"))
        {
            return null;
        }

        var open = Directory.GetFileSystemEntries("/proc/self/fd").Length;
        return Math.Max(1, softLimit.Value - open - Reserve);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
