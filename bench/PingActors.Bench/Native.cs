using System.Runtime.InteropServices;

namespace PingActors.Bench;

/// <summary>Raises the soft open-file limit to the hard limit (Linux setrlimit).</summary>
internal static partial class Native
{
    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Cur;
        public ulong Max;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit rlim);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit rlim);

    /// <summary>Returns (soft, hard) after the attempt.</summary>
    public static (ulong Soft, ulong Hard) RaiseOpenFileLimit()
    {
        if (!OperatingSystem.IsLinux() || getrlimit(RlimitNofile, out var lim) != 0)
        {
            return (0, 0);
        }

        if (lim.Cur < lim.Max)
        {
            var raised = new RLimit { Cur = lim.Max, Max = lim.Max };
            if (setrlimit(RlimitNofile, raised) == 0)
            {
                lim = raised;
            }
        }

        return (lim.Cur, lim.Max);
    }
}
