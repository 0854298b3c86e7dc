using System.Net;
using PingActors.Actors.Proxy.Callbacks;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Faces;

/// <summary>
/// kuiperbelt's protocol: the connect callback is a GET carrying the client's query and headers and names the
/// session in its answer's session header; establish, receive and close are POSTs with that header; the close
/// callback follows only a session that was established and not closed by the app.
/// </summary>
public sealed class KuiperbeltFace(ProxySettings settings) : IProxyFace
{
    public string Name => "kuiperbelt";

    public bool HasEstablish => settings.EstablishCallback is not null;

    public bool HasReceive => settings.ReceiveCallback is not null;

    public bool SendsLastWord => true;

    public string? NewKey() => null;

    public bool CloseCallbackAfter(SessionEnd end) => end == SessionEnd.Ended;

    public HttpRequestMessage Connect(ConnectRequest client, string? key)
    {
        var url = new UriBuilder(settings.ConnectCallback) { Query = client.QueryString.TrimStart('?') }.Uri;
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in client.Headers)
        {
            if (CallbackMessages.IsForwarded(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        CallbackMessages.ApplySetHeaders(request, settings);
        request.Headers.Remove(CallbackMessages.EndpointHeader);
        request.Headers.TryAddWithoutValidation(CallbackMessages.EndpointHeader, settings.Endpoint);
        return request;
    }

    public ConnectVerdict ReadConnect(HttpResponseMessage response, byte[] body, string? key)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // kuiperbelt does not count a 403 as a connect error: it is the app saying no, not failing.
            return new ConnectVerdict(CallbackMessages.Refusal(response, body), "refused", response.StatusCode != HttpStatusCode.Forbidden);
        }

        if (!response.Headers.TryGetValues(settings.SessionHeader, out var keys) || keys.FirstOrDefault() is not { Length: > 0 } named)
        {
            return new ConnectVerdict(new ConnectAnswer.Refuse(CallbackMessages.NoSessionHeader), "error", Failed: true);
        }

        var contentType = response.Content.Headers.ContentType?.ToString();
        return new ConnectVerdict(new ConnectAnswer.Accept(named, body.Length > 0 ? new Payload(!CallbackMessages.IsBinary(contentType), body) : null), "ok", Failed: false);
    }

    public HttpRequestMessage Establish(string key) => SessionRequest(settings.EstablishCallback!, key, content: null);

    public HttpRequestMessage Receive(string key, ConnectRequest client, Payload message) =>
        SessionRequest(settings.ReceiveCallback!, key, CallbackMessages.Body(message));

    public HttpRequestMessage? Close(string key, ConnectRequest client) =>
        settings.CloseCallback is null ? null : SessionRequest(settings.CloseCallback, key, content: null);

    private HttpRequestMessage SessionRequest(Uri url, string sessionKey, HttpContent? content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content ?? new ByteArrayContent([]) };
        CallbackMessages.ApplySetHeaders(request, settings);
        request.Headers.Remove(settings.SessionHeader);
        request.Headers.TryAddWithoutValidation(settings.SessionHeader, sessionKey);
        request.Headers.Remove(CallbackMessages.EndpointHeader);
        request.Headers.TryAddWithoutValidation(CallbackMessages.EndpointHeader, settings.Endpoint);
        return request;
    }
}
