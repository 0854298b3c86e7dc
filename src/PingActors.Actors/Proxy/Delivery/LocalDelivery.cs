using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>Offers one message to the sessions of this node named by a /send or /close; the keys it does not hold are <see cref="DeliveryOutcome.NotFound"/>.</summary>
public static class LocalDelivery
{
    public static Task<DeliveryOutcome[]> DeliverAsync(SessionDirectory directory, IReadOnlyList<string> keys, Payload payload, bool close, TimeSpan within)
    {
        var receipt = new SendReceipt(keys.Count);
        for (var slot = 0; slot < keys.Count; slot++)
        {
            if (!directory.TryGet(keys[slot], out var session))
            {
                receipt.Set(slot, DeliveryOutcome.NotFound);
                continue;
            }

            session.Activity.Touch();
            if (close)
            {
                session.Actor.Tell(new CloseByApp(payload, receipt, slot), Akka.Actor.ActorRefs.NoSender);
            }
            else
            {
                session.Outbox(new Offer(payload, receipt, slot));
            }
        }

        return receipt.WaitAsync(within);
    }
}
