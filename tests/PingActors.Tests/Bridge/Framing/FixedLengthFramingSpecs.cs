using PingActors.Actors.Bridge.Framing;

namespace PingActors.Tests.Bridge.Framing;

public sealed class FixedLengthFramingSpecs : FramingRun
{
    [Theory]
    [InlineData("3")]
    [InlineData("0x3")]
    [InlineData("03")]
    [InlineData(" 3 ")]
    public async Task Sends_binary_messages_of_exactly_n_bytes_however_the_reads_fall(string config)
    {
        await SameForEverySplit(Framings.Parse("fixedlength", config), B("abcdefghi"), "B:abc", "B:def", "B:ghi");
    }

    [Theory]
    [InlineData("010", 8)]
    [InlineData("0x10", 16)]
    [InlineData("0X1f", 31)]
    [InlineData("2147483647", int.MaxValue)]
    public void Reads_the_length_as_strtoul_with_base_0_does(string config, int length)
    {
        Assert.Equal($"fixedlength {length}", Framings.Parse("fixedlength", config).ToString());
    }

    [Fact]
    public async Task Drops_a_short_last_record_when_the_peer_ends()
    {
        Assert.Equal(["B:abc"], await Messages(Framings.Parse("fixedlength", "3"), B("abcde")));
    }

    [Fact]
    public async Task Zero_sends_each_read_as_it_comes()
    {
        Assert.Equal(["B:abcde", "B:f"], await Messages(Framings.Parse("fixedlength", "0"), B("abcde"), B("f")));
    }

    [Fact]
    public async Task A_length_at_the_limit_passes_and_one_past_it_fails_at_the_first_read()
    {
        Assert.Equal(["B:abcd"], (await Decode(Framings.Parse("fixedlength", "4"), 4, B("abcd"))).Messages);
        var (messages, error) = await Decode(Framings.Parse("fixedlength", "5"), 4, B("a"));
        Assert.Empty(messages);
        Assert.Equal("framing fixedlength: records of 5 bytes are over the 4-byte limit", Assert.IsType<FramingException>(error).Message);
    }
}
