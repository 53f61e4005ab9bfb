using Microsoft.Playwright;
using Parley.Web.Tests.Infrastructure;

namespace Parley.Web.Tests;

/// <summary>Profile at onboarding, contacts found from numbers, blocking, and privacy settings as the other person notices them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ProfileAndPrivacyTests(BrowserFixture browser)
{
    /// <summary>A 1×1 PNG (the client checks it is an image before encrypting it under the profile key).</summary>
    private static readonly byte[] Photo = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    [Fact]
    public async Task ProfileAtOnboarding_ChatFromFoundContact_BlockAndUnblock()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server);
        await alice.RegisterAsync("Alice Liddell", Photo);
        await bob.RegisterAsync();

        // Bob finds Alice among his address book's numbers (one of them is nobody) and starts the chat from there.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await bob.Page.GetByLabel("Find contacts").FillAsync($"{alice.Number}\n+15550000001");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Find contacts" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByText("1 of them uses Parley.")).ToBeVisibleAsync();
        await bob.Page.Locator($"[data-contact='{alice.Number}']").Filter(new() { HasText = "Alice Liddell" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Alice Liddell");

        // Her contact info shows the name she set while registering, but not yet her photo: it is end-to-end
        // encrypted under her profile key, which reaches Bob only with a message from her.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Safety number and contact info" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByTestId("contact-name")).ToHaveTextAsync("Alice Liddell");
        await Assertions.Expect(bob.Page.GetByTestId("safety-number")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Page.GetByRole(AriaRole.Img, new() { Name = $"Profile photo of {alice.Number}" })).ToHaveCountAsync(0);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to the chat" }).ClickAsync();
        await alice.OpenChatWithAsync(bob.Number);
        await alice.SendAsync("Hi Bob, it's Alice");
        await bob.ExpectMessageAsync("Hi Bob, it's Alice");

        // Now her photo shows; Bob blocks her there.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Safety number and contact info" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByRole(AriaRole.Img, new() { Name = $"Profile photo of {alice.Number}" })).ToBeVisibleAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = $"Block {alice.Number}" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = $"Unblock {alice.Number}" })).ToBeVisibleAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to the chat" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByTestId("blocked-banner")).ToBeVisibleAsync();

        // Blocked: Alice's message is accepted (one tick, she is not told) but never reaches Bob.
        await alice.SendAsync("Are you ignoring me?");
        await alice.ExpectTicksAsync("Are you ignoring me?", "Sent");

        // Settings lists her; Bob unblocks her there, and her next message arrives (the blocked one never does).
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var blocked = bob.Page.GetByRole(AriaRole.List, new() { Name = "Blocked contacts" });
        await Assertions.Expect(blocked).ToContainTextAsync(alice.Number);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = $"Unblock {alice.Number}" }).ClickAsync();
        await Assertions.Expect(blocked.Locator("li")).ToHaveCountAsync(0);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Close settings" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByTestId("blocked-banner")).ToHaveCountAsync(0);

        await alice.SendAsync("Hello again");
        await bob.ExpectMessageAsync("Hello again");
        await alice.ExpectTicksAsync("Hello again", "Read");
        await Assertions.Expect(bob.Message("Are you ignoring me?")).ToHaveCountAsync(0);
        await alice.ExpectTicksAsync("Are you ignoring me?", "Sent");
    }

    [Fact]
    public async Task PrivacySettings_ReadReceiptsOffAndPhotoHidden_AsTheOtherSideSeesIt()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server);
        await alice.RegisterAsync("Alice", Photo);
        await bob.RegisterAsync("Bob");

        // Alice edits her profile and hides her photo and her read receipts.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByLabel("Your name")).ToHaveValueAsync("Alice");
        await alice.Page.GetByLabel("About", new() { Exact = true }).FillAsync("Down the rabbit hole");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByText("Profile saved.")).ToBeVisibleAsync();
        await alice.Page.GetByLabel("Who sees my profile photo").SelectOptionAsync("nobody");
        await Assertions.Expect(alice.Page.GetByText("Saved: who sees my profile photo.")).ToBeVisibleAsync();
        await alice.Page.GetByLabel("Read receipts").UncheckAsync();
        await Assertions.Expect(alice.Page.GetByText("Saved: read receipts.")).ToBeVisibleAsync();
        await alice.ScreenshotAsync("settings-privacy");

        // The settings come back from the server after a reload.
        await alice.ReloadAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByLabel("Who sees my profile photo")).ToHaveValueAsync("nobody");
        await Assertions.Expect(alice.Page.GetByLabel("Read receipts")).Not.ToBeCheckedAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Close settings" }).ClickAsync();

        // Bob sees her name and about, but no photo.
        await bob.OpenChatWithAsync(alice.Number);
        await Assertions.Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Alice");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Safety number and contact info" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByTestId("contact-about")).ToHaveTextAsync("Down the rabbit hole");
        await Assertions.Expect(bob.Page.GetByTestId("safety-number")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Page.GetByRole(AriaRole.Img, new() { Name = $"Profile photo of {alice.Number}" })).ToHaveCountAsync(0);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to the chat" }).ClickAsync();

        // Alice reads Bob's message and answers; no blue ticks reach Bob (her answer came after any receipt would have).
        await bob.SendAsync("Did you read this?");
        await alice.OpenChatWithAsync(bob.Number);
        await alice.ExpectMessageAsync("Did you read this?");
        await alice.SendAsync("Maybe");
        await bob.ExpectMessageAsync("Maybe");
        await bob.ExpectTicksAsync("Did you read this?", "Delivered");
    }
}
