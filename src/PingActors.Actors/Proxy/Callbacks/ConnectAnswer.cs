using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Callbacks;

/// <summary>What the app's connect callback decided.</summary>
public abstract record ConnectAnswer
{
    /// <summary>200 with the session header: upgrade; <paramref name="Greeting"/> (the callback's body, if any) is the first message.</summary>
    public sealed record Accept(string SessionKey, Payload? Greeting) : ConnectAnswer;

    /// <summary>Anything else: this answer goes to the client instead of the upgrade.</summary>
    public sealed record Refuse(SessionOutcome.Refused Answer) : ConnectAnswer;
}

/// <summary>The client's handshake as the connect callback sees it: its query and headers, minus the WebSocket and hop-by-hop ones.</summary>
/// <param name="RemoteAddress">The client's address, for the connection API's description of the session.</param>
public sealed record ConnectRequest(string QueryString, IReadOnlyList<KeyValuePair<string, string>> Headers, string? RemoteAddress = null);
