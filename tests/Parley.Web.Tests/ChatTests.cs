using Microsoft.Playwright;
using Parley.Web.Tests.Infrastructure;

namespace Parley.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class ChatTests(BrowserFixture browser)
{
    [Fact]
    public async Task TwoBrowsers_RegisterAndChatBothWays_TicksGoLiveToRead()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server);
        await alice.RegisterAsync();
        await bob.RegisterAsync();

        await alice.OpenChatWithAsync(bob.Number);
        await alice.SendAsync("Hello Bob 👋");
        await alice.ExpectTicksAsync("Hello Bob 👋", "Delivered");

        // Bob sees the chat appear with an unread badge, opens it: Alice's ticks turn blue without a reload.
        await Assertions.Expect(bob.Page.Locator($"[data-chat='{alice.Number}'] .unread")).ToHaveTextAsync("1");
        await bob.OpenChatWithAsync(alice.Number);
        await bob.ExpectMessageAsync("Hello Bob 👋");
        await alice.ExpectTicksAsync("Hello Bob 👋", "Read");

        // While Bob types, Alice's header says so; his message ends it.
        await bob.Page.GetByLabel("Message", new() { Exact = true }).PressSequentiallyAsync("Hi Alice");
        await Assertions.Expect(alice.Page.GetByTestId("chat-subtitle")).ToHaveTextAsync("typing…");
        await bob.SendAsync("Hi Alice, how are you?");
        await alice.ExpectMessageAsync("Hi Alice, how are you?");
        await bob.ExpectTicksAsync("Hi Alice, how are you?", "Read");
        await Assertions.Expect(alice.Page.GetByTestId("chat-subtitle")).ToHaveTextAsync("online");
        await alice.ScreenshotAsync("conversation");

        Assert.DoesNotContain(alice.ConsoleLines.Concat(bob.ConsoleLines), line => line.Contains(alice.Number, StringComparison.Ordinal) || line.Contains("Basic ", StringComparison.Ordinal));
    }
}
