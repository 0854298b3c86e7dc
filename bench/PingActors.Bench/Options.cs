using System.Globalization;

namespace PingActors.Bench;

/// <summary>Command-line options: <c>scenario --key value --flag</c>.</summary>
internal sealed class Options
{
    public const string Usage = """
        PingActors.Bench: load tool for PingActors (and the bare-Kestrel Baseline). Loopback targets only.

        Usage: PingActors.Bench <scenario> [options]

        Scenarios:
          idle     Open N idle WebSocket connections spread over C channels; report the server's RSS per
                   connection (VmRSS from /proc/PID/status, after a warm-up, once RSS has settled), the
                   connect rate and failures.
          fanout   1 channel x S subscribers, POST publisher(s), M messages carrying a sequence number and
                   a send timestamp; report delivered msgs/s, publish->deliver latency p50/p90/p99/max,
                   lost / duplicate / out-of-order counts, the tool's and the server's CPU share.
          sse-fanout
                   fanout with Server-Sent Events: S SSE and W WebSocket subscribers on the same channel in
                   the same run; each transport's delivery rate per subscriber and their ratio, and the
                   server's RSS per idle SSE stream (settled, after warm-up streams).
          channels C channels x k subscribers, P concurrent POST publishers spreading M messages over the
                   channels; the same metrics, lost / duplicate / out-of-order counted per channel.
          ws-publish
                   C channels x k clients, each client publishes M messages over its own WebSocket (Pinghub
                   style) and every client of the channel, the sender included, receives; the same metrics.

          recover  1 channel, a steady POST publish at R msg/s, C ?recover=1 clients that all drop their sockets at
                   once and reconnect at once with since/epoch, for several rounds (docs/recovery.md); each client
                   checks its seqs: report lost and duplicated messages, answers recovered:false, reconnect time.
                   Options: --clients C (1000) --rate R (1000) --rounds N (3) --away-ms MS (500)
                   --live-seconds S (3, between rounds) --publishers P (4 raw POST connections).

          slowloris
                   A slow clients from one address send a request's headers a byte at a time, reconnecting when
                   closed, while ordinary rounds (subscribe, POST, receive) run from another address; report
                   the share of ordinary rounds that succeeded, their latency, and the attackers' fate.

        kuiperbelt-protocol scenarios (kuiperbelt's ekbo, or PingActors' proxy; bench/run-proxy.sh runs both):
          send     S sessions on the proxy's /connect, C senders POSTing /send for D seconds with K session
                   headers per send, bodies carrying a sequence number and a send timestamp; report /send
                   requests/s and round trip p50/p99/max, deliveries/s, send->deliver latency p50/p90/p99,
                   errors (answers other than 200 {"result":"OK"}) and lost messages after a drain.
          proxy-connect
                   N connectors open a session (connect callback, upgrade, establish callback, greeting) and
                   close it, again and again for D seconds; report connects/s, connect latency, failures.
          Both run the proxy's application themselves: a Kestrel app on 127.0.0.1 that accepts every connect
          with 200, a fresh X-Kuiperbelt-Session key and the greeting "g KEY", and answers establish, close
          and receive with 200. The proxy must call it back: configure it with
            callback: {connect: http://127.0.0.1:P/connect, establish: http://127.0.0.1:P/establish,
                       close: http://127.0.0.1:P/close}
          and pass --callback-port P (without it the app takes a free port and logs the config it needs).

        Socket bridge scenario (websocksy, websockify, PingActors' bridge; bench/run-bridge.sh runs them):
          bridge-echo
                   The tool runs a TCP echo peer on 127.0.0.1 (the bridge's backend) and N WebSocket clients on
                   the bridge; each sends a binary message, waits until as many bytes have come back (in however
                   many messages the bridge's framing makes of the echo), and repeats, for D seconds after a
                   warm-up. Report round trips/s, MB/s both ways, round trip p50/p90/p99/max, errors, the
                   server's CPU share and CPU per round trip, and the tool's (clients and echo peer).
                   With --tcp the clients talk to the echo peer directly, the same pattern with no bridge: the
                   plain TCP baseline.

        Common options:
          --url URL              hub base URL (default http://127.0.0.1:8080); must be loopback
          --pid PID              server process (default: found from /proc via the URL's listen port)
          --stats-url URL        JSON stats endpoint to snapshot (e.g. http://127.0.0.1:8089/stats); optional
          --label NAME           name of the target in the results (default: the URL)
          --prefix NAME          channel path prefix (default bench)
          --source-addresses K   connect from 127.0.0.1..127.0.0.K (default: as many as the ephemeral port
                                 range needs for the connection count)
          --concurrency N        parallel connection attempts (default 100)
          --json-out FILE        also append the JSON result line to FILE
          -h, --help             this text

        idle options:
          --connections N        total connections, including the warm-up (default 10000)
          --channels C           channels to spread them over (default 100)
          --warmup N             connections opened before the baseline RSS is taken (default 200)
          --settle SECONDS       max wait for RSS to stabilise, at baseline and at N (default 30)
          --hold SECONDS         keep the connections open this long after measuring (default 0)
          --deflate              clients offer permessage-deflate without context takeover (the node's
                                 idle cost of a compressing socket: pingactors.hub.deflate.enabled on)

        slowloris options:
          --attackers A          slow connections held at once (default 2000)
          --attacker-address IP  loopback address they come from (default 127.0.0.2)
          --client-address IP    loopback address of the ordinary clients (default 127.0.0.1)
          --duration SECONDS     how long ordinary rounds run, after a few seconds of attack (default 30)
          --rate R               ordinary rounds started per second (default 20)
          --trickle-ms MS        pause between the slow clients' header bytes (default 1000)
          --timeout SECONDS      an ordinary round not done in this long failed (default 5)

        fanout options:
          --subscribers S        subscribers on the one channel (default 1000)
          --messages M           measured messages (default 2000)
          --publishers P         concurrent POST publishers, each sequential (default 1)
          --size BYTES           payload size; at least the header (default 64)
          --rate R               total publish rate limit in msgs/s (default 0: as fast as possible)
          --warmup-messages W    messages sent (and ignored) before measuring (default 200)
          --drain-timeout SEC    stop waiting for deliveries after this long without progress (default 10)
          --channel NAME         channel name under the prefix (default fanout-<random>)
          --publisher raw|httpclient   POST client (default raw): raw is the tool's own keep-alive HTTP/1.1
                                 client, one connection per publisher (about 12.7 us of tool CPU per
                                 POST against the node, 16.9 with httpclient); httpclient is .NET's
                                 HttpClient, used before: for A/B runs and for comparing with older results
          --deflate              subscribers offer permessage-deflate (server_no_context_takeover) and
                                 inflate what comes compressed; the node must have it on
                                 (pingactors.hub.deflate.enabled); the handshake fails otherwise
          --payload x|json       what fills a message after its header: x (default, as before) or
                                 JSON-like records (repeated keys, varying ids, names, prices, flags)

        sse-fanout options:
          --subscribers S        SSE subscribers on the one channel (default 1000)
          --ws-subscribers W     WebSocket subscribers on the same channel (default S)
          --warmup N             SSE streams opened on another channel before the RSS baseline (default 200)
          --settle SECONDS       most time to wait for RSS to settle, each time (default 20)
          --messages, --publishers, --size, --rate, --warmup-messages, --drain-timeout, --channel   as for fanout

        fanout across cluster nodes:
          --url A,B,...          several hub URLs: subscriber i connects to URL i mod n (round-robin);
                                 --pid and --stats-url then take lists in the same order (entries optional);
                                 pid, server_cpu_pct_core, server_rss_* and server_delivered/dropped then
                                 describe the first URL's node
          --publish-url C        POST to this hub URL instead of the first --url
          --cluster-stats-url S1,S2,...  /stats of every cluster node: per-node counters in the JSON
                                 (delivered, dropped, where the channel entity lives)
          With any of these the JSON adds urls, publish_url, subscribers_per_url, post_nodes (the
          X-PingActors-Nodes answers), server_cpu_pct_core_per_url and cluster_nodes.

        channels options:
          --channels C           channels (default 2000)
          --subscribers K        subscribers per channel (default 5)
          --messages M           measured messages in all, message g to channel g mod C (default 20000)
          --publishers P         concurrent POST publishers, each sequential (default 32)
          --size, --rate, --drain-timeout, --publisher   as for fanout
          --warmup-messages W    warm-up POSTs spread over the channels (default C)

        send options (--url defaults to http://127.0.0.1:9180, kuiperbelt's port):
          --sessions S           sessions (default 1000)
          --senders C            concurrent senders, each one keep-alive connection, sequential (default 8)
          --per-send K           session headers per /send, K consecutive sessions round a ring (default 1)
          --duration SECONDS     measured sending time (default 10)
          --warmup SECONDS       sending before that, its messages ignored (default 2)
          --size BYTES           payload size; at least the header (default 64)
          --drain-timeout SEC    stop waiting for deliveries after this long without progress (default 5)
          --settle SECONDS       wait after the sessions are open before reading RSS per idle session (default 3)
          --send-url URL         POST /send there instead of --url (cluster mode: sessions on one node, sends through another)
          --callback-port P      the callback app's port (default 0: any free one)
          --session-header NAME  the proxy's session_header (default X-Kuiperbelt-Session)
          --connect-path PATH    the proxy's path.connect (default /connect)
          --send-path PATH       the proxy's path.send (default /send)
          --face kuiperbelt|wsaas   wsaas: the sessions are WebSockets of the node's WSaaS face (--url: its
                                 listener), each with its own Authorization; the callback app answers the connect
                                 POST under /wsaas and tells the client its id; the senders PUT /{id} on the
                                 control listener (--send-url, required) with a text/plain body, 1 session per
                                 request; a send is good when answered 200 {"code": "OK"} (default kuiperbelt)

        proxy-connect options (--url as for send):
          --connectors N         concurrent connectors, each opening and closing one session at a time (default 16)
          --duration SECONDS     measured time (default 10)
          --warmup SECONDS       connecting before that, not counted (default 1)
          --greeting 1|0         the app sends a greeting and a connect waits for it (default 1); 0: no
                                 greeting, a connect ends at the 101
          --timeout SECONDS      a connect not done in this long failed (default 10)
          --callback-port, --session-header, --connect-path   as for send

        ws-publish options:
          --channels C           channels (default 100)
          --clients K            clients per channel, each a subscriber and a sender (default 10)
          --messages M           messages each client sends (default 20)
          --rate R               total send rate limit in msgs/s (default 0: as fast as possible)
          --size, --drain-timeout   as for fanout
          --warmup-messages W    warm-up messages from each client (default 1)

        bridge-echo options (--url is the bridge's ws:// URL, e.g. ws://127.0.0.1:8001/):
          --connections N        WebSocket (or TCP) connections, one round trip in flight on each (default 1)
          --size BYTES           message size (default 1024)
          --frame-max BYTES      send a message as binary messages of at most this size (default 0: one);
                                 websocksy rejects a frame over ~16370 B and continuation frames
          --duration SECONDS     measured time (default 10)
          --warmup SECONDS       round trips before that, not counted (default 2)
          --rate R               round trips/s in all, paced per connection (default 0: each connection as
                                 fast as it can); latency is then reported from the send and from when each
                                 round trip was due (the latter includes the tool's ~1 ms timer lateness)
          --echo-port P          the echo peer's port (default 0: any free one; the bridge must point there)
          --timeout SECONDS      a round trip not back in this long is an error, and the connection is
                                 opened again (default 10)
          --tcp                  no bridge: connect to the echo peer itself (no --url, no server CPU)

        A publish counts as accepted on any 2xx answer (the node and Baseline answer 200, nchan 201/202).
        Progress bars go to stderr when it is a terminal (PINGACTORS_BENCH_NO_PROGRESS=1 turns them off).

        Output: a table on stderr, one JSON line on stdout. Exit code 0, or 1 on failed connections,
        unregistered subscribers or lost messages, 2 on bad usage.
        """;

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public string Scenario { get; private set; } = "";

