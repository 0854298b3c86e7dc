namespace PingActors.Bench;

/// <summary>What <c>send</c> and <c>proxy-connect</c> share: the proxy under test and the callback app it calls.</summary>
internal static class KbTarget
{
    /// <summary>The proxy: --url defaults to kuiperbelt's port, 9180, not the hub's 8080.</summary>
    public static Target Create(Options o, int plannedConnections) =>
        new(o, plannedConnections, o.Str("url", "http://127.0.0.1:9180"), null, o.StrOrNull("stats-url"));

    /// <summary>
    /// The callback app on --callback-port (default 0: any free port, which suits a proxy configured after the
    /// app is up, or one already pointing there; a script that starts the proxy first passes the port).
    /// </summary>
    public static async Task<CallbackApp> StartCallbackAsync(Options o, bool greeting)
    {
        var app = await CallbackApp.StartAsync(o.Int("callback-port", 0), o.Str("session-header", CallbackApp.DefaultSessionHeader), greeting);
        Delivery.Log($"callback app on 127.0.0.1:{app.Port}; the proxy's config needs: {app.ConfigHint}");
        return app;
    }
}
