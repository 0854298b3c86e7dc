using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Ops;

/// <summary>
/// With pingactors.ops.auth-token set, the console wants the bearer header or the cookie a browser gets from
/// <c>GET /?token=</c>; the cookie opens the console's page and data only.
/// </summary>
public sealed class ConsoleAuthSpecs
{
    private const string Token = "s3cret-console";

    [Fact]
    public async Task Without_the_token_the_page_and_its_data_are_refused()
    {
        await using var node = await TestNode.StartAsync($"pingactors.ops.auth-token={Token}");

        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/")).Status);
        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/@console/data")).Status);
        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/?token=wrong")).Status);
        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/@console/data?token=" + Token)).Status);
        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/", "Cookie: pingactors_console=0123abcd")).Status);

        Assert.Equal(200, (await RawHttp.GetAsync(node.OpsUri, "/", $"Authorization: Bearer {Token}")).Status);
        Assert.Equal(200, (await RawHttp.GetAsync(node.OpsUri, "/@console/data", $"Authorization: Bearer {Token}")).Status);
    }

    [Fact]
    public async Task The_token_in_the_query_once_gives_an_http_only_strict_cookie_and_a_clean_address()
    {
        await using var node = await TestNode.StartAsync($"pingactors.ops.auth-token={Token}");

        var login = await RawHttp.GetAsync(node.OpsUri, "/?token=" + Token);

        Assert.Equal(303, login.Status);
        Assert.Equal("/", login.Header("Location"));
        var setCookie = login.Header("Set-Cookie") ?? "";
        var attributes = setCookie.Split(';').Select(a => a.Trim().ToLowerInvariant()).ToArray();
        Assert.StartsWith("pingactors_console=", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/", attributes);
        var cookie = setCookie.Split(';')[0];
        Assert.DoesNotContain(Token, cookie, StringComparison.Ordinal);

        Assert.Equal(200, (await RawHttp.GetAsync(node.OpsUri, "/", "Cookie: " + cookie)).Status);
        Assert.Equal(200, (await RawHttp.GetAsync(node.OpsUri, "/@console/data", "Cookie: " + cookie)).Status);
        Assert.Equal(303, (await RawHttp.GetAsync(node.OpsUri, "/?token=" + Token, "Cookie: " + cookie)).Status); // back to the clean address
        Assert.Equal(401, (await RawHttp.SendAsync(node.OpsUri, "POST", "/?token=" + Token, [], [])).Status); // signing in is a GET

        // The cookie is the console's key, not ops': the rest still wants the bearer header.
        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/stats", "Cookie: " + cookie)).Status);
        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/metrics", "Cookie: " + cookie)).Status);
        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/cluster", "Cookie: " + cookie)).Status);
    }

    [Fact]
    public async Task A_cookie_from_another_token_is_refused()
    {
        await using var node = await TestNode.StartAsync($"pingactors.ops.auth-token={Token}");
        await using var other = await TestNode.StartAsync("pingactors.ops.auth-token=another");
        var otherCookie = (await RawHttp.GetAsync(other.OpsUri, "/?token=another")).Header("Set-Cookie")!.Split(';')[0];

        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/", "Cookie: " + otherCookie)).Status);
        Assert.Equal(200, (await RawHttp.GetAsync(other.OpsUri, "/", "Cookie: " + otherCookie)).Status);
    }
}
