using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>
/// A bad configuration stops the node before it starts anything: exit 2, well within a few seconds, with one
/// stderr line naming where the problem is (file, --set or command line), the key, and what was expected.
/// </summary>
public sealed class ConfigErrorSpecs : IDisposable
{
    // Generous for a loaded 2-core box: a config error costs one `dotnet` start-up, about half a second.
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(40);

    // Appended so that if a broken config were accepted, the node would not fight over fixed ports
    // with other tests while the hang guard runs out.
    private static readonly string[] Ephemeral = ["--set", "pingactors.hub.listen=127.0.0.1:0", "--set", "pingactors.ops.listen=127.0.0.1:0"];

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Bad_value_in_a_file_names_the_file_the_key_and_what_was_expected()
    {
        var file = _dir.Write("bad.conf", "pingactors.hub.max-message-size = \"lots\"\n");

        var line = await FailsWithOneLine(["--config", file, .. Ephemeral]);

        Assert.Contains(file, line);
        Assert.Contains("pingactors.hub.max-message-size", line);
        Assert.Contains("expected a size", line);
        Assert.Contains("\"lots\"", line);
    }

    [Fact]
    public async Task Unknown_key_in_a_file_is_rejected_with_the_nearest_known_key()
    {
        var file = _dir.Write("typo.conf", "pingactors {\n  hub {\n    max-mesage-size = 1KiB\n  }\n}\n");

        var line = await FailsWithOneLine(["--config", file, .. Ephemeral]);

        Assert.Contains(file, line);
        Assert.Contains("pingactors.hub.max-mesage-size", line);
        Assert.Contains("expected a key listed in hocon/reference.conf", line);
        Assert.Contains("did you mean pingactors.hub.max-message-size?", line);
    }

    [Fact]
    public async Task Misspelt_top_level_section_is_rejected_rather_than_ignored()
    {
        var file = _dir.Write("root-typo.conf", "pingactor.hub.max-message-size = 1KiB\n");

        var line = await FailsWithOneLine(["--config", file, .. Ephemeral]);

        Assert.Contains(file, line);
        Assert.Contains("pingactor:", line);
        Assert.Contains("did you mean pingactors?", line);
    }

