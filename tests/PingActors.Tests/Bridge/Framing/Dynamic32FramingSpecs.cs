using PingActors.Actors.Bridge.Framing;

namespace PingActors.Tests.Bridge.Framing;

public sealed class Dynamic32FramingSpecs : FramingRun
{
    [Fact]
    public async Task Sends_each_frame_with_its_little_endian_header_by_default_however_the_reads_fall()
    {
        var data = B("\x02\0\0\0ab\0\0\0\0\x03\0\0\0cde");
        await SameForEverySplit(Framings.Parse("dynamic32", ""), data, @"B:\x02\x00\x00\x00ab", @"B:\x00\x00\x00\x00", @"B:\x03\x00\x00\x00cde");
    }

    [Fact]
    public async Task Reads_a_big_endian_length_after_an_offset_and_adds_the_static_part_with_several_options()
    {
        // offset 2 (a tag), length 1 big-endian, static 1 (a trailer): websocksy hangs on a config like this one.
        var framing = Framings.Parse("dynamic32", "offset=2, static=1 ,endian=big");
        var data = B("T1\0\0\0\x01xZT2\0\0\0\0Z");
        await SameForEverySplit(framing, data, @"B:T1\x00\x00\x00\x01xZ", @"B:T2\x00\x00\x00\x00Z");
    }

    [Theory]
    [InlineData("", "dynamic32 offset=0,static=0,endian=little")]
    [InlineData("endian=big", "dynamic32 offset=0,static=0,endian=big")]
    [InlineData("endian=big,endian=little", "dynamic32 offset=0,static=0,endian=little")]
    [InlineData("offset=0x10,static=010", "dynamic32 offset=16,static=8,endian=little")]
    [InlineData("static=3,offset=1,endian=big", "dynamic32 offset=1,static=3,endian=big")]
    public void Reads_its_options_in_any_order(string config, string framing)
    {
        Assert.Equal(framing, Framings.Parse("dynamic32", config).ToString());
    }

    [Fact]
    public async Task Drops_a_truncated_last_frame_when_the_peer_ends_and_completes()
    {
        var (messages, error) = await Decode(Framings.Parse("dynamic32", ""), Max, B("\x01\0\0\0a\x05\0\0\0ab"));
        Assert.Null(error);
        Assert.Equal([@"B:\x01\x00\x00\x00a"], messages);
        Assert.Null((await Decode(Framings.Parse("dynamic32", ""), Max, B("\x05\0"))).Error);
    }

    [Fact]
    public async Task A_frame_of_exactly_the_limit_passes()
    {
        var (messages, error) = await Decode(Framings.Parse("dynamic32", "static=1"), 8, B("\x03\0\0\0abcd"));
        Assert.Null(error);
        Assert.Equal([@"B:\x03\x00\x00\x00abcd"], messages);
    }

    [Theory]
    [InlineData("\x04\0\0\0", 9)]
    [InlineData("\xff\xff\xff\xff", 4294967300)] // u32, not a negative int
    public async Task A_declared_frame_over_the_limit_fails_the_flow_as_soon_as_its_header_is_in(string header, long size)
    {
        // The body never comes: the flow must fail on the header alone, not wait to buffer the frame.
        var (messages, error) = await Decode(Framings.Parse("dynamic32", "static=1"), 8, B("\0\0\0\0x" + header));
        Assert.Equal([@"B:\x00\x00\x00\x00x"], messages);
        Assert.Equal($"framing dynamic32: a frame of {size} bytes is over the 8-byte limit", Assert.IsType<FramingException>(error).Message);
    }
}
