using Microsoft.Playwright;
using Parley.Client.Tests.Cli;
using Parley.Web.Tests.Infrastructure;

namespace Parley.Web.Tests;

/// <summary>The browser and the `parley` CLI speak the same protocol: they chat, and the browser links as a device of a CLI account.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CliInteropTests(BrowserFixture browser) : IDisposable
{
    private readonly string _profiles = Path.Combine(Path.GetTempPath(), "parley-web-cli", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task BrowserAndCli_ChatBothWays()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        var cli = await RegisterCliAsync(server, "bob");
        await alice.RegisterAsync();

        await alice.OpenChatWithAsync(cli.Number);
        await alice.SendAsync("Hello from the browser");
        await alice.ExpectSentAsync("Hello from the browser");
        var received = Expect(await CliRunner.RunAsync(["--profile", cli.Profile, "receive", "--timeout", "2"]));
        Assert.Contains($"{alice.Number}: Hello from the browser", received.Stdout, StringComparison.Ordinal);
        await alice.ExpectTicksAsync("Hello from the browser", "Delivered");

        Expect(await CliRunner.RunAsync(["--profile", cli.Profile, "send", alice.Number, "Hello from the terminal"]));
        await alice.ExpectMessageAsync("Hello from the terminal");

        // Both sides compute the same safety number.
        var cliSees = Expect(await CliRunner.RunAsync(["--profile", cli.Profile, "safety-number", alice.Number])).Stdout;
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Safety number and contact info" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByTestId("safety-number")).ToHaveTextAsync(cliSees.Replace(" ", "", StringComparison.Ordinal));
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Img, new() { Name = $"QR code of the safety number with {cli.Number}" })).ToBeVisibleAsync();
        await alice.ScreenshotAsync("safety-number");
    }

    [Fact]
    public async Task BrowserLinksAsDeviceOfACliAccount_AndSeesWhatTheAccountReceives()
    {
        await using var server = await WebServer.StartAsync();
        var primary = await RegisterCliAsync(server, "primary");
        var friend = await RegisterCliAsync(server, "friend");
        var code = Expect(await CliRunner.RunAsync(["--profile", primary.Profile, "devices", "--new-code"])).Stdout.Split('\n')[0].Split(' ')[2];

        await using var web = await WebUser.OpenAsync(browser.Browser, server, primary.Number);
        await web.Page.GetByRole(AriaRole.Tab, new() { Name = "Link to your phone" }).ClickAsync();
        await web.Page.GetByLabel("Link code").FillAsync(code);
        await web.Page.GetByRole(AriaRole.Button, new() { Name = "Link this browser" }).ClickAsync();
        var fingerprint = await web.Page.GetByTestId("link-fingerprint").TextContentAsync();

        var approved = Expect(await CliRunner.RunAsync(["--profile", primary.Profile, "devices", "--approve"]));
        Assert.Contains(fingerprint!.Trim(), approved.Stdout, StringComparison.Ordinal);
        await web.WithConsoleAsync(() => Assertions.Expect(web.Page.GetByLabel("Chat list")).ToBeVisibleAsync());
        await web.WaitUntilOnlineAsync();

        Expect(await CliRunner.RunAsync(["--profile", friend.Profile, "send", primary.Number, "Hi, linked browser"]));
        await web.OpenChatAsync(friend.Number);
        await web.ExpectMessageAsync("Hi, linked browser");
    }

    private async Task<(string Profile, string Number)> RegisterCliAsync(WebServer server, string name)
    {
        var profile = Path.Combine(_profiles, name);
        var number = WebServer.NewNumber();
        var url = server.BaseAddress.ToString();
        await CliRunner.RunAsync(["--profile", profile, "register", number, "--server", url]);
        Expect(await CliRunner.RunAsync(["--profile", profile, "register", number, "--server", url, "--code", await server.ReadCodeAsync(number)]));
        return (profile, number);
    }

    private static CliRunner.Result Expect(CliRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    public void Dispose()
    {
        if (Directory.Exists(_profiles))
        {
            Directory.Delete(_profiles, recursive: true);
        }
    }
}
