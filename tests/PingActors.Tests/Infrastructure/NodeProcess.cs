using System.Diagnostics;
using OsProcess = System.Diagnostics.Process;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace PingActors.Tests.Infrastructure;

/// <summary>A finished run of the node: exit code, how long it ran, and what it printed.</summary>
public sealed record NodeRun(int ExitCode, TimeSpan Elapsed, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr, string Transcript);

/// <summary>What to start: the node's own arguments plus the environment of the child process.</summary>
public sealed record NodeProcessOptions
{
    /// <summary><c>key=value</c> overrides, each passed as <c>--set key=value</c> after the defaults below.</summary>
    public IReadOnlyList<string> Sets { get; init; } = [];

    /// <summary>Files passed as <c>--config FILE</c>, in order.</summary>
    public IReadOnlyList<string> ConfigFiles { get; init; } = [];

    /// <summary>Arguments appended as they are (e.g. Pinghub's <c>-addr</c>).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>Environment variables set (or, with a null value, removed) for the child only.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Hub and ops listeners on ephemeral loopback ports unless the test passes its own.</summary>
    public bool EphemeralListeners { get; init; } = true;

    /// <summary>Akka remoting port; 0 (ephemeral) suits a single node, a cluster needs fixed ones (see <see cref="NodeProcess.FreeTcpPort"/>).</summary>
    public int AkkaPort { get; init; }

    /// <summary>Seed node ports on 127.0.0.1 (empty: the node joins itself).</summary>
    public IReadOnlyList<int> SeedPorts { get; init; } = [];

    /// <summary>
    /// Wait for "node is Up in the cluster" too, not just for both listeners. Both lines are logged at
    /// information level, so pingactors.log.level must stay at information (the default) or below.
    /// </summary>
    public bool WaitForUp { get; init; } = true;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Start <c>dotnet PingActors.Node.dll</c> even when <see cref="NodeProcess.NativeNode"/> names a native
    /// build: a JIT node next to native ones (a mixed cluster, as in a rolling change of build).
    /// </summary>
    public bool Jit { get; init; }

    public static string SeedAddress(int port) => $"akka.tcp://PingActors@127.0.0.1:{port}";

    /// <summary>The full command line given to the node.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var args = new List<string>();
        foreach (var file in ConfigFiles)
        {
            args.Add("--config");
            args.Add(file);
        }

        // Before the test's own --set so a test can still override them (later --set wins).
        if (EphemeralListeners)
        {
            args.AddRange(["--set", "pingactors.hub.listen=127.0.0.1:0", "--set", "pingactors.ops.listen=127.0.0.1:0"]);
        }

        if (AkkaPort != 0)
        {
            args.AddRange(["--set", $"akka.remote.dot-netty.tcp.port={AkkaPort}"]);
        }

        if (SeedPorts.Count > 0)
        {
            args.AddRange(["--set", "akka.cluster.seed-nodes=[" + string.Join(", ", SeedPorts.Select(p => "\"" + SeedAddress(p) + "\"")) + "]"]);
        }

        foreach (var set in Sets)
        {
            args.Add("--set");
            args.Add(set);
        }

        args.AddRange(ExtraArgs);
        return args;
    }
}

