using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using PingActors.Actors.Proxy.Callbacks;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Proxy.Faces;

/// <summary>
/// WSaaS's protocol (seeds-protocols.md 4): the node names each connection with a UUID; <c>POST {target}/{id}</c>
/// decides the handshake (200 only), <c>PUT {target}/{id}</c> carries each client data message, and one
/// <c>DELETE {target}/{id}</c> follows every connect POST however the socket ends, so the app has one
/// lifecycle to follow. Every callback carries the client's Authorization, or WSaaS's literal "None".
/// </summary>
/// <param name="target">TARGET_ADDRESS: the callbacks' base URL.</param>
/// <param name="localAddress">LOCAL_ADDRESS: the base of the <c>ws_uri</c> the app pushes to.</param>
/// <param name="timeoutMs">WS_TIMEOUT, echoed in the connect body as WSaaS does.</param>
public sealed class WsaasFace(string target, string localAddress, long timeoutMs) : IProxyFace
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    private readonly string _target = target.TrimEnd('/');

    public string Name => "wsaas";

    public bool HasEstablish => false;

    public bool HasReceive => true;

    // DELETE /{id} has no body to send: the client gets the close frame alone.
    public bool SendsLastWord => false;

    public string? NewKey() => Guid.NewGuid().ToString();

    public bool CloseCallbackAfter(SessionEnd end) => true;

    public HttpRequestMessage Connect(ConnectRequest client, string? key) =>
        Callback(HttpMethod.Post, key!, client, JsonBody(
            string.Create(CultureInfo.InvariantCulture, $"{{\"code\": \"NEW_CONNECTION\",\"ws_uri\":{WsUri(key!)},\"timeout\":{timeoutMs}}}")));

    public ConnectVerdict ReadConnect(HttpResponseMessage response, byte[] body, string? key) =>
        response.StatusCode == HttpStatusCode.OK
            ? new ConnectVerdict(new ConnectAnswer.Accept(key!, Greeting: null), "ok", Failed: false)
            : new ConnectVerdict(CallbackMessages.Refusal(response, body), "refused", Failed: true);

    public HttpRequestMessage Establish(string key) => throw new NotSupportedException("WSaaS has no establish callback");

    public HttpRequestMessage Receive(string key, ConnectRequest client, Payload message)
    {
        // Text goes as WSaaS sends it (application/json, whatever it holds) so its apps parse it unchanged; binary is marked as such.
        var content = new ByteArrayContent(message.Bytes);
        content.Headers.ContentType = message.IsText ? Json : OctetStream;
        return Callback(HttpMethod.Put, key, client, content);
    }

    public HttpRequestMessage? Close(string key, ConnectRequest client) =>
        Callback(HttpMethod.Delete, key, client, JsonBody($"{{\"code\": \"CONNECTION_CLOSE\", \"ws_uri\": {WsUri(key)}}}"));

    private static ByteArrayContent JsonBody(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = Json;
        return content;
    }

    private static string AuthorizationOf(ConnectRequest client)
    {
        foreach (var (name, value) in client.Headers)
        {
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return "None";
    }

    private string WsUri(string key) => "\"" + JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode($"{localAddress}/{key}") + "\"";

    private HttpRequestMessage Callback(HttpMethod method, string key, ConnectRequest client, HttpContent content)
    {
        var request = new HttpRequestMessage(method, $"{_target}/{key}") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", AuthorizationOf(client));
        return request;
    }
}
