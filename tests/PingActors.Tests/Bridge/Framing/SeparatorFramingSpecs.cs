using PingActors.Actors.Bridge.Framing;

namespace PingActors.Tests.Bridge.Framing;

public sealed class SeparatorFramingSpecs : FramingRun
{
    [Fact]
    public async Task Cuts_after_each_separator_keeping_it_in_binary_messages_however_the_reads_fall()
    {
        var crlf = Framings.Parse("separator", @"\r\n");
        await SameForEverySplit(crlf, B("one\r\ntwo\r\n\r\nthree\r"), @"B:one\r\n", @"B:two\r\n", @"B:\r\n", @"B:three\r");
    }

    [Fact]
    public async Task Finds_a_separator_whose_prefix_repeats_inside_it()
    {
        // "aab" in "aaab": a naive resume from the last partial match would miss it.
        await SameForEverySplit(Framings.Parse("separator", "aab"), B("xaaabyaab"), "B:xaaab", "B:yaab");
    }

    [Fact]
    public async Task Sends_several_records_of_one_read_as_several_messages()
    {
        Assert.Equal(["B:a;", "B:b;", "B:c;"], await Messages(Framings.Parse("separator", ";"), B("a;b;c;")));
    }

    [Fact]
    public async Task Sends_the_bytes_after_the_last_separator_when_the_peer_ends()
    {
        Assert.Equal(["B:a;", "B:rest"], await Messages(Framings.Parse("separator", ";"), B("a;re"), B("st")));
        Assert.Equal(["B:a;"], await Messages(Framings.Parse("separator", ";"), B("a;")));
    }

    [Theory]
    [InlineData(@"\x41", "41")]
    [InlineData(@"\x0a\x0D", "0A0D")]
    [InlineData(@"\r\t\n\0\f\\", "0D090A000C5C")]
    [InlineData(@"END\xff", "454E44FF")]
    [InlineData("é|", "C3A97C")]
    [InlineData("😀", "F09F9880")]
    public void Reads_escapes_and_text_as_the_separators_bytes(string config, string hex)
    {
        Assert.Equal($"separator {hex}", Framings.Parse("separator", config).ToString());
    }

    [Fact]
    public async Task Uses_a_hex_escaped_separator_websocksy_would_misread()
    {
        // websocksy reads \x41 as 0x01.
        Assert.Equal(["B:xA", "B:yA"], await Messages(Framings.Parse("separator", @"\x41"), B("xAyA")));
    }

    [Fact]
    public async Task An_empty_separator_sends_each_read_as_it_comes()
    {
        Assert.Equal([@"B:ab\r\n", "B:c"], await Messages(Framings.Parse("separator", ""), B("ab\r\n"), B("c")));
    }

    [Fact]
    public async Task A_record_past_the_limit_without_a_separator_fails_the_flow_after_the_records_before_it()
    {
        var (messages, error) = await Decode(Framings.Parse("separator", ";"), 8, B("ab;0123"), B("45678"));
        Assert.Equal(["B:ab;"], messages);
        Assert.Equal("framing separator: no separator within 8 bytes", Assert.IsType<FramingException>(error).Message);
    }

    [Fact]
    public async Task A_record_of_exactly_the_limit_passes_and_one_byte_more_fails()
    {
        var separator = Framings.Parse("separator", ";");
        Assert.Equal(["B:0123456;"], (await Decode(separator, 8, B("0123456;"))).Messages);
        Assert.IsType<FramingException>((await Decode(separator, 8, B("01234567;"))).Error);
    }
}
