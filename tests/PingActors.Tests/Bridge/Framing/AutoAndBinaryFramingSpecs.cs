using PingActors.Actors.Bridge.Framing;

namespace PingActors.Tests.Bridge.Framing;

public sealed class AutoAndBinaryFramingSpecs : FramingRun
{
    [Fact]
    public async Task Auto_sends_each_read_as_one_message_text_when_valid_utf8_else_binary()
    {
        Assert.Equal(["T:hello", @"B:\xFF\xFE", @"T:\xC3\xA9"], await Messages(Framings.Auto, B("hello"), B("\xff\xfe"), U("é")));
    }

    [Theory]
    [InlineData("\xc0\xaf")] // overlong "/"
    [InlineData("\xed\xa0\x80")] // a surrogate
    [InlineData("\xf4\x90\x80\x80")] // past U+10FFFF
    [InlineData("a\x80")] // a lone continuation byte
    public async Task Auto_sends_what_a_structural_check_would_pass_as_binary(string latin1)
    {
        var got = Assert.Single(await Messages(Framings.Auto, B(latin1)));
        Assert.StartsWith("B:", got);
    }

    [Fact]
    public async Task Auto_keeps_text_split_mid_character_text_by_moving_the_characters_start_to_the_next_message()
    {
        var data = U("aé😀b");
        foreach (var reads in Splits(data))
        {
            var got = await Messages(Framings.Auto, reads);
            Assert.All(got, m => Assert.StartsWith("T:", m));
            Assert.Equal(@"T:a\xC3\xA9\xF0\x9F\x98\x80b", "T:" + string.Concat(got.Select(m => m[2..])));
            Assert.True(got.Count <= reads.Length, $"{got.Count} messages from {reads.Length} reads");
        }
    }

    [Fact]
    public async Task Auto_sends_a_held_character_start_as_binary_when_the_peer_ends()
    {
        Assert.Equal(["T:ab", @"B:\xF0\x9F"], await Messages(Framings.Auto, B("ab\xf0\x9f")));
    }

    [Fact]
    public async Task Auto_and_binary_send_a_read_larger_than_the_limit_in_pieces_of_the_limit()
    {
        Assert.Equal(["T:abcd", "T:efgh", "T:i"], (await Decode(Framings.Auto, 4, B("abcdefghi"))).Messages);
        Assert.Equal(["B:abcd", "B:efgh", "B:i"], (await Decode(Framings.Parse("binary", null), 4, B("abcdefghi"))).Messages);

        // A piece never ends inside a character: "é" would straddle bytes 4 and 5.
        Assert.Equal(["T:abc", @"T:\xC3\xA9de"], (await Decode(Framings.Auto, 4, U("abcéde"))).Messages);
    }

    [Fact]
    public async Task Binary_sends_each_read_as_one_binary_message()
    {
        Assert.Equal(["B:hello", @"B:\xC3", @"B:\xA9"], await Messages(Framings.Parse("binary", ""), B("hello"), B("\xc3"), B("\xa9")));
    }

    [Fact]
    public async Task Empty_reads_make_no_messages()
    {
        Assert.Equal(["T:a"], await Messages(Framings.Auto, B(""), B("a"), B("")));
        Assert.Equal(["B:a"], await Messages(Framings.Parse("binary", null), B(""), B("a"), B("")));
    }
}
