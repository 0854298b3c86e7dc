using PingActors.Actors.Bridge.Backends;

namespace PingActors.Tests.Bridge.Backends;

/// <summary>websocksy's defaultpeer: its subprotocol rules (seeds §6 websocksy case 10) and the port rule (case 13, deliberately not copied).</summary>
public sealed class DefaultBackendSpecs
{
    private static PeerChoice Choose(DefaultBackend backend, params string[] offered) =>
        backend.ChooseAsync(new BridgeRequest("/any", offered, []), CancellationToken.None).AsTask().GetAwaiter().GetResult()!;

    [Fact]
    public void Defaults_are_websocksys_tcp_localhost_5900_with_auto_framing_and_no_protocol()
    {
        var choice = Choose(new DefaultBackend(), "chat");

        Assert.Equal(new Uri("tcp://localhost:5900"), choice.Peer);
        Assert.Equal("auto", choice.Framing);
        Assert.Null(choice.FramingConfig);
        Assert.Null(choice.Protocol);
    }

    [Fact]
    public void A_named_protocol_matches_case_insensitively_and_answers_the_clients_spelling()
    {
        var backend = new DefaultBackend(protocol: "chat");

        Assert.Equal("CHAT", Choose(backend, "other", "CHAT", "chat").Protocol);
    }

    [Fact]
    public void No_matching_offer_still_gives_the_peer_with_no_protocol()
    {
        var choice = Choose(new DefaultBackend(protocol: "chat"), "superchat");

        Assert.Equal(new Uri("tcp://localhost:5900"), choice.Peer);
        Assert.Null(choice.Protocol);
    }

    [Fact]
    public void Star_takes_the_clients_first_offer_and_none_when_nothing_is_offered()
    {
        var backend = new DefaultBackend(protocol: "*");

        Assert.Equal("p2", Choose(backend, "p2", "p1").Protocol);
        Assert.Null(Choose(backend).Protocol);
    }

    [Fact]
    public void The_hosts_own_port_wins_over_the_default_5900()
    {
        // websocksy fails every connection here (getaddrinfo("127.0.0.1:19301", "5900")).
        Assert.Equal(new Uri("tcp://127.0.0.1:19301"), Choose(new DefaultBackend("tcp://127.0.0.1:19301")).Peer);
    }

    [Fact]
    public void An_explicit_port_applies_to_a_host_without_one_and_must_agree_with_one_that_has_it()
    {
        Assert.Equal(new Uri("udp://10.0.0.1:7000"), Choose(new DefaultBackend("udp://10.0.0.1", 7000)).Peer);
        Assert.Equal(new Uri("tcp://h:7000"), Choose(new DefaultBackend("tcp://h:7000", 7000)).Peer);

        var e = Assert.Throws<ArgumentException>(() => new DefaultBackend("tcp://h:7000", 7001));
        Assert.Contains("7000", e.Message);
        Assert.Contains("7001", e.Message);
    }

    [Fact]
    public void A_host_without_scheme_is_tcp_and_unix_peers_keep_their_path()
    {
        Assert.Equal(new Uri("tcp://example.org:5900"), Choose(new DefaultBackend("example.org")).Peer);
        Assert.Equal(new Uri("unix:///run/app.sock"), Choose(new DefaultBackend("unix:///run/app.sock")).Peer);
        Assert.Equal(new Uri("unix-dgram:///run/app.sock"), Choose(new DefaultBackend("unix-dgram:///run/app.sock")).Peer);
    }

    [Fact]
    public void Framing_and_its_config_are_passed_through_unchecked()
    {
        var choice = Choose(new DefaultBackend(framing: "no-such-framing", framingConfig: "a b \\x41"));

        Assert.Equal("no-such-framing", choice.Framing);
        Assert.Equal("a b \\x41", choice.FramingConfig);
    }

    [Theory]
    [InlineData("ftp://h:21")]
    [InlineData("tcp://h:70000")]
    [InlineData("tcp://h:port")]
    [InlineData("tcp://::1:80")]
    public void A_host_that_names_no_peer_is_refused(string host) =>
        Assert.Throws<ArgumentException>(() => new DefaultBackend(host));
}
