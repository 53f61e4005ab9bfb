using Microsoft.Playwright;
using Parley.Web.Tests.Infrastructure;

namespace Parley.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class GroupTests(BrowserFixture browser)
{
    /// <summary>A 1×1 PNG.</summary>
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    [Fact]
    public async Task GroupOfThree_AdminRemovesOne_TheOthersKeepTalkingWithoutThem()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await using var bob = await WebUser.OpenAsync(browser.Browser, server);
        await using var carol = await WebUser.OpenAsync(browser.Browser, server);
        await Task.WhenAll(alice.RegisterAsync(), bob.RegisterAsync(), carol.RegisterAsync());

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await alice.Page.GetByLabel("Group name").FillAsync("Hiking");
        await alice.Page.GetByLabel("Members' phone numbers").FillAsync($"{bob.Number}, {carol.Number}");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByTestId("chat-title")).ToHaveTextAsync("Hiking");
        await alice.SendAsync("Saturday at 9?");

        await bob.OpenChatAsync("Hiking");
        await bob.ExpectMessageAsync("Saturday at 9?");
        await Assertions.Expect(bob.Message("Saturday at 9?").Locator(".sender")).ToHaveTextAsync(alice.Number);
        await carol.OpenChatAsync("Hiking");
        await carol.ExpectMessageAsync("Saturday at 9?");
        await alice.ExpectTicksAsync("Saturday at 9?", "Read");
        await carol.SendAsync("Count me in");
        await alice.ExpectMessageAsync("Count me in");
        await bob.ExpectMessageAsync("Count me in");

        // Message info: who has read Alice's message.
        await alice.Message("Saturday at 9?").HoverAsync();
        await alice.Message("Saturday at 9?").GetByRole(AriaRole.Button, new() { Name = "Message info" }).ClickAsync();
        var info = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Message info" });
        await Assertions.Expect(info).ToContainTextAsync(bob.Number);
        await Assertions.Expect(info).ToContainTextAsync(carol.Number);
        await info.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Group info" }).ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".member")).ToHaveCountAsync(3);

        // A group photo, end-to-end encrypted: its key reaches Bob inside the group's messages.
        await alice.Page.GetByLabel("Group photo (end-to-end encrypted)").SetInputFilesAsync(new FilePayload { Name = "group.png", MimeType = "image/png", Buffer = Png });
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Img, new() { Name = "Group photo of Hiking" })).ToBeVisibleAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "tap for group info" }).ClickAsync(); // the chat list now says "changed the group info"
        await Assertions.Expect(bob.Page.GetByRole(AriaRole.Img, new() { Name = "Group photo of Hiking" })).ToBeVisibleAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to the chat" }).ClickAsync();
        await alice.ScreenshotAsync("group-info");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Remove {carol.Number}" }).ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".member")).ToHaveCountAsync(2);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Back to the chat" }).ClickAsync();

        // Carol sees why she can no longer write; everyone sees the change in the timeline.
        await Assertions.Expect(carol.Page.GetByText("no longer a member")).ToBeVisibleAsync();
        await Assertions.Expect(carol.Page.Locator(".system-event").Last).ToContainTextAsync("removed");
        await Assertions.Expect(bob.Page.Locator(".system-event").Last).ToContainTextAsync("removed");

        await alice.SendAsync("Just the two of us then");
        await bob.ExpectMessageAsync("Just the two of us then");
        await alice.ExpectTicksAsync("Just the two of us then", "Read");
        await Task.Delay(1000); // let anything that would (wrongly) reach Carol arrive
        await Assertions.Expect(carol.Message("Just the two of us then")).ToHaveCountAsync(0);
        await alice.ScreenshotAsync("group-chat");
    }
}
