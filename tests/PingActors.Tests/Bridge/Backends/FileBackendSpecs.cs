using PingActors.Actors.Bridge.Backends;

namespace PingActors.Tests.Bridge.Backends;

/// <summary>websocksy's file backend (seeds §3.4, §6 websocksy cases 9 and 10), with its deliberate differences.</summary>
public sealed class FileBackendSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pingactors-file-backend-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string name, params string[] lines) => File.WriteAllText(Path.Combine(_dir, name), string.Join("\n", lines) + "\n");

    private FileBackend Backend(params string[] expressions) => new(_dir + "/", expressions);

    private static PeerChoice? Choose(FileBackend backend, string endpoint, string[]? offered = null, params (string, string)[] headers) =>
        backend.ChooseAsync(new BridgeRequest(endpoint, offered ?? [], headers.Select(h => KeyValuePair.Create(h.Item1, h.Item2)).ToArray()), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Fact]
    public void Endpoint_drops_the_leading_and_one_trailing_slash_and_keeps_the_query()
    {
        Write("auto.txt", "tcp://127.0.0.1:1 x");
        Write("auto?q=1.txt", "tcp://127.0.0.1:2 x");
        var backend = Backend("%endpoint%.txt");

        Assert.Equal(new Uri("tcp://127.0.0.1:1"), Choose(backend, "/auto/")?.Peer);
        Assert.Equal(new Uri("tcp://127.0.0.1:1"), Choose(backend, "/auto")?.Peer);
        Assert.Equal(new Uri("tcp://127.0.0.1:2"), Choose(backend, "/auto?q=1")?.Peer);
    }

    [Fact]
    public void Slashes_in_values_become_underscores()
    {
        Write("a_b_c.txt", "tcp://h:3 x");

        Assert.Equal(new Uri("tcp://h:3"), Choose(Backend("%endpoint%.txt"), "/a/b/c")?.Peer);
        Assert.Equal(new Uri("tcp://h:3"), Choose(Backend("%header:X-Route%.txt"), "/", null, ("X-Route", "a/b/c"))?.Peer);
    }

    [Fact]
    public void A_cookie_is_found_among_pairs_split_on_semicolon_space()
    {
        Write("s42.txt", "tcp://h:4 x");
        var backend = Backend("%cookie:session%.txt");

        Assert.Equal(new Uri("tcp://h:4"), Choose(backend, "/", null, ("Cookie", "a=1; session=s42; b=2"))?.Peer);
        Assert.Null(Choose(backend, "/", null, ("Cookie", "a=1;session=s42")));
        Assert.Null(Choose(backend, "/", null, ("Cookie", "xsession=s42")));
    }

    [Fact]
    public void Header_names_match_ignoring_case_unlike_websocksy()
    {
        Write("blue.txt", "tcp://h:5 x");

        Assert.Equal(new Uri("tcp://h:5"), Choose(Backend("%header:X-Peer%.txt"), "/", null, ("x-peer", "blue"))?.Peer);
    }

    [Fact]
    public void Expressions_are_tried_in_order_skipping_missing_variables_and_missing_files()
    {
        Write("from-cookie.txt", "tcp://h:6 x");
        Write("default.txt", "tcp://h:7 x");
        var backend = Backend("%header:X-Missing%.txt", "%endpoint%.txt", "%cookie:c%.txt", "default.txt");

        Assert.Equal(new Uri("tcp://h:6"), Choose(backend, "/nofile", null, ("Cookie", "c=from-cookie"))?.Peer);
        Assert.Equal(new Uri("tcp://h:7"), Choose(backend, "/nofile")?.Peer);
        Assert.Equal(new Uri("tcp://h:7"), Choose(backend, "/nofile", null, ("X-Missing", ""))?.Peer);
    }

    [Fact]
    public void All_expressions_failing_gives_null() => Assert.Null(Choose(Backend("%endpoint%.txt", "none.txt"), "/x"));

    [Fact]
    public void A_value_cannot_climb_out_of_path()
    {
        var outside = Path.Combine(Path.GetDirectoryName(_dir)!, Path.GetFileName(_dir) + "-outside.txt");
        File.WriteAllText(outside, "tcp://h:8 x\n");
        try
        {
            Write("fallback.txt", "tcp://h:9 x");
            var name = Path.GetFileName(_dir) + "-outside.txt";

            // ".." as a whole value: path/.. then the sibling; websocksy's '/' -> '_' alone would not stop this.
            var backend = Backend("%header:A%/%header:B%", "fallback.txt");
            Assert.Equal(new Uri("tcp://h:9"), Choose(backend, "/", null, ("A", ".."), ("B", name))?.Peer);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void An_expression_that_leaves_path_by_itself_is_refused_at_start() =>
        Assert.Throws<ArgumentException>(() => Backend("../%endpoint%.txt"));

    [Fact]
    public void Unterminated_or_unnamed_variables_are_refused_at_start()
    {
        Assert.Throws<ArgumentException>(() => Backend("%cookie:abc.txt"));
        Assert.Throws<ArgumentException>(() => Backend("%header:%.txt"));
    }

    [Fact]
    public void With_no_offers_the_first_line_wins_with_no_protocol_and_its_framing()
    {
        Write("r.txt", "unix:///run/a.sock chat newline crlf", "tcp://h:2 * binary");

        var choice = Choose(Backend("r.txt"), "/")!;

        Assert.Equal(new Uri("unix:///run/a.sock"), choice.Peer);
        Assert.Null(choice.Protocol);
        Assert.Equal("newline", choice.Framing);
        Assert.Equal("crlf", choice.FramingConfig);
    }

    [Fact]
    public void File_order_beats_the_clients_preference()
    {
        Write("r.txt", "tcp://h:1 chat", "tcp://h:2 superchat", "tcp://h:3 *");

        var choice = Choose(Backend("r.txt"), "/", ["superchat", "chat"])!;

        Assert.Equal(new Uri("tcp://h:1"), choice.Peer);
        Assert.Equal("chat", choice.Protocol);
        Assert.Equal("auto", choice.Framing);
        Assert.Null(choice.FramingConfig);
    }

    [Fact]
    public void Star_matches_and_answers_the_clients_first_offer()
    {
        Write("r.txt", "tcp://h:1 chat", "tcp://h:3 * separator a b c");

        var choice = Choose(Backend("r.txt"), "/", ["zzz", "yyy"])!;

        Assert.Equal(new Uri("tcp://h:3"), choice.Peer);
        Assert.Equal("zzz", choice.Protocol);
        Assert.Equal("separator", choice.Framing);
        Assert.Equal("a b c", choice.FramingConfig);
    }

    [Fact]
    public void Protocols_match_case_sensitively_and_no_match_falls_to_the_next_file_then_null()
    {
        Write("first.txt", "tcp://h:1 chat");
        Write("second.txt", "tcp://h:2 Chat");
        var backend = Backend("first.txt", "second.txt");

        Assert.Equal(new Uri("tcp://h:2"), Choose(backend, "/", ["Chat"])?.Peer);
        Assert.Null(Choose(backend, "/", ["CHAT"]));
        Assert.Null(Choose(backend, "/", ["zzz"]));
    }

    [Fact]
    public void Crlf_lines_blank_lines_and_lines_without_a_space_do_not_crash()
    {
        File.WriteAllText(Path.Combine(_dir, "r.txt"), "\r\ntcp://h:1\r\ntcp://h:2 chat auto\r\n");
        var backend = Backend("r.txt");

        // A peer alone: the first line when nothing is offered (websocksy crashes there), never a match otherwise.
        Assert.Equal(new Uri("tcp://h:1"), Choose(backend, "/")?.Peer);
        var offered = Choose(backend, "/", ["chat"])!;
        Assert.Equal(new Uri("tcp://h:2"), offered.Peer);
        Assert.Equal("auto", offered.Framing);
    }

    [Fact]
    public void A_matching_line_with_an_unusable_peer_fails_with_the_file_and_line()
    {
        Write("r.txt", "tcp://h chat", "tcp://h:2 chat");

        var e = Assert.Throws<InvalidDataException>(() => Choose(Backend("r.txt"), "/", ["chat"]));
        Assert.Contains("r.txt:1", e.Message);
    }

    [Fact]
    public void A_file_over_the_cap_fails_instead_of_being_read()
    {
        Write("big.txt", "tcp://h:1 x " + new string('a', 200));

        var backend = new FileBackend(_dir, ["big.txt"], maxFileBytes: 100);
        Assert.Throws<InvalidDataException>(() => Choose(backend, "/"));
        Assert.NotNull(Choose(new FileBackend(_dir, ["big.txt"], maxFileBytes: 300), "/"));
    }

    [Fact]
    public void A_directory_named_by_an_expression_is_skipped_like_a_missing_file()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        Write("default.txt", "tcp://h:1 x");

        Assert.Equal(new Uri("tcp://h:1"), Choose(Backend("%endpoint%", "default.txt"), "/sub")?.Peer);
    }
}
