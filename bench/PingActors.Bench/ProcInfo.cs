using System.Globalization;
using System.Net;

namespace PingActors.Bench;

/// <summary>What /proc says about the server under test.</summary>
internal static class ProcInfo
{
    private static readonly long ClockTicks = 100; // USER_HZ on Linux

    /// <summary>
    /// A field of /proc/PID/status in KiB (VmRSS, VmHWM, ...), or -1; summed over the process and its
    /// descendants (nginx: master + workers; the node and Baseline have none).
    /// </summary>
    public static long StatusKb(int pid, string field)
    {
        long sum = -1;
        foreach (var p in WithDescendants(pid))
        {
            var v = OwnStatusKb(p, field);
            if (v >= 0)
            {
                sum = Math.Max(sum, 0) + v;
            }
        }

        return sum;
    }

    /// <summary>The process and its descendants (from the ppid field of /proc/*/stat), the process first.</summary>
    public static List<int> WithDescendants(int pid)
    {
        var result = new List<int> { pid };
        var parents = new Dictionary<int, List<int>>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var child))
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var ppid = int.Parse(f[1], CultureInfo.InvariantCulture);
                    if (!parents.TryGetValue(ppid, out var list))
                    {
                        parents[ppid] = list = [];
                    }

                    list.Add(child);
                }
                catch (Exception)
                {
                    // exited meanwhile
                }
            }
        }
        catch (Exception)
        {
            return result;
        }

        for (var i = 0; i < result.Count && result.Count < 1000; i++)
        {
            if (parents.TryGetValue(result[i], out var kids))
            {
                result.AddRange(kids);
            }
        }

        return result;
    }

    private static long OwnStatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var parts = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>
    /// Bytes sent over the loopback interface so far (<c>/proc/net/dev</c>, <c>lo</c>'s transmit counter):
    /// everything on the wire between tool and node, TCP/IP headers included, both directions; -1 if unknown.
    /// </summary>
    public static long LoopbackBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/net/dev"))
            {
                var colon = line.IndexOf(':');
                if (colon > 0 && line[..colon].Trim() == "lo")
                {
                    // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit: bytes ...
                    var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(fields[8], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    public static int Threads(int pid) => (int)StatusKb(pid, "Threads");

    /// <summary>utime + stime of a process and its descendants, from /proc/PID/stat.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var sum = TimeSpan.Zero;
        foreach (var p in WithDescendants(pid))
        {
            sum += OwnCpuTime(p);
        }

        return sum;
    }

    private static TimeSpan OwnCpuTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterComm = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields from 3 (state) on: utime is field 14, stime 15 -> index 11, 12 here
            var ticks = long.Parse(afterComm[11], CultureInfo.InvariantCulture) + long.Parse(afterComm[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / (double)ClockTicks);
        }
        catch (Exception)
        {
            return TimeSpan.Zero;
        }
    }

    public static bool Alive(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>The PID of the process listening on a TCP port (via /proc/net/tcp inodes and /proc/*/fd), or null.</summary>
    public static int? FindListener(int port)
    {
        var inodes = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || f[3] != "0A")
                {
                    continue;
                }

                var local = f[1];
                var p = int.Parse(local[(local.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (p == port)
                {
                    inodes.Add("socket:[" + f[9] + "]");
                }
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && inodes.Contains(target))
                    {
                        return pid;
                    }
                }
            }
            catch (Exception)
            {
                // other users' processes, processes that just exited
            }
        }

        return null;
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static (int Low, int High) EphemeralPortRange()
    {
        try
        {
            var f = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture));
        }
        catch (Exception)
        {
            return (32768, 60999);
        }
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var a) && IPAddress.IsLoopback(a));
}
