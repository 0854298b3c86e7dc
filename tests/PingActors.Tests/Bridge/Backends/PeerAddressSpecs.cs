using System.Net;
using System.Net.Sockets;
using PingActors.Actors.Bridge.Backends;

namespace PingActors.Tests.Bridge.Backends;

/// <summary>How peers are carried in a Uri and read back: what the bridge connects to.</summary>
public sealed class PeerAddressSpecs
{
    [Theory]
    [InlineData("tcp://h:1", "tcp://h:1")]
    [InlineData("udp://10.0.0.1:53", "udp://10.0.0.1:53")]
    [InlineData("tcp://[::1]:80", "tcp://[::1]:80")]
    [InlineData("h:2", "tcp://h:2")]
    [InlineData("unix:///run/a.sock", "unix:///run/a.sock")]
    [InlineData("unix-dgram:///tmp/x", "unix-dgram:///tmp/x")]
    public void Websocksy_text_becomes_the_normalised_uri(string text, string uri)
    {
        Assert.Equal(new Uri(uri), PeerAddress.Parse(text).ToUri());
        Assert.Equal(uri, PeerAddress.Parse(text).ToString());
    }

    [Theory]
    [InlineData("unix:///tmp/a b%c?d#e.sock", "/tmp/a b%c?d#e.sock")]
    [InlineData("unix-dgram:///run/x/../y.sock", "/run/y.sock")]
    public void A_unix_path_survives_the_uri_unescaped_and_normalised(string text, string path)
    {
        var parsed = PeerAddress.Parse(text);
        var back = PeerAddress.FromUri(parsed.ToUri());

        Assert.Equal(path, back.Path);
        Assert.Equal(parsed, back);
    }

    [Fact]
    public void Websocksys_unix_relative_form_is_taken_from_the_working_directory()
    {
        var expected = Path.GetFullPath("sock/app.sock");

        Assert.Equal(expected, PeerAddress.Parse("unix://sock/app.sock").Path);
        Assert.Equal(expected, PeerAddress.FromUri(new Uri("unix://sock/app.sock")).Path);
    }

    [Fact]
    public void An_ipv6_peer_comes_back_without_brackets_and_connects_to_an_ip_endpoint()
    {
        var peer = PeerAddress.FromUri(new Uri("udp://[::1]:9000"));

        Assert.Equal(new PeerAddress(PeerKind.Udp, "::1", 9000, null), peer);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9000), peer.ToEndPoint());
        Assert.Equal(SocketType.Dgram, peer.SocketType);
    }

    [Fact]
    public void Endpoints_follow_the_kind()
    {
        Assert.IsType<DnsEndPoint>(PeerAddress.Parse("tcp://example.org:1").ToEndPoint());
        Assert.IsType<UnixDomainSocketEndPoint>(PeerAddress.Parse("unix:///run/x").ToEndPoint());
        Assert.Equal(SocketType.Stream, PeerAddress.Parse("unix:///run/x").SocketType);
    }

    [Theory]
    [InlineData("http://h:80")]
    [InlineData("tcp://h")]
    [InlineData("unix://")]
    public void Text_that_names_no_peer_is_a_format_error(string text) =>
        Assert.Throws<FormatException>(() => PeerAddress.Parse(text));

    [Theory]
    [InlineData("http://h:80/")]
    [InlineData("tcp://h")]
    public void A_uri_that_is_no_peer_is_a_format_error(string uri) =>
        Assert.Throws<FormatException>(() => PeerAddress.FromUri(new Uri(uri)));
}
