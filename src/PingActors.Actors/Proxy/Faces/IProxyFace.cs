using PingActors.Actors.Proxy.Callbacks;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Faces;

/// <summary>How a proxy session ended, for a face's rule on whether the app's close callback follows.</summary>
public enum SessionEnd
{
    /// <summary>Never opened: the connect callback refused it, failed, or the handshake did not complete.</summary>
    Refused,

    /// <summary>Opened, but the establish callback did not answer 200.</summary>
    EstablishFailed,

    /// <summary>The app closed it (kuiperbelt's /close, WSaaS's DELETE /{id}).</summary>
    ClosedByApp,

    /// <summary>Any other end: the client, the idle timeout, the node's shutdown.</summary>
    Ended,
}

/// <summary>What the node makes of the app's answer to a connect callback, and how it is counted.</summary>
/// <param name="Outcome">The metric's outcome label: ok, refused or error.</param>
/// <param name="Failed">Whether it counts as a connect error in the stats.</param>
public sealed record ConnectVerdict(ConnectAnswer Answer, string Outcome, bool Failed);

/// <summary>
/// One protocol the proxy engine speaks with its app (kuiperbelt's, WSaaS's): the shape of its callbacks and
/// its lifecycle rules. The session actor, the callback client, the directory and the delivery are the same
/// for every face, so a fix to the engine is a fix to both protocols.
/// </summary>
public interface IProxyFace
{
    /// <summary>The face's name in logs and metrics.</summary>
    string Name { get; }

    bool HasEstablish { get; }

    bool HasReceive { get; }

    /// <summary>Whether an app close's payload goes to the client before the close frame.</summary>
    bool SendsLastWord { get; }

    /// <summary>The session's key before its connect callback, if the node makes it; null when the app's answer names it.</summary>
    string? NewKey();

    bool CloseCallbackAfter(SessionEnd end);

    HttpRequestMessage Connect(ConnectRequest client, string? key);

    ConnectVerdict ReadConnect(HttpResponseMessage response, byte[] body, string? key);

    HttpRequestMessage Establish(string key);

    HttpRequestMessage Receive(string key, ConnectRequest client, Payload message);

    /// <summary>The close callback, or null when the app has none.</summary>
    HttpRequestMessage? Close(string key, ConnectRequest client);
}
