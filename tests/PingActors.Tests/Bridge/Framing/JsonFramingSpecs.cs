using PingActors.Actors.Bridge.Framing;

namespace PingActors.Tests.Bridge.Framing;

public sealed class JsonFramingSpecs : FramingRun
{
    private static readonly IFraming Json = Framings.Parse("json", null);

    [Fact]
    public async Task Sends_each_top_level_value_as_text_with_the_whitespace_before_it_however_the_reads_fall()
    {
        var data = U("{\"a\":[1,{\"b\":\"}\"}]} [true] \"s\\\"\"\nnull false 12 ");
        await SameForEverySplit(Json, data, "T:{\"a\":[1,{\"b\":\"}\"}]}", "T: [true]", "T: \"s\\x5C\"\"", @"T:\nnull", "T: false", "T: 12");
    }

    [Fact]
    public async Task A_string_with_non_ascii_utf8_is_a_value_even_split_mid_character()
    {
        // websocksy dumps "é" as binary (isprint).
        await SameForEverySplit(Json, U("\"é😀\"[\"ü\"]"), @"T:""\xC3\xA9\xF0\x9F\x98\x80""", @"T:[""\xC3\xBC""]");
    }

    [Fact]
    public async Task A_top_level_number_followed_by_a_newline_is_complete()
    {
        // websocksy: binary. A number needs what follows it to be known complete, so it goes out with the newline's arrival.
        Assert.Equal(["T:123", @"T:\n-4.5e+6"], await Messages(Json, B("123\n-4.5e+6\n")));
    }

    [Fact]
    public async Task An_incomplete_value_waits_for_the_rest()
    {
        Assert.Equal(["T:{\"a\":1}", "T: [1,2]"], await Messages(Json, B("{\"a\""), B(":1} [1,"), B("2]")));
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("{\"a\" 1}")]
    [InlineData("[1,]")]
    [InlineData("{'a':1}")]
    [InlineData("tru e")]
    public async Task A_parse_error_sends_the_whole_buffer_as_binary_and_starts_afresh(string bad)
    {
        Assert.Equal(["B:" + bad, "T:[1]"], await Messages(Json, B(bad), B("[1]")));
    }

    [Fact]
    public async Task A_parse_error_shows_as_soon_as_its_bytes_arrive_not_when_the_value_would_end()
    {
        Assert.Equal(["T:1", @"B: {x", "T:{}"], await Messages(Json, B("1 {x"), B("{}")));
    }

    [Fact]
    public async Task A_value_with_invalid_utf8_in_a_string_goes_out_binary_never_as_bad_text()
    {
        var got = await Messages(Json, B("\"\xff\"[0]"));
        Assert.StartsWith("B:", got[0]);
        Assert.Equal("T:[0]", got[^1]);
    }

    [Fact]
    public async Task At_the_peers_end_a_bare_number_is_complete_other_leftovers_go_binary_and_whitespace_is_dropped()
    {
        Assert.Equal(["T:1", "T: 23"], await Messages(Json, B("1 23")));
        Assert.Equal(["T:{}", "B: {\"a\":"], await Messages(Json, B("{} {\"a\":")));
        Assert.Equal(["T:{}"], await Messages(Json, B("{} \n ")));
    }

    [Fact]
    public async Task A_value_past_the_limit_fails_the_flow()
    {
        var (messages, error) = await Decode(Json, 8, B("[1] [1,2,3,"), B("4,5]"));
        Assert.Equal(["T:[1]"], messages);
        Assert.Equal("framing json: no end of the JSON value within 8 bytes", Assert.IsType<FramingException>(error).Message);
    }
}
