using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// How a peer's byte stream is cut into WebSocket messages (websocksy's framing functions). The other
/// direction needs none: each client message is written to the peer as it is.
/// </summary>
/// <remarks>
/// An interface rather than an abstract class named <c>Framing</c>: inside this namespace that name would
/// shadow Akka's <c>Akka.Streams.Dsl.Framing</c>, which the length-prefixed framing is built on.
/// </remarks>
public interface IFraming
{
    /// <summary>The name a backend or route file uses (<c>auto</c>, <c>separator</c>, ...).</summary>
    string Name { get; }

    /// <summary>
    /// A fresh flow for one connection: the peer's reads in (chunks as they arrive), messages out. A record
    /// that grows past <paramref name="maxMessageSize"/> bytes fails the flow with a <see cref="FramingException"/>
    /// (the bridge closes with 1009 and its message). When the reads complete, each framing decides what
    /// becomes of bytes it still holds (see each one's remarks); the flow then completes.
    /// </summary>
    Flow<ByteString, Payload, NotUsed> Decoder(int maxMessageSize);
}
