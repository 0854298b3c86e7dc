using Microsoft.Playwright;

namespace PingActors.Tests.Browser;

/// <summary>
/// One headless Debian chromium, driven through Playwright, shared by the specs of the <see cref="BrowserCollection"/>.
/// Installs the browser first when <c>/usr/bin/chromium</c> is missing (tests/browser-deps.sh, apt-get as root), so
/// CI needs nothing but <c>dotnet test</c>. Never downloads a browser: the Playwright driver (node and its
/// package) ships inside the Microsoft.Playwright NuGet package and is copied to the test output, which is all
/// Playwright needs when given an executable path; it works offline.
/// </summary>
/// <remarks>
/// Use: put a spec class in <c>[Collection(BrowserCollection.Name)]</c>, take a <see cref="BrowserFixture"/> in
/// its constructor, and open pages with <see cref="NewPageAsync"/>; each page has its own context (cookies,
/// storage, cache), so specs never see each other's cookies. Pages log their console errors and failed
/// requests into <see cref="BrowserPage.Errors"/>, for assertions and failure messages.
/// </remarks>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Debian's chromium as a test browser: nothing that phones home, updates, syncs or uses a GPU.</summary>
    private static readonly string[] ChromiumArgs =
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await EnsureChromiumAsync();
        _playwright = await Playwright.CreateAsync();

        // Launch (not a persistent context): Playwright gives each launch a fresh temporary user-data dir and
        // deletes it on close, so no profile survives a run.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
    }

    /// <summary>A page in a context of its own. Dispose it to close both.</summary>
    public async Task<BrowserPage> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options);

        // The machine is shared and slow: generous, but every wait still ends.
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        return new BrowserPage(context, page);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    private static async Task EnsureChromiumAsync()
    {
        if (File.Exists(ChromiumPath))
        {
            return;
        }

        var script = Path.Combine(RepoRoot(), "tests", "browser-deps.sh");
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"could not start {script}");
        using var timeout = new CancellationTokenSource(InstallTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{script} did not install chromium within {InstallTimeout}");
        }

        if (process.ExitCode != 0 || !File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{script} exited {process.ExitCode} without {ChromiumPath}:\n{await output}\n{await error}");
        }
    }

    /// <summary>The checkout, found from the test binaries upwards (where PingActors.sln is).</summary>
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PingActors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no PingActors.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>The browser specs share one chromium and run one at a time (it is heavy on a 2-core machine).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
