using Microsoft.Playwright;

namespace Parley.Web.Tests.Infrastructure;

/// <summary>
/// One headless Debian Chromium for the whole test run (each test opens its own contexts, which
/// share nothing: separate IndexedDB, cookies, cache). Playwright never downloads a browser here.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (./test.sh does).");
        }
        // Assertions wait for what a user would wait for; on a busy 2-core machine the WebAssembly start alone can take seconds.
        Assertions.SetDefaultExpectTimeout(WebUser.Timeout);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                // Calls: a fake camera (test pattern) and microphone (beeps), granted without a prompt.
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
