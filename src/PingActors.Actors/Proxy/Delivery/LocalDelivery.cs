using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>
/// Hands one message to the sessions of this node named by a /send or /close, and says per key what became of
/// it, at once: each session's <see cref="OutboxGauge"/> decides whether its queue has room, so no answer waits
/// for a session's stream. The keys it does not hold are <see cref="DeliveryOutcome.NotFound"/>.
/// </summary>
public static class LocalDelivery
{
    public static DeliveryOutcome[] Deliver(SessionDirectory directory, IReadOnlyList<string> keys, Payload payload, bool close)
    {
        var outcomes = new DeliveryOutcome[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            outcomes[i] = DeliverTo(directory, keys[i], payload, close);
        }

        return outcomes;
    }

    private static DeliveryOutcome DeliverTo(SessionDirectory directory, string key, Payload payload, bool close)
    {
        if (!directory.TryGet(key, out var session))
        {
            return DeliveryOutcome.NotFound;
        }

        session.Activity.Touch();
        if (close)
        {
            session.Actor.Tell(new CloseByApp(payload), Akka.Actor.ActorRefs.NoSender);
            return DeliveryOutcome.Queued;
        }

        if (!session.Gauge.TryReserve(payload.Length))
        {
            return DeliveryOutcome.QueueFull;
        }

        session.Outbox(payload);
        return DeliveryOutcome.Queued;
    }
}