    public static TheoryData<string, int, string?, string> MalformedFiles() => new()
    {
        // content, line of the problem, key named (if any), what must be said to be expected
        { "pingactors {\n  hub {\n    max-message-size = 1KiB\n", 4, "pingactors.hub", "'}' closing the object opened on line 2" },
        { "pingactors.hub.max-message-size = \n", 1, "pingactors.hub.max-message-size", "a value after '='" },
        { "pingactors.hub.max-message-size 1KiB\n", 1, "pingactors.hub.max-message-size", "'=', ':' or '{' after the key" },
        { "pingactors.hub.max-message-size = 1KiB\n}\n", 2, null, "a key (this '}' closes no object)" },
        { "pingactors.hub.allowed-origins = [\"https://a.example\"\n", 2, "pingactors.hub.allowed-origins", "']' closing the list opened on line 1" },
        { "pingactors.hub.html-page = \"on\n", 1, null, "'\"' closing the string on the same line" },
        { "pingactors.hub.listen = 127.0.0.1:8080\n", 1, "pingactors.hub.listen", "a new line or ',' after the value (quote a value that contains ':'" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public async Task Malformed_hocon_is_rejected_with_the_file_line_key_and_what_was_expected(string content, int line, string? key, string expected)
    {
        var file = _dir.Write("malformed.conf", content);

        var error = await FailsWithOneLine(["--config", file, .. Ephemeral]);

        var where = key is null ? $"error: {file}:{line}: expected " : $"error: {file}:{line}: {key}: expected ";
        Assert.StartsWith(where + expected, error);
        Assert.Contains(", got ", error);
    }

    [Fact]
    public async Task Missing_config_file_is_named()
    {
        var missing = Path.Combine(_dir.Path, "nowhere.conf");

        var line = await FailsWithOneLine(["--config", missing, .. Ephemeral]);

        Assert.Contains("command line: --config", line);
        Assert.Contains(missing, line);
        Assert.Contains("expected a readable HOCON file", line);
    }

    [Theory]
    [InlineData("pingactors.hub.max-message-size=lots", "pingactors.hub.max-message-size", "expected a size")]
    [InlineData("pingactors.hub.publish-timeout=soon", "pingactors.hub.publish-timeout", "expected a duration")]
    [InlineData("pingactors.hub.outbound.overflow=explode", "pingactors.hub.outbound.overflow", "expected one of close, drop-oldest")]
    [InlineData("pingactors.hub.stream-hosts=0", "pingactors.hub.stream-hosts", "expected auto or a whole number from 1 to 1024")]
    [InlineData("pingactors.hub.channel-threads=many", "pingactors.hub.channel-threads", "expected auto or a whole number from 1 to 256")]
    [InlineData("pingactors.hub.io-queues=-1", "pingactors.hub.io-queues", "expected auto or a whole number from 0 to 64")]
    [InlineData("pingactors.hub.allowed-origins=[\"https://a.example\"", "pingactors.hub.allowed-origins", "expected ']' closing the list")]
    [InlineData("pingactors.hub.nonsense=1", "pingactors.hub.nonsense", "expected a key listed in hocon/reference.conf")]
    public async Task Bad_set_value_names_set_the_key_and_what_was_expected(string set, string key, string expected)
    {
        var line = await FailsWithOneLine([.. Ephemeral, "--set", set]);

        Assert.StartsWith($"error: --set: {key}: ", line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task Set_wins_even_when_its_value_is_bad_and_a_file_has_a_good_one()
    {
        var file = _dir.Write("good.conf", "pingactors.hub.max-message-size = 1KiB\n");

        var line = await FailsWithOneLine(["--config", file, .. Ephemeral, "--set", "pingactors.hub.max-message-size=0"]);

        Assert.StartsWith("error: --set: pingactors.hub.max-message-size: expected a size", line);
    }

    [Theory]
    [InlineData("--set", "pingactors.hub.listen=localhost", "error: --set: pingactors.hub.listen: expected host:port")]
    [InlineData("--set", "pingactors.ops.listen=example.com:8089", "error: --set: pingactors.ops.listen: expected host:port")]
    [InlineData("--set", "pingactors.hub.listen=127.0.0.1:99999", "error: --set: pingactors.hub.listen: expected host:port")]
    [InlineData("-addr", "127.0.0.1:http", "error: -addr: pingactors.hub.listen: expected host:port")]
    [InlineData("-mport", "x", "error: -mport: pingactors.ops.listen: expected host:port")]
    public async Task Bad_listen_address_is_rejected(string option, string value, string expected)
    {
        var line = await FailsWithOneLine([.. Ephemeral, option, value]);

        Assert.StartsWith(expected, line);
        Assert.Contains(", got ", line);
    }

    [Fact]
    public async Task Listen_address_in_a_file_names_the_file()
    {
        var file = _dir.Write("listen.conf", "pingactors.ops.listen = \"127.0.0.1\"\n");

        var line = await FailsWithOneLine(["--config", file, "--set", "pingactors.hub.listen=127.0.0.1:0"]);

        Assert.StartsWith($"error: {file}: pingactors.ops.listen: expected host:port", line);
        Assert.EndsWith("got \"127.0.0.1\"", line);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "error: command line: --bogus: expected one of --config, --set")]
    [InlineData(new[] { "--config" }, "error: command line: --config: expected a value after it")]
    [InlineData(new[] { "--set", "pingactors.hub.listen" }, "error: command line: --set pingactors.hub.listen: expected KEY=VALUE")]
    [InlineData(new[] { "node.conf" }, "error: command line: node.conf: expected one of --config, --set")]
    public async Task Bad_command_line_is_rejected(string[] args, string expected)
    {
        var line = await FailsWithOneLine(args);

        Assert.StartsWith(expected, line);
    }

    [Fact]
    public async Task Help_prints_usage_and_exits_zero()
    {
        var run = await NodeProcess.RunToExitAsync(["--help"], HangGuard);

        Assert.True(run.ExitCode == 0, run.Transcript);
        Assert.True(run.Elapsed < Quickly, $"took {run.Elapsed}\n{run.Transcript}");
        Assert.DoesNotContain(run.Stderr, l => l.Length > 0);
        var usage = string.Join('\n', run.Stdout);
        Assert.StartsWith("Usage: PingActors.Node", usage.TrimStart());
        foreach (var option in new[] { "--config FILE", "--set KEY=VALUE", "-addr", "-origin", "-mport" })
        {
            Assert.Contains(option, usage);
        }

        ProcessAssertions.NothingStarted(run);
    }

    private static async Task<string> FailsWithOneLine(IReadOnlyList<string> args)
    {
        var run = await NodeProcess.RunToExitAsync(args, HangGuard);
        var line = ProcessAssertions.SingleErrorLine(run, expectedExitCode: 2, Quickly);
        ProcessAssertions.NothingStarted(run);
        return line;
    }
}
