using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace PingActors.Tests.Browser;

/// <summary>A page in its own browser context, which records what went wrong in it (console errors, page errors, failed requests).</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _errors = new();

    public BrowserPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Enqueue($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => _errors.Enqueue($"page error: {error}");
        page.RequestFailed += (_, request) => _errors.Enqueue($"request failed: {request.Method} {request.Url} {request.Failure}");
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public IReadOnlyCollection<string> Errors => _errors.ToArray();

    /// <summary>
    /// Waits until <paramref name="expression"/> (a JavaScript expression, evaluated in the page) is truthy,
    /// failing with <paramref name="what"/> and the page's errors after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForAsync(string expression, string what, TimeSpan? timeout = null)
    {
        try
        {
            await Page.WaitForFunctionAsync(expression, null, new PageWaitForFunctionOptions
            {
                Timeout = (float)(timeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds,
                PollingInterval = 100,
            });
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"the page never showed {what} ({expression}); errors: [{string.Join("; ", Errors)}]");
        }
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
