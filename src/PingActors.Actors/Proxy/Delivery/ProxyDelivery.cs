using Akka.Actor;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>One /send or /close's per-session outcomes; <paramref name="Sent"/> is false when strict-broadcast refused it as a whole.</summary>
public sealed record DeliveryReport(IReadOnlyList<string> Keys, IReadOnlyList<DeliveryOutcome> Outcomes, bool Sent);

/// <summary>
/// A /send or /close from any node: this node's sessions first, straight to their outboxes; the keys it does
/// not hold go to every other node's gateway at once, and their answers are merged per key. A session is
/// on one node, so the first answer that is not "not found" is its outcome; a key no node answered for in
/// send-timeout is "context deadline exceeded".
/// </summary>
public sealed class ProxyDelivery(SessionDirectory directory, ProxyPeers peers, ProxySettings settings)
{
    public async Task<DeliveryReport> DeliverAsync(IReadOnlyList<string> keys, Payload payload, bool close)
    {
        if (settings.StrictBroadcast && await MissingAsync(keys).ConfigureAwait(false) is { Count: > 0 } missing)
        {
            var refused = keys.Select(k => missing.Contains(k) ? DeliveryOutcome.NotFound : DeliveryOutcome.Queued).ToArray();
            return new DeliveryReport(keys, refused, Sent: false);
        }

        var outcomes = LocalDelivery.Deliver(directory, keys, payload, close);
        var gateways = peers.Gateways;

        // The common case, every session here (or no other node): no list of the missing keys is made.
        if (gateways.Count == 0 || Array.IndexOf(outcomes, DeliveryOutcome.NotFound) < 0)
        {
            return new DeliveryReport(keys, outcomes, Sent: true);
        }

        var elsewhere = Enumerable.Range(0, keys.Count).Where(i => outcomes[i] == DeliveryOutcome.NotFound).ToArray();

        var remoteKeys = elsewhere.Select(i => keys[i]).ToArray();
        var answers = gateways.Select(g => DeliverRemotelyAsync(g, remoteKeys, payload, close)).ToArray();
        await Task.WhenAll(answers.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        for (var j = 0; j < elsewhere.Length; j++)
        {
            outcomes[elsewhere[j]] = Merge(answers, j);
        }

        return new DeliveryReport(keys, outcomes, Sent: true);
    }

    private async Task<RemoteDelivered> DeliverRemotelyAsync(IActorRef gateway, IReadOnlyList<string> keys, Payload payload, bool close)
    {
        var (id, answer) = peers.Pending.Expect(settings.SendTimeout);
        peers.BatcherFor(gateway).Send(new RemoteDeliver(id, keys, payload, close));
        return (RemoteDelivered)await answer.ConfigureAwait(false);
    }

    /// <summary>The session <paramref name="key"/> wherever it is held; null when no node answered that it holds it.</summary>
    public async Task<ConnectionInfo?> DescribeAsync(string key, string selfNode)
    {
        if (ProxyGateway.Describe(directory, key, selfNode) is { } local)
        {
            return local;
        }

        var answers = peers.Gateways.Select(g => AskAsync<RemoteDescribed>(g, id => new RemoteDescribe(id, key))).ToArray();
        await Task.WhenAll(answers.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        return answers.Where(a => a.IsCompletedSuccessfully).Select(a => a.Result.Info).FirstOrDefault(i => i is not null);
    }

    // In the name of this node's gateway, which gets the answer (PendingAnswers).
    private async Task<T> AskAsync<T>(IActorRef gateway, Func<long, object> message)
    {
        var (id, answer) = peers.Pending.Expect(settings.SendTimeout);
        gateway.Tell(message(id), peers.Local);
        return (T)await answer.ConfigureAwait(false);
    }

    private static DeliveryOutcome Merge(Task<RemoteDelivered>[] answers, int index)
    {
        var unanswered = false;
        var outcome = DeliveryOutcome.NotFound;
        foreach (var answer in answers)
        {
            if (!answer.IsCompletedSuccessfully)
            {
                unanswered = true;
                continue;
            }

            var theirs = answer.Result.Outcomes[index];
            if (theirs != DeliveryOutcome.NotFound && (outcome == DeliveryOutcome.NotFound || theirs == DeliveryOutcome.Queued))
            {
                outcome = theirs;
            }
        }

        return outcome == DeliveryOutcome.NotFound && unanswered ? DeliveryOutcome.TimedOut : outcome;
    }

    private async Task<HashSet<string>> MissingAsync(IReadOnlyList<string> keys)
    {
        var missing = keys.Where(k => !directory.TryGet(k, out _)).ToHashSet(StringComparer.Ordinal);
        var gateways = peers.Gateways;
        if (missing.Count == 0 || gateways.Count == 0)
        {
            return missing;
        }

        var asked = missing.ToArray();
        var answers = gateways.Select(g => AskAsync<RemoteFound>(g, id => new RemoteLookup(id, asked))).ToArray();
        await Task.WhenAll(answers.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        foreach (var answer in answers.Where(a => a.IsCompletedSuccessfully))
        {
            for (var i = 0; i < asked.Length; i++)
            {
                if (answer.Result.Found[i])
                {
                    missing.Remove(asked[i]);
                }
            }
        }

        return missing;
    }
}
