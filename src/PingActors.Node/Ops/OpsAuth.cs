using System.Security.Cryptography;
using System.Text;
using PingActors.Node.Ops.Console;

namespace PingActors.Node.Ops;

/// <summary>
/// The ops listener's bearer token (pingactors.ops.auth-token): every request but /ping must carry
/// <c>Authorization: Bearer &lt;token&gt;</c>, compared in constant time; /ping stays open for load balancers'
/// health checks, as it tells nothing. The console's page and data also take the cookie a browser gets from
/// <c>GET /?token=</c> (<see cref="ConsoleCookie"/>). No token configured: everything passes (ops is then loopback only).
/// </summary>
public sealed class OpsAuth(string token)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes("Bearer " + token);
    private readonly ConsoleCookie _cookie = new(token);

    public RequestDelegate Guard(RequestDelegate next) => token.Length == 0 ? next : context =>
    {
        if (context.Request.Path.Value == "/ping" || Carries(context.Request.Headers.Authorization.ToString()))
        {
            return next(context);
        }

        // Before the cookie: a browser that comes back with ?token= is sent to the clean address again.
        if (_cookie.TryLogIn(context))
        {
            return Task.CompletedTask;
        }

        if (ConsoleCookie.Guards(context.Request.Path.Value) && _cookie.Carried(context.Request))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"pingactors-ops\"";
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("Error: unauthorized. Send Authorization: Bearer <pingactors.ops.auth-token>.\n", context.RequestAborted);
    };

    private bool Carries(string authorization) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), _expected);
}
