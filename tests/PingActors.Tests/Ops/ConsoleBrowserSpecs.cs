using System.Collections.Concurrent;
using Microsoft.Playwright;
using PingActors.Tests.Browser;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Ops;

/// <summary>The console in headless chromium against a real node: signing in with the token, and figures that move as clients connect and publish.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleBrowserSpecs(BrowserFixture browser)
{
    private const string Token = "browser-s3cret";

    [Fact]
    public async Task Without_the_token_the_browser_is_refused_and_with_it_once_it_gets_the_page()
    {
        await using var node = await TestNode.StartAsync($"pingactors.ops.auth-token={Token}");
        await using var page = await browser.NewPageAsync();

        var refused = await page.Page.GotoAsync(new Uri(node.OpsUri, "/").ToString());
        Assert.Equal(401, refused!.Status);
        Assert.Equal(401, (await page.Page.GotoAsync(new Uri(node.OpsUri, "/?token=wrong").ToString()))!.Status);

        var signedIn = await page.Page.GotoAsync(new Uri(node.OpsUri, "/?token=" + Token).ToString());

        // Redirected to the bare page: the token is not left in the address bar or the history.
        Assert.Equal(200, signedIn!.Status);
        Assert.Equal(new Uri(node.OpsUri, "/").ToString(), page.Page.Url);
        var cookie = Assert.Single(await page.Context.CookiesAsync());
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Null(await page.Page.EvaluateAsync<string?>("document.cookie || null")); // HttpOnly: no script reads it
        await page.WaitForAsync("Number(document.body.dataset.refreshes) >= 2", "two refreshes with the cookie");
        Assert.True(await page.Page.IsHiddenAsync("#error"));

        // A fresh page (the same cookie) goes straight in.
        var again = await page.Context.NewPageAsync();
        Assert.Equal(200, (await again.GotoAsync(new Uri(node.OpsUri, "/").ToString()))!.Status);

        // The refused navigations (and their favicon requests) log their 401s; nothing else went wrong.
        Assert.All(page.Errors, e => Assert.Contains("401", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_figures_move_as_clients_connect_and_publish()
    {
        await using var node = await TestNode.StartAsync();
        await using var page = await browser.NewPageAsync();
        var origin = $"{node.OpsUri.Scheme}://{node.OpsUri.Authority}/";
        var requests = new ConcurrentQueue<string>();
        page.Page.Request += (_, request) => requests.Enqueue(request.Url);
        var busy = ChannelNames.Unique("console-page-busy");
        var quiet = ChannelNames.Unique("console-page-quiet");

        await page.Page.GotoAsync(origin);
        await page.WaitForAsync("Number(document.body.dataset.refreshes) >= 1", "a first refresh");
        Assert.Equal("0", await page.Page.TextContentAsync("#total-connections"));
        Assert.Equal("1", await page.Page.TextContentAsync("#total-members"));
        Assert.Contains("(this node)", await page.Page.TextContentAsync("#members"), StringComparison.Ordinal);

        await using var a = await node.ConnectAsync(busy);
        await using var b = await node.ConnectAsync(busy);
        await using var c = await node.ConnectAsync(quiet);
        await page.WaitForAsync("document.getElementById('total-connections').textContent === '3'", "3 connections");
        await page.WaitForAsync("document.getElementById('total-channels').textContent === '2'", "2 subscribed channels");

        for (var i = 0; i < 20; i++)
        {
            using var posted = await node.PostAsync(busy, "m" + i);
        }

        using (await node.PostAsync(quiet, "once"))
        {
        }

        // The busy channel tops the list, the quiet one follows, and the chart has points above zero.
        await page.WaitForAsync(
            $"(() => {{ const r = document.querySelectorAll('#busiest tr'); return r.length === 2 && r[0].cells[0].textContent === {Js(busy)} && r[0].cells[1].textContent === '20' && r[1].cells[0].textContent === {Js(quiet)}; }})()",
            "the busy channel first with 20 messages, then the quiet one");
        await page.WaitForAsync("Number(document.getElementById('chart').dataset.peak) > 0", "a published rate above zero in the chart");
        var points = await page.Page.GetAttributeAsync("#line-published", "points") ?? "";
        Assert.Contains(points.Split(' '), p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture) < 159);

        // The node's row shows the same connections; deliveries reach the figures too.
        var row = await page.Page.Locator("#nodes tr").First.Locator("td").AllTextContentsAsync();
        Assert.Equal("3", row[1]);

        await a.DisposeAsync();
        await page.WaitForAsync("document.getElementById('total-connections').textContent === '2'", "2 connections after one closed");

        // Self-contained: the page fetched nothing but itself and its data from this node (its CSP would log any other attempt).
        Assert.All(requests, url => Assert.StartsWith(origin, url, StringComparison.Ordinal));
        Assert.Contains(requests, url => url.EndsWith("/@console/data", StringComparison.Ordinal));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_channel_name_is_shown_as_text_never_as_markup()
    {
        await using var node = await TestNode.StartAsync();
        await using var page = await browser.NewPageAsync();
        var channel = ChannelNames.Unique("x") + "%3Cimg%20src=x%20onerror=window.pwned=1%3E";
        await page.Page.GotoAsync(new Uri(node.OpsUri, "/").ToString());

        using (await node.PostAsync(channel, "hi"))
        {
        }

        await page.WaitForAsync("document.querySelectorAll('#busiest tr td').length > 1 && document.querySelector('#busiest td').textContent.includes('<img')", "the channel's name, with its markup as text");
        Assert.Equal(0, await page.Page.Locator("#busiest img").CountAsync());
        Assert.True(await page.Page.EvaluateAsync<bool>("window.pwned === undefined"));
    }

    private static string Js(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