    public bool Help { get; private set; }

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "-h" or "--help")
            {
                o.Help = true;
            }
            else if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = a.IndexOf('=');
                if (eq > 0)
                {
                    o._values[a[2..eq]] = a[(eq + 1)..];
                }
                else if (Flags.Contains(a[2..]))
                {
                    o._values[a[2..]] = "1";
                }
                else if (i + 1 < args.Length)
                {
                    o._values[a[2..]] = args[++i];
                }
                else
                {
                    throw new ArgumentException($"option {a} needs a value");
                }
            }
            else if (o.Scenario.Length == 0)
            {
                o.Scenario = a;
            }
            else
            {
                throw new ArgumentException($"unexpected argument {a}");
            }
        }

        return o;
    }

    public string Str(string key, string fallback) => Take(key) ?? fallback;

    public string? StrOrNull(string key) => Take(key);

    public int Int(string key, int fallback) => Take(key) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string key, double fallback) => Take(key) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>Options that take no value: present means 1 (<c>--tcp=0</c> still turns one off).</summary>
    private static readonly string[] Flags = ["tcp", "deflate"];

    private static readonly string[] Common = ["url", "pid", "stats-url", "label", "prefix", "source-addresses", "concurrency", "json-out"];
    private static readonly Dictionary<string, string[]> PerScenario = new()
    {
        ["idle"] = ["connections", "channels", "warmup", "settle", "hold", "deflate"],
        ["fanout"] = ["subscribers", "messages", "publishers", "size", "rate", "warmup-messages", "drain-timeout", "publish-url", "cluster-stats-url", "channel", "publisher", "deflate", "payload"],
        ["sse-fanout"] = ["subscribers", "ws-subscribers", "warmup", "settle", "messages", "publishers", "size", "rate", "warmup-messages", "drain-timeout", "channel"],
        ["channels"] = ["channels", "subscribers", "messages", "publishers", "size", "rate", "warmup-messages", "drain-timeout", "publisher"],
        ["recover"] = ["clients", "rate", "rounds", "away-ms", "live-seconds", "publishers"],
        ["ws-publish"] = ["channels", "clients", "messages", "size", "rate", "warmup-messages", "drain-timeout"],
        ["slowloris"] = ["attackers", "attacker-address", "client-address", "duration", "rate", "trickle-ms", "timeout"],
        ["send"] = ["face", "sessions", "senders", "per-send", "duration", "warmup", "size", "drain-timeout", "settle", "send-url", "callback-port", "session-header", "connect-path", "send-path"],
        ["bridge-echo"] = ["connections", "size", "frame-max", "duration", "warmup", "rate", "echo-port", "timeout", "tcp"],
        ["proxy-connect"] = ["connectors", "duration", "warmup", "greeting", "timeout", "callback-port", "session-header", "connect-path"],
    };

    /// <summary>Rejects option names the scenario does not know, before anything connects.</summary>
    public void CheckNames()
    {
        if (!PerScenario.TryGetValue(Scenario, out var own))
        {
            return; // the scenario switch reports it
        }

        var unknown = _values.Keys.Where(k => !Common.Contains(k) && !own.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown option(s) for {Scenario}: " + string.Join(", ", unknown.Select(u => "--" + u)) + " (see --help)");
        }
    }

    /// <summary>Options that were given but never read: a typo, most likely.</summary>
    public IEnumerable<string> Unused => _values.Keys.Except(_used);

    private readonly HashSet<string> _used = [];

    private string? Take(string key)
    {
        _used.Add(key);
        return _values.TryGetValue(key, out var v) ? v : null;
    }
}
