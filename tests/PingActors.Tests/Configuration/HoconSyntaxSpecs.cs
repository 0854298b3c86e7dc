using Akka.Configuration;
using Akka.Configuration.Hocon;
using PingActors.Node.Configuration;

namespace PingActors.Tests.Configuration;

/// <summary>The structure check and environment substitution that run before Akka's HOCON parser.</summary>
public sealed class HoconSyntaxSpecs
{
    private static readonly Dictionary<string, string> Env = new()
    {
        ["PA_HOST"] = "node1",
        ["PA_TRICKY"] = "a \"quoted\" back\\slash, é and ${NOT_A_SUBSTITUTION}",
    };

    [Fact]
    public void The_embedded_reference_conf_passes_unchanged()
    {
        var text = ConfigLoader.ReferenceText();
        Assert.Equal(text, HoconSyntax.Prepare(text, Lookup));
    }

    // With nothing to substitute the check must hand Akka the very text, and Akka must read what it says:
    // a check that mangled valid HOCON would otherwise pass here unnoticed.
    [Theory]
    [InlineData("a = 1\nb : 2\nc { d = 3 }\ne.f.g = \"x\"", "{a=1,b=2,c={d=3},e={f={g=x}}}")]
    [InlineData("{\n  a = 1\n}\n", "{a=1}")]
    [InlineData("a = [1, 2,\n  3\n]\nb = [{ c = 1 }, { c = 2 }]", "{a=[1,2,3],b=[{c=1},{c=2}]}")]
    [InlineData("a = 5 s # comment\nb = 1 // another\n// only a comment", "{a=5 s,b=1}")]
    [InlineData("akka.actor.serialization-bindings { \"System.Object\" = hyperion }", "{akka={actor={serialization-bindings={System.Object=hyperion}}}}")]
    [InlineData("a { b = 1, c = 2 }", "{a={b=1,c=2}}")]
    [InlineData("a = \"\"\"multi\nline\"\"\"\nb = 1", "{a=multi\nline,b=1}")]
    [InlineData("a = x\nb = ${a}", "{a=x,b=x}")]
    [InlineData("x { y = 1, z = ${x.y} }", "{x={y=1,z=1}}")]
    [InlineData("", "{}")]
    public void Valid_hocon_passes_unchanged_and_parses_to_what_it_says(string text, string expected)
    {
        var prepared = HoconSyntax.Prepare(text, Lookup);

        Assert.Equal(text, prepared);
        Assert.Equal(expected, Render(ConfigurationFactory.ParseString(prepared).Root));
    }

    [Theory]
    [InlineData("a {\n b = 1\n", 3, "a", "'}' closing the object opened on line 1")]
    [InlineData("a = [1, 2\n", 2, "a", "']' closing the list opened on line 1")]
    [InlineData("a = 1\n}\n", 2, null, "a key (this '}' closes no object)")]
    [InlineData("a b\n", 1, "a", "'=', ':' or '{' after the key")]
    [InlineData("a.b =\n1\n", 1, "a.b", "a value after '=' on the same line")]
    [InlineData("x { a = host:80 }", 1, "x.a", "a new line or ',' after the value")]
    [InlineData("a = ${\n", 1, null, "'}' closing the substitution on the same line")]
    [InlineData("a = \"\"\"never closed", 1, null, "\"\"\" closing the multi-line string")]
    [InlineData("a = ${PA_UNSET}", 1, "a", "the environment variable PA_UNSET to be set")]

    // Akka 1.5's parser has no "+=" (it read a key "a +" and left the list as it was, without an error),
    // and it follows a substitution that leads back to its own key until the stack overflows.
    [InlineData("a = [0]\na += 1", 2, "a", "'=' or ':' (Akka's HOCON parser does not support '+='")]
    [InlineData("a = [0]\na = ${a} [1]", 2, "a", "a substitution that does not lead back to the key it is in")]
    [InlineData("a = 1\nb = ${c}\nc = ${b}", 2, "b", "a substitution that does not lead back to the key it is in")]
    [InlineData("x { y = 1, z = ${x} }", 1, "x.z", "a substitution that does not lead back to the key it is in")]
    public void Broken_hocon_is_reported_with_line_key_and_expectation(string text, int line, string? key, string expected)
    {
        var e = Assert.Throws<HoconSyntaxException>(() => HoconSyntax.Prepare(text, Lookup));

        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.Key);
        Assert.StartsWith(expected, e.Expected);
    }

    [Fact]
    public void Set_variables_are_substituted_as_strings()
    {
        var config = Parse("a { host = ${?PA_HOST}, url = \"akka.tcp://x@\"${PA_HOST}\":4053\" }\ntricky = ${PA_TRICKY}");

        Assert.Equal("node1", config.GetString("a.host"));
        Assert.Equal("akka.tcp://x@node1:4053", config.GetString("a.url"));
        Assert.Equal(Env["PA_TRICKY"], config.GetString("tricky"));
    }

    [Fact]
    public void An_unset_optional_variable_leaves_its_field_out_so_the_fallback_stays()
    {
        var fallback = ConfigurationFactory.ParseString("a { host = fallback, port = 1 }");

        var config = Parse("a {\n  host = ${?PA_UNSET}\n  port = 2\n}").WithFallback(fallback);

        Assert.Equal("fallback", config.GetString("a.host"));
        Assert.Equal(2, config.GetInt("a.port"));
    }

    [Fact]
    public void An_unset_optional_variable_inside_a_longer_value_or_a_list_is_empty_or_left_out()
    {
        var config = Parse("a = \"pre-\"${?PA_UNSET}\"-post\"\nlist = [${?PA_UNSET}, x, ${?PA_HOST}]\nsame-line { b = ${?PA_UNSET}, c = 3 }");

        Assert.Equal("pre--post", config.GetString("a"));
        Assert.Equal(["x", "node1"], config.GetStringList("list"));
        Assert.False(config.HasPath("same-line.b"));
        Assert.Equal(3, config.GetInt("same-line.c"));
    }

    [Fact]
    public void A_substitution_naming_a_key_of_the_same_text_is_left_to_akka()
    {
        // PA_HOST is also an environment variable here: HOCON looks in the config first.
        var config = Parse("PA_HOST = from-config\nb = ${PA_HOST}");

        Assert.Equal("from-config", config.GetString("b"));
    }

    private static string? Lookup(string name) => Env.TryGetValue(name, out var value) ? value : null;

    /// <summary>A value as <c>{key=value,...}</c>, <c>[a,b]</c> or its string, keys in the order Akka keeps them.</summary>
    private static string Render(HoconValue value)
    {
        if (value.IsObject())
        {
            return "{" + string.Join(",", value.GetObject().Items.Select(kv => kv.Key + "=" + Render(kv.Value))) + "}";
        }

        return value.IsArray() ? "[" + string.Join(",", value.GetArray().Select(Render)) + "]" : value.GetString();
    }

    private static Config Parse(string text) => ConfigurationFactory.ParseString(HoconSyntax.Prepare(text, Lookup));
}
