using PingActors.Actors.Bridge.Framing;

namespace PingActors.Tests.Bridge.Framing;

public sealed class NewlineFramingSpecs : FramingRun
{
    [Theory]
    [InlineData("lf", "a\nb\r\n\nc", @"T:a\n", @"T:b\r\n", @"T:\n", "T:c")]
    [InlineData("crlf", "a\r\nb\nc\r\n\r", @"T:a\r\n", @"T:b\nc\r\n", @"T:\r")]
    [InlineData("lfcr", "a\n\rb\r\nc\n\r", @"T:a\n\r", @"T:b\r\nc\n\r")]
    [InlineData("cr", "a\rb\n\r", @"T:a\r", @"T:b\n\r")]
    public async Task Sends_each_line_with_its_newline_however_the_reads_fall(string config, string data, params string[] expected)
    {
        await SameForEverySplit(Framings.Parse("newline", config), B(data), expected);
    }

    [Fact]
    public async Task A_line_is_text_when_it_is_valid_utf8_even_split_mid_character_and_binary_when_not()
    {
        // "é" is C3 A9 and "😀" F0 9F 98 80: every split of the data cuts one of them somewhere.
        var data = U("é😀\n").Concat(B("\xff\n")).Concat(B("\xc0\xaf\n")).ToArray();
        await SameForEverySplit(Framings.Parse("newline", "lf"), data, @"T:\xC3\xA9\xF0\x9F\x98\x80\n", @"B:\xFF\n", @"B:\xC0\xAF\n");
    }

    [Fact]
    public async Task Surrogates_encoded_in_utf8_make_a_line_binary()
    {
        // ED A0 80 is U+D800 in UTF-8 form: a structural check (websocksy's) passes it, a real validator does not.
        Assert.Equal([@"B:\xED\xA0\x80\n"], await Messages(Framings.Parse("newline", "lf"), B("\xed\xa0\x80\n")));
    }

    [Fact]
    public async Task Sends_the_line_without_a_newline_when_the_peer_ends()
    {
        Assert.Equal([@"T:a\r\n", "T:prompt> "], await Messages(Framings.Parse("newline", "crlf"), B("a\r\nprompt"), B("> ")));
        Assert.Equal([@"T:a\r\n", @"T:b\r"], await Messages(Framings.Parse("newline", "crlf"), B("a\r\nb\r")));
    }

    [Fact]
    public async Task A_line_past_the_limit_fails_the_flow()
    {
        var (messages, error) = await Decode(Framings.Parse("newline", "lf"), 4, B("ab\nabcd"), B("e\n"));
        Assert.Equal([@"T:ab\n"], messages);
        Assert.Equal("framing newline: no newline within 4 bytes", Assert.IsType<FramingException>(error).Message);
    }
}
