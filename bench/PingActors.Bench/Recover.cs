using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace PingActors.Bench;

/// <summary>
/// Recovery under load (docs/recovery.md): one channel, a steady POST publish at --rate msg/s, C <c>?recover=1</c>
/// clients that all drop their sockets at once and reconnect at once with since/epoch, R rounds. Each client
/// checks the seqs it receives: every one must follow the one before (a jump is lost messages, a repeat a
/// duplicate). Reports lost, duplicated, answers recovered:false, and how long the reconnect of all clients
/// took (from the first new connection to the last client's answer frame).
/// </summary>
internal static class Recover
{
    public static async Task<int> RunAsync(Options o)
    {
        var clients = Math.Max(1, o.Int("clients", 1000));
        var rate = o.Double("rate", 1000);
        var rounds = Math.Max(1, o.Int("rounds", 3));
        var awayMs = Math.Max(0, o.Int("away-ms", 500));
        var liveSeconds = o.Double("live-seconds", 3);
        var concurrency = Math.Max(1, o.Int("concurrency", 200));
        var publishers = Math.Max(1, o.Int("publishers", 4));
        var jsonOut = o.StrOrNull("json-out");
        using var target = new Target(o, clients * 2);
        Program.CheckUnused(o);
        Native.RaiseOpenFileLimit();

        var channel = "recover-" + Guid.NewGuid().ToString("N")[..8];
        Delivery.Log($"target {target.Label}: /{target.Prefix}/{channel}, {clients} ?recover=1 clients, {rate} msg/s, {rounds} rounds away {awayMs} ms");
        var all = Enumerable.Range(0, clients).Select(_ => new Client()).ToArray();
        var connectSw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (c, ct) => await c.ConnectAsync(target, channel, ct));
        Delivery.Log($"{clients} connected in {connectSw.Elapsed.TotalSeconds:N1} s");

