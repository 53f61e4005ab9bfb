using Microsoft.Playwright;
using Parley.Web.Tests.Infrastructure;

namespace Parley.Web.Tests;

/// <summary>Keys, sessions and history live in IndexedDB: a reload or a server restart loses nothing, and offline sends wait in the outbox.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LocalStateTests(BrowserFixture browser)
{
    [Fact]
    public async Task Reload_KeepsHistoryAndSessions_AndOfflineSendsGoOutWhenTheServerIsBack()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await alice.OpenChatWithAsync(bob.Number);
        await alice.SendAsync("Before the reload");
        await bob.OpenChatWithAsync(alice.Number);
        await bob.SendAsync("Reply before the reload");
        await alice.ExpectMessageAsync("Reply before the reload");

        await alice.ReloadAsync();
        await alice.WaitUntilOnlineAsync();
        await alice.OpenChatAsync(bob.Number);
        await alice.ExpectMessageAsync("Before the reload");
        await alice.ExpectMessageAsync("Reply before the reload");
        await alice.ExpectTicksAsync("Before the reload", "Read");
        // The ratchet state survived too: the conversation simply goes on.
        await alice.SendAsync("After the reload");
        await bob.ExpectMessageAsync("After the reload");

        // The server goes away: "connecting…" shows, a message waits with a clock, and goes out when the server is back.
        await server.Process.KillAsync();
        await Assertions.Expect(alice.Page.GetByTestId("connection")).ToContainTextAsync("Connecting…");
        await alice.SendAsync("Written while offline");
        await alice.ExpectTicksAsync("Written while offline", "Pending");
        await alice.ScreenshotAsync("offline");
        await server.Process.StartAsync();
        await alice.WaitUntilOnlineAsync();
        await alice.ExpectTicksAsync("Written while offline", "Read");
        await bob.ExpectMessageAsync("Written while offline");
    }
}
