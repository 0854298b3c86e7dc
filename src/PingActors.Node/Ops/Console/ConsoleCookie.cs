using System.Security.Cryptography;
using System.Text;

namespace PingActors.Node.Ops.Console;

/// <summary>
/// How a browser gets into the console when ops has a token: it cannot send a bearer header on navigation, so
/// <c>GET /?token=&lt;token&gt;</c> once sets an HttpOnly, SameSite=Strict cookie and redirects to <c>/</c> (the token
/// leaves the address bar and history). The cookie holds an HMAC of the token, not the token, and opens the
/// console's page and data only: everything else on ops still wants the bearer header.
/// </summary>
public sealed class ConsoleCookie
{
    public const string Name = "pingactors_console";

    private readonly byte[] _token;
    private readonly byte[] _value;

    public ConsoleCookie(string token)
    {
        _token = Encoding.UTF8.GetBytes(token);

        // The same on every node with the same token, and across restarts: one login serves a whole cluster's consoles.
        _value = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(_token, "pingactors-console-cookie"u8)));
    }

    public static bool Guards(string? path) => path is ConsoleEndpoint.PagePath or ConsoleEndpoint.DataPath;

    /// <summary>True if the request carries the console cookie.</summary>
    public bool Carried(HttpRequest request) =>
        request.Cookies.TryGetValue(Name, out var value) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(value ?? ""), _value);

    /// <summary>Answers <c>GET /?token=...</c> with the right token: the cookie and a redirect to <c>/</c>. False for any other request.</summary>
    public bool TryLogIn(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method)
            || context.Request.Path.Value != ConsoleEndpoint.PagePath
            || !context.Request.Query.TryGetValue("token", out var given)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given.ToString()), _token))
        {
            return false;
        }

        // Not Secure: ops speaks plain HTTP (keep it on loopback or behind a TLS proxy, docs/console.md).
        context.Response.Cookies.Append(Name, Encoding.ASCII.GetString(_value), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
        });
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = ConsoleEndpoint.PagePath;
        context.Response.Headers.CacheControl = "no-store";
        return true;
    }
}
