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
    /// failing with <paramref name="what"/>, its last value and the page's errors after <paramref name="timeout"/>.
    /// </summary>
    /// <remarks>
    /// Polls with <c>EvaluateAsync</c> rather than Playwright's <c>WaitForFunctionAsync</c>: the latter compiles the
    /// expression inside the page with eval, which a page with a strict Content-Security-Policy (the ops console)
    /// refuses; evaluation through the DevTools protocol is not subject to the page's policy.
    /// </remarks>
    public async Task WaitForAsync(string expression, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var truthy = $"(() => !!({expression}))()";
        while (true)
        {
            if (await Page.EvaluateAsync<bool>(truthy))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var last = await Page.EvaluateAsync<string>($"(() => {{ try {{ return String({expression}); }} catch (e) {{ return 'throws ' + e; }} }})()");
                throw new Xunit.Sdk.XunitException($"the page never showed {what} ({expression} was {last}); errors: [{string.Join("; ", Errors)}]");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
