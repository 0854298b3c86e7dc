using Akka.Actor;
using Akka.Dispatch.MessageQueues;

namespace PingActors.Actors.Dispatch;

/// <summary>What Akka's own queues do when their actor stops: whatever is left goes to dead letters.</summary>
internal static class MessageQueueCleanUp
{
    public static void DrainToDeadLetters(this IMessageQueue queue, IActorRef owner, IMessageQueue deadLetters)
    {
        while (queue.TryDequeue(out var envelope))
        {
            deadLetters.Enqueue(owner, envelope);
        }
    }
}
