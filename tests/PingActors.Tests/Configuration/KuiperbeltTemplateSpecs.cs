using PingActors.Node.Configuration;
using PingActors.Node.Configuration.Kuiperbelt;

namespace PingActors.Tests.Configuration;

/// <summary>The {{ env }} / {{ must_env }} templates kuiperbelt runs its config through (kayac/go-config v0.0.1).</summary>
public sealed class KuiperbeltTemplateSpecs
{
    private const string File = "/etc/ekbo/config.yml";

    private static readonly Dictionary<string, string> Env = new()
    {
        ["SET"] = "value",
        ["OTHER"] = "other",
        ["EMPTY"] = "",
    };

    private static string Expand(string text) => KuiperbeltTemplate.Expand(text, File, name => Env.GetValueOrDefault(name));

    [Theory]
    [InlineData("port: {{ env \"SET\" \"9180\" }}", "port: value")]
    [InlineData("port: {{ env \"UNSET\" \"9180\" }}", "port: 9180")]
    [InlineData("port: {{ env \"EMPTY\" \"9180\" }}", "port: 9180")]
    [InlineData("port: {{env \"UNSET\" \"EMPTY\" \"OTHER\" \"9180\"}}", "port: other")]
    [InlineData("port: {{ env \"UNSET\" }}", "port: UNSET")]
    [InlineData("a: {{ env `UNSET` `raw \\n` }}", "a: raw \\n")]
    [InlineData("a: {{ env \"UNSET\" \"say \\\"hi\\\"\" }}", "a: say \"hi\"")]
    [InlineData("a: {{ must_env \"SET\" }}", "a: value")]
    [InlineData("a: {{ must_env \"EMPTY\" }}.", "a: .")]
    [InlineData("a:   {{- env \"SET\" -}}   \n", "a:value")]
    [InlineData("no templates: { a: 1 }", "no templates: { a: 1 }")]
    public void Env_gives_the_first_non_empty_variable_else_the_last_argument(string text, string expected)
    {
        Assert.Equal(expected, Expand(text));
    }

    [Fact]
    public void Must_env_of_an_unset_variable_names_the_file_the_line_and_the_variable()
    {
        var error = Assert.Throws<ConfigException>(() => Expand("port: 9180\ncallback:\n  connect: {{ must_env \"EKBO_CONNECT\" }}\n"));

        Assert.Equal($"{File}:3: must_env: expected the environment variable EKBO_CONNECT to be set, got it unset", error.Message);
    }

    [Theory]
    [InlineData("a: 1\nb: {{ .Port }}", 2, "got {{ .Port }}")]
    [InlineData("a: {{ env \"SET\" | printf }}", 1, "got {{ env \"SET\" | printf }}")]
    [InlineData("a: {{ json_escape \"SET\" }}", 1, "got {{ json_escape \"SET\" }}")]
    [InlineData("a: {{ env }}", 1, "got {{ env }}")]
    [InlineData("a: {{ must_env \"A\" \"B\" }}", 1, "got {{ must_env \"A\" \"B\" }}")]
    [InlineData("a: {{ env SET }}", 1, "got {{ env SET }}")]
    [InlineData("\n\na: {{ env \"SET\"", 3, "expected }} to close the {{ opened on this line")]
    [InlineData("a: {{ env \"SET }}", 1, "expected a closing \" for the string")]
    [InlineData("a: {{ env \"\\q\" }}", 1, "expected a string escape")]
    public void Anything_else_between_the_braces_is_an_error_naming_the_file_and_line(string text, int line, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => Expand(text));

        Assert.StartsWith($"{File}:{line}: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Must_env_unset_in_a_file_on_the_command_line_names_that_file()
    {
        using var files = new KuiperbeltSpecFiles();
        var path = files.Write("config.yml", "callback:\n  connect: {{ must_env \"EKBO_CONNECT_CALLBACK_URL\" }}\n");

        var error = KuiperbeltSpecFiles.LoadFails(["-config", path]);

        Assert.Equal($"{path}:2: must_env: expected the environment variable EKBO_CONNECT_CALLBACK_URL to be set, got it unset", error.Message);
    }

    [Theory]
    [InlineData("5s", 5_000_000_000L)]
    [InlineData("1h30m", 5_400_000_000_000L)]
    [InlineData("1.5s", 1_500_000_000L)]
    [InlineData("300us", 300_000L)]
    [InlineData("2\u00b5s", 2_000L)]
    [InlineData("0", 0L)]
    [InlineData("-1m", -60_000_000_000L)]
    [InlineData("5", null)]
    [InlineData("5 s", null)]
    [InlineData("5d", null)]
    [InlineData("", null)]
    [InlineData(".s", null)]
    [InlineData("1.2.3s", null)]
    [InlineData("3000000h", null)]
    public void Go_durations_parse_as_time_ParseDuration_does(string text, long? nanoseconds)
    {
        Assert.Equal(nanoseconds, GoDuration.ParseNanoseconds(text));
    }
}
