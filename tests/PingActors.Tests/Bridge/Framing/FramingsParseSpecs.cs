using PingActors.Actors.Bridge.Framing;

namespace PingActors.Tests.Bridge.Framing;

public sealed class FramingsParseSpecs
{
    private const string SeparatorExpected = @"framing separator: expected a separator like ""\r\n"" (escapes \r \t \n \0 \f \\ \xHH), got ";

    [Theory]
    [InlineData(null, null, "auto")]
    [InlineData("", "", "auto")]
    [InlineData("auto", "", "auto")]
    [InlineData("binary", null, "binary")]
    [InlineData("json", "", "json")]
    [InlineData("separator", "", "separator")]
    [InlineData("newline", "lf", "newline lf")]
    [InlineData("fixedlength", "0", "fixedlength")]
    [InlineData("dynamic32", "", "dynamic32 offset=0,static=0,endian=little")]
    public void Parses_each_framing_by_name(string? name, string? config, string parsed)
    {
        Assert.Equal(parsed, Framings.Parse(name, config).ToString());
    }

    [Theory]
    [InlineData("xyz", null, @"unknown framing ""xyz"": expected auto, binary, separator, newline, fixedlength, dynamic32 or json")]
    [InlineData("Auto", null, @"unknown framing ""Auto"": expected auto, binary, separator, newline, fixedlength, dynamic32 or json")]
    [InlineData("auto", "lf", @"framing auto: expected no config, got ""lf""")]
    [InlineData("binary", "x", @"framing binary: expected no config, got ""x""")]
    [InlineData("json", "strict", @"framing json: expected no config, got ""strict""")]
    [InlineData("separator", null, SeparatorExpected + "nothing")]
    [InlineData("separator", @"a\q", SeparatorExpected + @"""a\q"" (unknown escape \q)")]
    [InlineData("separator", @"ab\", SeparatorExpected + @"""ab\"" (a lone \ at the end)")]
    [InlineData("separator", @"\x4", SeparatorExpected + @"""\x4"" (\x without two hex digits)")]
    [InlineData("separator", @"\xg1", SeparatorExpected + @"""\xg1"" (\x without two hex digits)")]
    [InlineData("newline", null, "framing newline: expected lf, crlf, lfcr or cr, got nothing")]
    [InlineData("newline", "LF", @"framing newline: expected lf, crlf, lfcr or cr, got ""LF""")]
    [InlineData("newline", "", @"framing newline: expected lf, crlf, lfcr or cr, got """"")]
    [InlineData("fixedlength", null, "framing fixedlength: expected a length like 512, 0x200 or 01000, got nothing")]
    [InlineData("fixedlength", "", @"framing fixedlength: expected a length like 512, 0x200 or 01000, got """"")]
    [InlineData("fixedlength", "12abc", @"framing fixedlength: expected a length like 512, 0x200 or 01000, got ""12abc""")]
    [InlineData("fixedlength", "-5", @"framing fixedlength: expected a length like 512, 0x200 or 01000, got ""-5""")]
    [InlineData("fixedlength", "08", @"framing fixedlength: expected a length like 512, 0x200 or 01000, got ""08""")]
    [InlineData("fixedlength", "0x", @"framing fixedlength: expected a length like 512, 0x200 or 01000, got ""0x""")]
    [InlineData("fixedlength", "2147483648", @"framing fixedlength: expected a length like 512, 0x200 or 01000, got ""2147483648""")]
    [InlineData("dynamic32", null, @"framing dynamic32: expected options like ""offset=0,static=0,endian=big"", got nothing")]
    [InlineData("dynamic32", "endian=middle", @"framing dynamic32: expected options like ""offset=0,static=0,endian=big"", got ""endian=middle""")]
    [InlineData("dynamic32", "offset=x", @"framing dynamic32: expected options like ""offset=0,static=0,endian=big"", got ""offset=x""")]
    [InlineData("dynamic32", "offset", @"framing dynamic32: expected options like ""offset=0,static=0,endian=big"", got ""offset""")]
    [InlineData("dynamic32", "size=4", @"framing dynamic32: expected options like ""offset=0,static=0,endian=big"", got ""size=4""")]
    [InlineData("dynamic32", "offset=1,", @"framing dynamic32: expected options like ""offset=0,static=0,endian=big"", got ""offset=1,""")]
    [InlineData("dynamic32", "endian=big\nstatic=1", @"framing dynamic32: expected options like ""offset=0,static=0,endian=big"", got ""endian=big\nstatic=1""")]
    public void Refuses_a_bad_name_or_config_with_a_one_line_message_naming_the_framing_and_what_it_expected_and_got(string name, string? config, string message)
    {
        var error = Assert.Throws<FramingConfigException>(() => Framings.Parse(name, config));
        Assert.Equal(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("xyz", null, "auto", @"unknown framing ""xyz"": expected auto, binary, separator, newline, fixedlength, dynamic32 or json; using auto")]
    [InlineData("separator", null, "auto", SeparatorExpected + "nothing; using auto")]
    [InlineData("fixedlength", "abc", "auto", @"framing fixedlength: expected a length like 512, 0x200 or 01000, got ""abc""; using auto")]
    [InlineData("dynamic32", "endian=middle", "auto", @"framing dynamic32: expected options like ""offset=0,static=0,endian=big"", got ""endian=middle""; using auto")]
    [InlineData("newline", "LF", "newline crlf", @"framing newline: expected lf, crlf, lfcr or cr, got ""LF""; using crlf")]
    [InlineData("newline", null, "newline crlf", "framing newline: expected lf, crlf, lfcr or cr, got nothing; using crlf")]
    [InlineData("json", "x", "json", @"framing json: expected no config, got ""x""; ignoring it")]
    public void For_route_files_falls_back_with_one_warning_instead_of_failing(string name, string? config, string chosen, string warning)
    {
        var warnings = new List<string>();
        Assert.Equal(chosen, Framings.ParseOrAuto(name, config, warnings.Add).ToString());
        Assert.Equal([warning], warnings);
    }

    [Theory]
    [InlineData(null, null, "auto")]
    [InlineData("separator", @"\r\n", "separator 0D0A")]
    [InlineData("newline", "lf", "newline lf")]
    [InlineData("dynamic32", "offset=1,static=2,endian=big", "dynamic32 offset=1,static=2,endian=big")]
    public void For_route_files_a_good_name_and_config_give_no_warning(string? name, string? config, string chosen)
    {
        var warnings = new List<string>();
        Assert.Equal(chosen, Framings.ParseOrAuto(name, config, warnings.Add).ToString());
        Assert.Empty(warnings);
    }
}
