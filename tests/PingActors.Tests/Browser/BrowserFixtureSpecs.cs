namespace PingActors.Tests.Browser;

/// <summary>The fixture itself: Debian's chromium runs headless, offline, and runs scripts.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserFixtureSpecs(BrowserFixture browser)
{
    [Fact]
    public async Task Chromium_runs_headless_and_evaluates_scripts()
    {
        await using var page = await browser.NewPageAsync();

        await page.Page.SetContentAsync("<p id=x>0</p><script>document.getElementById('x').textContent = String(6 * 7);</script>");

        Assert.Equal("42", await page.Page.TextContentAsync("#x"));
        Assert.Contains("HeadlessChrome", await page.Page.EvaluateAsync<string>("navigator.userAgent"), StringComparison.Ordinal);
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Each_page_has_its_own_cookies()
    {
        await using var first = await browser.NewPageAsync();
        await using var second = await browser.NewPageAsync();
        await first.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "a", Value = "1", Url = "http://127.0.0.1/" }]);

        Assert.Single(await first.Context.CookiesAsync());
        Assert.Empty(await second.Context.CookiesAsync());
    }
}
