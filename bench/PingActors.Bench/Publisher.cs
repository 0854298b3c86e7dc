namespace PingActors.Bench;

/// <summary>
/// The POST publishers of <c>fanout</c> and <c>channels</c>: text/plain bodies POSTed to a fixed list of channels
/// of one target, at most <c>connections</c> at a time. A POST not answered 2xx, or failed (network error,
/// timeout), is counted in <see cref="Errors"/> and never thrown, so a broken server cannot stop a run.
/// Two implementations, chosen by <c>--publisher</c>: <see cref="RawHttpPublisher"/> (default, lean) and
/// <see cref="HttpClientPublisher"/> (the one used before, kept so results stay comparable with older runs).
/// </summary>
internal abstract class Publisher : IDisposable
{
    /// <summary>How long one POST may take, connecting included: the 30 s the tool's HttpClient always had.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private int _errors;

    /// <summary>POSTs counted as failed since the last <see cref="TakeErrors"/>.</summary>
    public int Errors => Volatile.Read(ref _errors);

    /// <summary>
    /// The publisher <paramref name="kind"/> (<c>raw</c> or <c>httpclient</c>) for <paramref name="channels"/> of
    /// <paramref name="target"/>; <paramref name="header"/>, when given, names the response header
    /// <see cref="PostAsync"/> returns.
    /// </summary>
    public static Publisher Create(string kind, Target target, IReadOnlyList<string> channels, int connections, string? header) => kind switch
    {
        "raw" => new RawHttpPublisher(target, channels, connections, header),
        "httpclient" => new HttpClientPublisher(target, channels, connections, header),
        _ => throw new ArgumentException($"--publisher must be raw or httpclient, not '{kind}'"),
    };

    /// <summary>
    /// POSTs <paramref name="body"/> to channel number <paramref name="channel"/> (an index into the list given at
    /// creation). Ok on a 2xx answer (the node and Baseline answer 200, nchan 201 / 202); Header is the value of
    /// the header asked for at creation, or null.
    /// </summary>
    public async ValueTask<(bool Ok, string? Header)> PostAsync(int channel, byte[] body, CancellationToken ct = default)
    {
        try
        {
            var (status, header) = await SendAsync(channel, body, ct).ConfigureAwait(false);
            if (status is >= 200 and < 300)
            {
                return (true, header);
            }
        }
        catch (Exception)
        {
            // Counted below, like a non-2xx answer: the run goes on and reports it.
        }

        Interlocked.Increment(ref _errors);
        return (false, null);
    }

    /// <summary>The error count so far, and a fresh count from zero (warm-up errors apart from measured ones).</summary>
    public int TakeErrors() => Interlocked.Exchange(ref _errors, 0);

    public abstract void Dispose();

    /// <summary>One POST: the answer's status and the header asked for; throws on network errors and timeouts.</summary>
    protected abstract ValueTask<(int Status, string? Header)> SendAsync(int channel, byte[] body, CancellationToken ct);
}
