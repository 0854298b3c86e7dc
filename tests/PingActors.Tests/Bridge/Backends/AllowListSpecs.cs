using PingActors.Actors.Bridge.Backends;

namespace PingActors.Tests.Bridge.Backends;

/// <summary>pingactors.bridge.allow: the peers a backend may name.</summary>
public sealed class AllowListSpecs
{
    private static readonly AllowList List = AllowList.Parse(
    [
        "tcp://db.internal:5432",
        "tcp://cache:*",
        "udp://[::1]:53",
        "unix:///run/app/*",
        "unix-dgram:///run/log.sock",
    ]);

    [Theory]
    [InlineData("tcp://db.internal:5432")]
    [InlineData("tcp://DB.Internal:5432")]
    [InlineData("tcp://cache:1")]
    [InlineData("tcp://cache:65535")]
    [InlineData("udp://[::1]:53")]
    [InlineData("unix:///run/app/a.sock")]
    [InlineData("unix:///run/app/sub/b.sock")]
    [InlineData("unix-dgram:///run/log.sock")]
    public void Allows_matching_peers(string peer) => Assert.True(List.Allows(new Uri(peer)));

    [Theory]
    [InlineData("tcp://db.internal:5433")]
    [InlineData("udp://db.internal:5432")]
    [InlineData("tcp://127.0.0.1:5432")]
    [InlineData("udp://cache:1")]
    [InlineData("udp://[::1]:54")]
    [InlineData("unix:///run/apple.sock")]
    [InlineData("unix:///run/app/../secret.sock")]
    [InlineData("unix-dgram:///run/app/a.sock")]
    [InlineData("unix:///run/log.sock")]
    [InlineData("http://db.internal:5432")]
    public void Refuses_every_other_peer(string peer) => Assert.False(List.Allows(new Uri(peer)));

    [Fact]
    public void A_path_prefix_without_a_slash_is_a_plain_prefix()
    {
        var list = AllowList.Parse(["unix:///run/app*"]);

        Assert.True(list.Allows(new Uri("unix:///run/apple.sock")));
        Assert.False(list.Allows(new Uri("unix:///run/ap.sock")));
    }

    [Fact]
    public void An_empty_list_allows_nothing() => Assert.False(AllowList.Parse([]).Allows(new Uri("tcp://h:1")));

    [Theory]
    [InlineData("tcp://host")]
    [InlineData("tcp://*:80")]
    [InlineData("host:80")]
    [InlineData("unix://relative/path")]
    [InlineData("http://h:80")]
    [InlineData("tcp://h:*x")]
    public void A_bad_pattern_is_named_in_the_error(string pattern)
    {
        var e = Assert.Throws<FormatException>(() => AllowList.Parse([pattern]));
        Assert.Contains(pattern, e.Message);
    }
}
