using System.Text.RegularExpressions;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>Shared checks for the node run as a process.</summary>
internal static partial class ProcessAssertions
{
    /// <summary>A failed start: non-zero exit, quickly, with exactly one "error: ..." line on stderr and no stack trace.</summary>
    public static string SingleErrorLine(NodeRun run, int expectedExitCode, TimeSpan within)
    {
        Assert.True(run.ExitCode == expectedExitCode, $"exit code {run.ExitCode}, expected {expectedExitCode}\n{run.Transcript}");
        Assert.True(run.Elapsed < within, $"took {run.Elapsed}, expected under {within}\n{run.Transcript}");
        var lines = run.Stderr.Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count == 1, $"expected exactly one stderr line, got {lines.Count}\n{run.Transcript}");
        var line = lines[0];
        Assert.StartsWith("error: ", line);
        Assert.DoesNotContain("Exception", line);
        Assert.DoesNotMatch(StackFrame(), line);
        return line;
    }

    /// <summary>A config error never got as far as logging, let alone listening.</summary>
    public static void NothingStarted(NodeRun run)
    {
        Assert.True(!run.Stdout.Any(l => l.Contains("listening on", StringComparison.Ordinal)), "the node started listening\n" + run.Transcript);
        Assert.True(!run.Stdout.Concat(run.Stderr).Any(l => StackFrame().IsMatch(l)), "stack trace printed\n" + run.Transcript);
    }

    [GeneratedRegex(@"^\s+at \S+\(|\bat [\w.`]+\.[\w<>`]+\(")]
    private static partial Regex StackFrame();
}

/// <summary>A scratch directory for config files, removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pingactors-process-" + Guid.NewGuid().ToString("N")[..12]);

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Only scratch files; the OS cleans /tmp.
        }
    }
}