        // The steady publish, with the channel's seq of each accepted message from X-PingActors-Seq.
        using var publisher = Publisher.Create("raw", target, [channel], publishers, "X-PingActors-Seq");
        long lastSeq = 0;
        long published = 0;
        using var stop = new CancellationTokenSource();
        var publishing = Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
        {
            var pacer = new Pacer(rate, publishers, p);
            var body = Encoding.ASCII.GetBytes($"p{p}-x");
            while (!stop.IsCancellationRequested)
            {
                await pacer.WaitTurnAsync();
                var (ok, header) = await publisher.PostAsync(0, body);
                if (ok && long.TryParse(header, out var seq))
                {
                    Interlocked.Increment(ref published);
                    long seen;
                    while ((seen = Interlocked.Read(ref lastSeq)) < seq && Interlocked.CompareExchange(ref lastSeq, seq, seen) != seen)
                    {
                    }
                }
            }
        })).ToArray();

        var reconnect = new List<double>();
        var notRecovered = 0;
        for (var round = 1; round <= rounds; round++)
        {
            await Task.Delay(TimeSpan.FromSeconds(liveSeconds));
            foreach (var c in all)
            {
                c.Drop();
            }

            await Task.Delay(awayMs);
            var sw = Stopwatch.StartNew();
            await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (c, ct) => await c.ConnectAsync(target, channel, ct));
            reconnect.Add(sw.Elapsed.TotalSeconds);
            var failed = all.Count(c => !c.LastAnswerRecovered);
            notRecovered += failed;
            Delivery.Log($"round {round}: {clients} reconnected in {sw.Elapsed.TotalSeconds:N2} s; {failed} answered recovered:false; lost so far {all.Sum(c => c.Lost)}, duplicates {all.Sum(c => c.Duplicates)}");
        }

        await Task.Delay(TimeSpan.FromSeconds(liveSeconds));
        stop.Cancel();
        await Task.WhenAll(publishing);

        // Drain: every client up to the last accepted seq, or 10 s without progress.
        var final = Interlocked.Read(ref lastSeq);
        var drainSw = Stopwatch.StartNew();
        var behind = all.Count(c => c.Last < final);
        while (behind > 0 && drainSw.Elapsed < TimeSpan.FromSeconds(10))
        {
            // A client the server closed (slow consumer: the tool's readers fell behind) does what a real one
            // would: reconnects with its position.
            await Parallel.ForEachAsync(all.Where(c => c.Closed).ToList(), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (c, ct) => await c.ConnectAsync(target, channel, ct));
            await Task.Delay(100);
            behind = all.Count(c => c.Last < final);
        }

        // A client still short of the last seq lost the tail.
        var tailLost = all.Sum(c => Math.Max(0, final - c.Last));
        foreach (var c in all)
        {
            c.Drop();
        }

        var report = new Report("recover");
        report.Add("target", target.Label);
        report.Add("clients", clients);
        report.Add("rate", rate, "publish rate (msg/s)");
        report.Add("rounds", rounds);
        report.Add("away_ms", awayMs, "away before reconnecting (ms)");
        report.Add("published", Interlocked.Read(ref published), "messages accepted");
        report.Add("last_seq", final);
        report.Add("publish_errors", publisher.Errors);
        report.Add("lost", all.Sum(c => c.Lost) + tailLost, "lost (gaps in a client's seqs, or short of the last)");
        report.Add("duplicates", all.Sum(c => c.Duplicates));
        report.Add("not_recovered", notRecovered, "answers recovered:false");
        report.Add("connect_failures", all.Sum(c => c.Failures));
        report.Add("closed_by_server", all.Sum(c => c.ServerCloses), "sockets the server closed");
        report.Add("reconnect_s_mean", reconnect.Average(), "reconnect of all clients, mean (s)");
        report.Add("reconnect_s_max", reconnect.Max(), "reconnect of all clients, max (s)");
        report.Add("delivered", all.Sum(c => c.Received));
        report.Print(jsonOut);
        return all.Sum(c => c.Lost) + tailLost + all.Sum(c => c.Duplicates) + notRecovered > 0 ? 1 : 0;
    }

    private sealed class Client
    {
        private ClientWebSocket? _ws;
        private Task? _reading;
        private long _last = -1;
        private string? _epoch;
        private long _lost;
        private long _duplicates;
        private long _received;

        public long Last => Interlocked.Read(ref _last);

        public long Lost => Interlocked.Read(ref _lost);

        public long Duplicates => Interlocked.Read(ref _duplicates);

        public long Received => Interlocked.Read(ref _received);

        public bool LastAnswerRecovered { get; private set; }

        public int Failures { get; private set; }

        public int ServerCloses => Volatile.Read(ref _serverCloses);

        /// <summary>The server closed its socket (its read loop ended); it has not reconnected yet.</summary>
        public bool Closed => Volatile.Read(ref _closed);

        private int _serverCloses;
        private bool _closed;

        public async Task ConnectAsync(Target target, string channel, CancellationToken ct)
        {
            var query = _epoch is null ? "?recover=1" : $"?recover=1&since={Last}&epoch={_epoch}";
            for (var attempt = 0; attempt < 5; attempt++)
            {
                try
                {
                    _ws = await target.OpenAsync(channel + query, ct);
                    break;
                }
                catch (Exception) when (attempt < 4)
                {
                    Failures++;
                    await Task.Delay(200, ct);
                }
            }

            // The answer first: where the stream continues.
            var answer = await ReceiveAsync(_ws!, ct) ?? throw new InvalidOperationException("closed before the answer");
            using (var json = JsonDocument.Parse(answer))
            {
                var root = json.RootElement;
                LastAnswerRecovered = root.GetProperty("recovered").GetBoolean();
                var seq = root.GetProperty("seq").GetInt64();
                var epoch = root.GetProperty("epoch").GetString();
                if (_epoch is not null && (!LastAnswerRecovered || epoch != _epoch))
                {
                    // Not recovered: what it missed is gone, counted as lost.
                    Interlocked.Add(ref _lost, Math.Max(0, seq - Last));
                }

                _epoch = epoch;
                Interlocked.Exchange(ref _last, seq);
            }

            var ws = _ws!;
            Volatile.Write(ref _closed, false);
            _reading = Task.Run(() => ReadAsync(ws));
        }

        public void Drop()
        {
            _ws?.Abort();
            _ws?.Dispose();
            try
            {
                _reading?.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        private async Task ReadAsync(ClientWebSocket ws)
        {
            try
            {
                while (await ReceiveAsync(ws, CancellationToken.None) is { } frame)
                {
                    var seq = SeqOf(frame);
                    Interlocked.Increment(ref _received);
                    var last = Last;
                    if (seq <= last)
                    {
                        Interlocked.Increment(ref _duplicates);
                        continue;
                    }

                    if (seq > last + 1)
                    {
                        Interlocked.Add(ref _lost, seq - last - 1);
                    }

                    Interlocked.Exchange(ref _last, seq);
                }

                Interlocked.Increment(ref _serverCloses);
                Volatile.Write(ref _closed, true);
            }
            catch (Exception)
            {
                // Aborted by Drop.
            }
        }

        private static long SeqOf(byte[] frame)
        {
            // {"epoch":"…","seq":N,"data":"…"}: the seq sits after the fixed-size epoch.
            var reader = new Utf8JsonReader(frame);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    return reader.GetInt64();
                }
            }

            throw new InvalidDataException("a frame without a seq");
        }

        private static async Task<byte[]?> ReceiveAsync(ClientWebSocket ws, CancellationToken ct)
        {
            var buffer = new byte[4096];
            using var message = new MemoryStream();
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return message.ToArray();
                }
            }
        }
    }
}
