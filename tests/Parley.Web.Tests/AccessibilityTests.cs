using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Parley.Web.Tests.Infrastructure;

namespace Parley.Web.Tests;

/// <summary>The main screens pass an axe scan with no serious or critical violation, on a desktop and on a phone-sized viewport.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser)
{
    [Fact]
    public async Task MainScreens_HaveNoSeriousAccessibilityViolations()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server, viewport: new ViewportSize { Width = 390, Height = 844 });
        var violations = new List<string>();

        await Assertions.Expect(alice.Page.GetByLabel("Phone number")).ToBeVisibleAsync();
        await ScanAsync(alice, "onboarding", violations);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await alice.OpenChatWithAsync(bob.Number);
        await alice.SendAsync("A message to scan around");
        await bob.OpenChatWithAsync(alice.Number);
        await bob.ExpectMessageAsync("A message to scan around");
        await bob.StartReplyAsync("A message to scan around");
        await bob.SendAsync("And a reply");
        await alice.ExpectMessageAsync("And a reply");
        await Assertions.Expect(alice.Message("And a reply").GetByTestId("quote")).ToBeVisibleAsync();
        await alice.StartReplyAsync("And a reply"); // the reply bar is scanned too
        await ScanAsync(alice, "chats", violations);
        await ScanAsync(bob, "phone-conversation", violations);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByLabel("Chat list")).ToBeVisibleAsync();
        await ScanAsync(bob, "phone-chat-list", violations);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Heading, new() { Name = "Linked devices" })).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Link a new device" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByTestId("link-code")).ToBeVisibleAsync();
        await ScanAsync(alice, "settings", violations);

        Assert.True(violations.Count == 0, "axe found serious or critical violations:\n" + string.Join('\n', violations));
    }

    private static async Task ScanAsync(WebUser user, string screen, List<string> violations)
    {
        await user.ScreenshotAsync(screen);
        AxeResult result = await user.Page.RunAxe();
        violations.AddRange(result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{screen}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(", ", v.Nodes.Select(n => n.Html))}"));
    }
}
