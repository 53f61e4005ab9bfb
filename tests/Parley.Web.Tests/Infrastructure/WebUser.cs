using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Parley.Web.Tests.Infrastructure;

/// <summary>
/// A person using the web client in their own browser context (own IndexedDB). Methods are what the
/// person does; they find controls by their accessible labels, as a screen reader user would.
/// </summary>
public sealed partial class WebUser : IAsyncDisposable
{
    /// <summary>Generous for the first load of the WebAssembly runtime on a busy 2-core machine.</summary>
    public static readonly float Timeout = 30_000;

    private readonly IBrowserContext _context;
    private readonly List<string> _console = [];

    private WebUser(IBrowserContext context, IPage page, WebServer server, string number)
    {
        _context = context;
        Page = page;
        Server = server;
        Number = number;
        page.Console += (_, message) => { lock (_console) { _console.Add(message.Text); } };
        page.PageError += (_, error) => { lock (_console) { _console.Add("page error: " + error); } };
    }

    public IPage Page { get; }

    public WebServer Server { get; }

    public string Number { get; }

    /// <summary>What the page wrote to the console (checked for secrets, attached to failures).</summary>
    public IReadOnlyList<string> ConsoleLines
    {
        get
        {
            lock (_console)
            {
                return [.. _console];
            }
        }
    }

    public static async Task<WebUser> OpenAsync(IBrowser browser, WebServer server, string? number = null, ViewportSize? viewport = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = viewport ?? new ViewportSize { Width = 1100, Height = 760 },
        });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        return new WebUser(context, page, server, number ?? WebServer.NewNumber());
    }

    /// <summary>
    /// Registers this browser's number with the SMS code from the dev outbox, then either sets a
    /// profile name (and photo) or skips that step, and waits for the chat list.
    /// </summary>
    public async Task RegisterAsync(string? name = null, byte[]? photo = null)
    {
        // The first field appears once the WebAssembly runtime started: slow while other builds load the 2 cores.
        await Page.GetByLabel("Phone number").FillAsync(Number, new() { Timeout = 120_000 });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send code" }).ClickAsync();
        var code = await Server.ReadCodeAsync(Number);
        await Page.GetByLabel("Verification code").FillAsync(code);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await WithConsoleAsync(async () =>
        {
            await Assertions.Expect(Page.GetByLabel("Your name")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            if (name is null)
            {
                await Page.GetByRole(AriaRole.Button, new() { Name = "Skip for now" }).ClickAsync();
            }
            else
            {
                if (photo is not null)
                {
                    await Page.GetByLabel("Profile photo").SetInputFilesAsync(new FilePayload { Name = "me.png", MimeType = "image/png", Buffer = photo });
                    await Assertions.Expect(Page.GetByRole(AriaRole.Img, new() { Name = "Your profile photo" })).ToBeVisibleAsync();
                }
                await Page.GetByLabel("Your name").FillAsync(name);
                await Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
            }
            await Assertions.Expect(Page.GetByLabel("Chat list")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await WaitUntilOnlineAsync();
        });
    }

    /// <summary>The "connecting…" banner is gone.</summary>
    public Task WaitUntilOnlineAsync() =>
        Assertions.Expect(Page.GetByTestId("connection")).ToHaveCountAsync(0, new() { Timeout = Timeout });

    /// <summary>Opens (or starts) the 1:1 chat with a number.</summary>
    public async Task OpenChatWithAsync(string number)
    {
        var existing = Page.Locator($"[data-chat='{number}']");
        if (await existing.CountAsync() > 0)
        {
            await existing.ClickAsync();
            return;
        }
        await Page.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await Page.GetByLabel("Phone number").FillAsync(number);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
    }

    public async Task OpenChatAsync(string titleOrKey)
    {
        var byKey = Page.Locator($"[data-chat='{titleOrKey}']");
        await (await byKey.CountAsync() > 0 ? byKey : Page.Locator(".chat-item", new() { HasText = titleOrKey })).First.ClickAsync();
    }

    /// <summary>Types into the composer and presses Enter.</summary>
    public async Task SendAsync(string text)
    {
        var box = Page.GetByLabel("Message", new() { Exact = true });
        await box.FillAsync(text);
        await box.PressAsync("Enter");
    }

    /// <summary>The bubble of a message in the open chat.</summary>
    public ILocator Message(string text) =>
        Page.Locator(".message").Filter(new() { Has = Page.Locator(".text").GetByText(text, new() { Exact = true }) }).Last;

    /// <summary>Waits until our message shows this status (Sent, Delivered, Read) in its ticks.</summary>
    public Task ExpectTicksAsync(string text, string status) =>
        Assertions.Expect(Message(text).Locator(".ticks")).ToHaveAttributeAsync("data-status", status);

    /// <summary>Waits until the server has our message (one tick or more: receipts may overtake the check).</summary>
    public Task ExpectSentAsync(string text) =>
        Assertions.Expect(Message(text).Locator(".ticks")).ToHaveAttributeAsync("data-status", new System.Text.RegularExpressions.Regex("^(Sent|Delivered|Read)$"));

    public Task ExpectMessageAsync(string text) => Assertions.Expect(Message(text)).ToBeVisibleAsync();

    /// <summary>Chooses Reply in the actions of a message (they show on hover): the reply bar opens above the composer.</summary>
    public async Task StartReplyAsync(string text)
    {
        await Message(text).HoverAsync();
        await Message(text).GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, name + ".png") });

    public async Task ReloadAsync()
    {
        await Page.ReloadAsync();
        await Assertions.Expect(Page.GetByLabel("Chat list")).ToBeVisibleAsync();
    }

    /// <summary>Runs a step; if it fails, the failure carries what the page logged.</summary>
    public async Task WithConsoleAsync(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (PlaywrightException error)
        {
            throw new PlaywrightException($"{error.Message}\n--- browser console of {Number} ---\n{string.Join('\n', ConsoleLines)}", error);
        }
    }

    [GeneratedRegex("[0-9]{6}")]
    public static partial Regex SixDigits();

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

/// <summary>Where screenshots of the main screens go: the test results folder (TestResults/screenshots under ./test.sh).</summary>
public static class Screenshots
{
    public static string Directory { get; } = Create();

    private static string Create()
    {
        var root = Environment.GetEnvironmentVariable("PARLEY_SCREENSHOTS")
            ?? Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        System.IO.Directory.CreateDirectory(root);
        return root;
    }
}