/// <summary>
/// The real node as a separate OS process (<c>dotnet PingActors.Node.dll ...</c>): output captured line
/// by line, listener URIs parsed from the start-up log, stopped with a real signal, always killed on dispose.
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    private readonly Dictionary<string, Uri> _listeners = new(StringComparer.Ordinal);

    private readonly OsProcess _process;
    private readonly object _gate = new();
    private readonly List<(DateTime At, string Line)> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(OsProcess process, IReadOnlyList<string> arguments, string? native)
    {
        _process = process;
        Arguments = arguments;
        Native = native;
    }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The native executable this node runs, or null for <c>dotnet PingActors.Node.dll</c>.</summary>
    public string? Native { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public Uri? HubUri { get; private set; }

    public Uri? OpsUri { get; private set; }

    /// <summary>Where the listener <paramref name="name"/> (hub, ops, proxy, ...) is, from its start-up line.</summary>
    public Uri ListenerUri(string name)
    {
        lock (_gate)
        {
            return _listeners.TryGetValue(name, out var uri) ? uri : throw new InvalidOperationException($"no '{name}' listener line\n" + Transcript);
        }
    }

    /// <summary>The node's cluster address, from the "is Up in the cluster as" line.</summary>
    public string? AkkaAddress { get; private set; }

    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return _stdout.Select(l => l.Line).ToList();
            }
        }
    }

    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToList();
            }
        }
    }

    /// <summary>Everything the node printed, for assertion messages.</summary>
    public string Transcript => $"command: {Native ?? "dotnet PingActors.Node.dll"} {string.Join(' ', Arguments)}\n--- stderr ---\n{string.Join('\n', StderrLines)}\n--- stdout (last 60 lines) ---\n{string.Join('\n', StdoutLines.TakeLast(60))}";

    /// <summary>A WebSocket URI on the hub listener.</summary>
    public Uri WsUri(string path) => new($"ws://{HubUri!.Authority}{path}");

    /// <summary>An HTTP URI on the hub listener.</summary>
    public Uri HttpUri(string path) => new($"http://{HubUri!.Authority}{path}");

    /// <summary>Path of the node's dll: the copy next to this test assembly, else the node project's own output.</summary>
    public static string NodeDll { get; } = FindNodeDll();

    /// <summary>
    /// A natively compiled node (<c>PublishAot</c>) to start instead of <c>dotnet PingActors.Node.dll</c>, from
    /// <c>PINGACTORS_NODE_EXE</c>; null when unset. <c>tests/run-native.sh</c> sets it to run the process and
    /// cluster specs against the native build.
    /// </summary>
    public static string? NativeNode { get; } = FindNativeNode();

    /// <summary>A TCP port that was free a moment ago (for Akka remoting or a fixed listener in a test).</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a node and waits (bounded) until its listeners are up and, by default, it is an Up cluster member.</summary>
    public static async Task<NodeProcess> StartAsync(NodeProcessOptions? options = null)
    {
        options ??= new NodeProcessOptions();
        if (options.Sets.Any(s => s.StartsWith("pingactors.log.level=", StringComparison.Ordinal) && !s.EndsWith("=trace", StringComparison.Ordinal) && !s.EndsWith("=debug", StringComparison.Ordinal) && !s.Contains("=info", StringComparison.Ordinal)))
        {
            throw new ArgumentException("readiness is read from information-level log lines; use akka.loglevel to quieten Akka instead", nameof(options));
        }

        var node = Launch(options.Arguments(), options.Environment, options.Jit);
        try
        {
            await node.WaitUntilReadyAsync(options.WaitForUp, options.StartTimeout);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the node with exactly <paramref name="args"/> and does not wait for anything: the native build
    /// if <see cref="NativeNode"/> names one and <paramref name="jit"/> is false, else <c>dotnet PingActors.Node.dll</c>.
    /// </summary>
    public static NodeProcess Launch(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null, bool jit = false)
    {
        var native = jit ? null : NativeNode;
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetDirectoryName(native ?? NodeDll)!,
        };

        // A process started with SIGINT ignored (any background job of a non-interactive shell, as CI
        // scripts and many runners are) passes that on to its children, and .NET then never sees Ctrl-C.
        // `env --default-signal` (coreutils >= 8.31) puts SIGINT back to default before exec'ing the node,
        // so the pid stays the node's own.
        if (SigIntIgnoredHere())
        {
            info.FileName = "env";
            info.ArgumentList.Add("--default-signal=INT,QUIT");
            info.ArgumentList.Add(native ?? DotnetHost());
        }
        else
        {
            info.FileName = native ?? DotnetHost();
        }

        if (native is null)
        {
            info.ArgumentList.Add(NodeDll);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Test runner variables would otherwise leak into the node (e.g. a startup hook or a different environment name).
        info.Environment.Remove("DOTNET_STARTUP_HOOKS");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = new OsProcess { StartInfo = info, EnableRaisingEvents = true };
        var node = new NodeProcess(process, args, native);
        process.OutputDataReceived += (_, e) => node.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnStderr(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Runs the node to completion with <paramref name="args"/>; kills it (and fails) if it does not exit in time.</summary>
    public static async Task<NodeRun> RunToExitAsync(IReadOnlyList<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var node = Launch(args, environment);
        var started = DateTime.UtcNow;
        var code = await node.WaitForExitAsync(timeout);
        return new NodeRun(code, DateTime.UtcNow - started, node.StdoutLines, node.StderrLines, node.Transcript);
    }

    /// <summary>Waits for the hub and ops lines (and the Up line if asked); fails early if the process exits.</summary>
    public async Task WaitUntilReadyAsync(bool waitForUp, TimeSpan timeout)
    {
        var listening = WaitForLineAsync(l => l.Contains("PingActors ops listening on ", StringComparison.Ordinal), timeout);
        var ready = waitForUp
            ? WaitForLineAsync(l => l.Contains("PingActors node is Up in the cluster as ", StringComparison.Ordinal), timeout)
            : listening;
        await ready;
        await listening;
        if (HubUri is null || OpsUri is null)
        {
            throw new InvalidOperationException("listener lines not parsed\n" + Transcript);
        }
    }

    /// <summary>Completes with the first stdout line (already seen or future) that matches; fails if the process exits first or on timeout.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _stdout.FirstOrDefault(l => match(l.Line)).Line;
            if (seen is not null)
            {
                return seen;
            }

            _waiters.Add((match, found));
        }

        var exited = WaitForOutputEndAsync();
        var winner = await Task.WhenAny(found.Task, exited, Task.Delay(timeout));
        if (winner == found.Task)
        {
            return await found.Task;
        }

        lock (_gate)
        {
            _waiters.RemoveAll(w => w.Found == found);
        }

        // A line printed just before exit still counts.
        if (found.Task.IsCompleted)
        {
            return await found.Task;
        }

        throw new TimeoutException((winner == exited ? $"node exited (code {ExitCode}) before the expected line\n" : $"expected line not printed within {timeout}\n") + Transcript);
    }

    /// <summary>Sends a real signal (SIGTERM by default), as systemd, Docker or Ctrl-C would.</summary>
    public void Signal(int signal = SIGTERM)
    {
        if (kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>kill -9: the process gets no chance to shut down (a crash, the OOM killer). Returns once it is gone.</summary>
    public async Task KillAsync(TimeSpan? timeout = null)
    {
        Signal(SIGKILL);
        await WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits for the process to exit and its output to be read to the end; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await WaitForOutputEndAsync().WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"node did not exit within {timeout}\n" + Transcript);
        }

        return _process.ExitCode;
    }

    /// <summary>Time at which a matching stdout line was read (the test's clock, not the node's).</summary>
    public IReadOnlyList<DateTime> LineTimes(Func<string, bool> match)
    {
        lock (_gate)
        {
            return _stdout.Where(l => match(l.Line)).Select(l => l.At).ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Never started, already gone, or stuck: nothing more a test can do about it.
        }

        _process.Dispose();
    }

    private Task WaitForOutputEndAsync() => Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task);

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            _stdoutClosed.TrySetResult();
            return;
        }

        line = AnsiEscape().Replace(line, string.Empty);
        List<TaskCompletionSource<string>> toComplete = [];
        lock (_gate)
        {
            _stdout.Add((DateTime.UtcNow, line));
            if (ListeningLine().Match(line) is { Success: true } m)
            {
                var uri = new Uri(m.Groups["uri"].Value);
                _listeners[m.Groups["which"].Value] = uri;
                if (m.Groups["which"].Value == "hub")
                {
                    HubUri = uri;
                }
                else
                {
                    OpsUri = uri;
                }
            }
            else if (UpLine().Match(line) is { Success: true } up)
            {
                AkkaAddress = up.Groups["address"].Value;
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    toComplete.Add(_waiters[i].Found);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var found in toComplete)
        {
            found.TrySetResult(line);
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            _stderrClosed.TrySetResult();
            return;
        }

        lock (_gate)
        {
            _stderr.Add(AnsiEscape().Replace(line, string.Empty));
        }
    }

    private static string FindNodeDll()
    {
        var here = AppContext.BaseDirectory;
        var beside = Path.Combine(here, "PingActors.Node.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(here, "PingActors.Node.runtimeconfig.json")))
        {
            return beside;
        }

        // tests/PingActors.Tests/bin/<Configuration>/<tfm>/ -> src/PingActors.Node/bin/<Configuration>/<tfm>/
        var tfm = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var repo = configuration.Parent!.Parent!.Parent!.Parent!;
        var own = Path.Combine(repo.FullName, "src", "PingActors.Node", "bin", configuration.Name, tfm.Name, "PingActors.Node.dll");
        return File.Exists(own) ? own : throw new FileNotFoundException($"PingActors.Node.dll is neither in {here} nor at {own}");
    }

    private static string? FindNativeNode()
    {
        var path = System.Environment.GetEnvironmentVariable("PINGACTORS_NODE_EXE");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        return File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"PINGACTORS_NODE_EXE names {path}, which does not exist (seen from {System.Environment.CurrentDirectory}; give an absolute path)");
    }

    private static string DotnetHost()
    {
        // `dotnet test` sets DOTNET_HOST_PATH to the muxer that runs us; use the same one for the node.
        var host = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var self = System.Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static bool SigIntIgnoredHere()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SIGINT - 1))) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"PingActors (?<which>[a-z-]+) listening on (?<uri>http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"PingActors node is Up in the cluster as (?<address>\S+)")]
    private static partial Regex UpLine();
}
