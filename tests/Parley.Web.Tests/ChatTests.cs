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

    [Fact]
    public async Task AliceRepliesToBobsMessage_BothSeeTheQuote_AndBobsClickOnItGoesBackToTheOriginal()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server, viewport: new ViewportSize { Width = 390, Height = 640 });
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await bob.OpenChatWithAsync(alice.Number);
        await bob.SendAsync("Are we still on for Friday?");
        await alice.OpenChatWithAsync(bob.Number);
        await alice.ExpectMessageAsync("Are we still on for Friday?");
        for (var i = 1; i <= 12; i++)
        {
            await alice.SendAsync($"Unrelated message {i}"); // enough to push Bob's question off his phone's screen
        }
        await alice.ExpectSentAsync("Unrelated message 12");

        // Reply from the message's actions; Escape cancels a reply, the Reply action starts it again.
        await alice.StartReplyAsync("Are we still on for Friday?");
        await Assertions.Expect(alice.Page.GetByTestId("reply-bar")).ToContainTextAsync("Are we still on for Friday?");
        await alice.Page.GetByLabel("Message", new() { Exact = true }).PressAsync("Escape");
        await Assertions.Expect(alice.Page.GetByTestId("reply-bar")).ToHaveCountAsync(0);
        await alice.StartReplyAsync("Are we still on for Friday?");
        await alice.SendAsync("Yes, 7 pm");
        await Assertions.Expect(alice.Page.GetByTestId("reply-bar")).ToHaveCountAsync(0);

        var atAlice = alice.Message("Yes, 7 pm").GetByTestId("quote");
        await Assertions.Expect(atAlice).ToContainTextAsync(bob.Number);
        await Assertions.Expect(atAlice).ToContainTextAsync("Are we still on for Friday?");
        await bob.ExpectMessageAsync("Yes, 7 pm");
        var atBob = bob.Message("Yes, 7 pm").GetByTestId("quote");
        await Assertions.Expect(atBob.Locator(".quote-author")).ToHaveTextAsync("You");
        await Assertions.Expect(atBob.Locator(".quote-text")).ToHaveTextAsync("Are we still on for Friday?");

        var original = bob.Message("Are we still on for Friday?");
        await Assertions.Expect(original).Not.ToBeInViewportAsync();
        await atBob.ClickAsync();
        await Assertions.Expect(original).ToBeInViewportAsync();
        await Assertions.Expect(original).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("highlight"));
        await bob.ScreenshotAsync("reply-quote");
    }
}
