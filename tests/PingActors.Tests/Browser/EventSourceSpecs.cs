using System.Net;
using System.Text.Json;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Browser;

/// <summary>A browser's own <c>EventSource</c> in headless chromium against a real node (docs/sse.md).</summary>
[Collection(BrowserCollection.Name)]
public sealed class EventSourceSpecs(BrowserFixture browser) : IAsyncLifetime
{
    // Collects what an EventSource dispatches: messages, binary and recovery events, as [type, id, data].
    private const string Listen = """
        (url) => {
          window.got = [];
          window.opened = false;
          const source = new EventSource(url);
          window.source = source;
          source.onopen = () => { window.opened = true; };
          const keep = type => e => window.got.push([type, e.lastEventId, e.data]);
          source.onmessage = keep('message');
          source.addEventListener('binary', keep('binary'));
          source.addEventListener('recovery', keep('recovery'));
        }
        """;

    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task An_EventSource_gets_text_multiline_and_binary_events_with_their_ids()
    {
        var channel = ChannelNames.Unique("browser-sse");
        await using var page = await OpenAsync(channel);

        await PostAsync(channel, "hello");
        await PostAsync(channel, "two\nlines");
        await _node.PostAsync(channel, new byte[] { 0, 255, 10, 42 });
        await page.WaitForAsync("window.got.length >= 4", "the recovery notice and three events");

        var got = await GotAsync(page);
        Assert.Equal("recovery", got[0][0]);
        var epoch = JsonDocument.Parse(got[0][2]).RootElement.GetProperty("epoch").GetString();
        Assert.Equal(["message", $"{epoch}:1", "hello"], got[1]);
        Assert.Equal(["message", $"{epoch}:2", "two\nlines"], got[2]);
        Assert.Equal("binary", got[3][0]);
        Assert.Equal($"{epoch}:3", got[3][1]);
        Assert.Equal(new byte[] { 0, 255, 10, 42 }, Convert.FromBase64String(got[3][2]));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_new_EventSource_resumes_from_the_last_id_with_exactly_what_it_missed()
    {
        var channel = ChannelNames.Unique("browser-resume");
        await using var keeper = await _node.ConnectAsync(channel);
        await using var page = await OpenAsync(channel);
        await PostAsync(channel, "m1");
        await page.WaitForAsync("window.got.length >= 2", "m1");
        var lastId = (await GotAsync(page))[1][1];
        await page.Page.EvaluateAsync("() => window.source.close()");

        await PostAsync(channel, "m2");
        await PostAsync(channel, "m3");
        await page.Page.EvaluateAsync(Listen, $"{channel}?lastEventId={Uri.EscapeDataString(lastId)}");
        await page.WaitForAsync("window.opened", "the resumed stream open");
        await PostAsync(channel, "m4");
        await page.WaitForAsync("window.got.length >= 4", "the recovery notice and m2..m4");

        var got = await GotAsync(page);
        Assert.Equal("recovery", got[0][0]);
        Assert.True(JsonDocument.Parse(got[0][2]).RootElement.GetProperty("recovered").GetBoolean());
        Assert.Equal(["m2", "m3", "m4"], got.Skip(1).Select(e => e[2]));
        Assert.Equal(4, got.Count);

        // The one failed request is the first stream, which the page closed itself.
        Assert.Equal([$"request failed: GET {_node.HttpUri(channel)} net::ERR_ABORTED"], page.Errors);
    }

    // A page of the node's own origin (another channel's page), so the EventSource is same-origin.
    private async Task<BrowserPage> OpenAsync(string channel)
    {
        var page = await browser.NewPageAsync();
        await page.Page.GotoAsync(_node.HttpUri(ChannelNames.Unique("browser-home")).ToString());
        await page.Page.EvaluateAsync(Listen, channel);
        await page.WaitForAsync("window.opened && window.got.length >= 1", "the stream open with its recovery notice");
        return page;
    }

    private static async Task<List<string[]>> GotAsync(BrowserPage page) =>
        [.. await page.Page.EvaluateAsync<string[][]>("() => window.got")];

    private async Task PostAsync(string channel, string body)
    {
        using var response = await _node.PostAsync(channel, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
