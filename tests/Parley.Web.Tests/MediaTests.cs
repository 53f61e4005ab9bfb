using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Parley.Client.Tests.Cli;
using Parley.Web.Tests.Infrastructure;

namespace Parley.Web.Tests;

/// <summary>
/// Media in the web client against the `parley` CLI and another browser: photos are downscaled by the
/// browser's canvas, files travel encrypted (the server's data directory never holds them readable),
/// received photos download by themselves and survive a reload, documents wait for a tap, and a voice
/// message recorded from Chromium's fake microphone plays on the other side.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MediaTests(BrowserFixture browser) : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "parley-web-media", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task PhotoAndDocument_BrowserToCli()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        var cli = await RegisterCliAsync(server, "bob");
        await alice.RegisterAsync();
        await alice.OpenChatWithAsync(cli.Number);

        // A 2400×1800 PNG drawn by the browser itself (a real, decodable image of a known size).
        var png = await DrawPngAsync(alice.Page, 2400, 1800);
        await alice.Page.GetByLabel("Attach a file").SetInputFilesAsync(new FilePayload { Name = "beach.png", MimeType = "image/png", Buffer = png });
        var preview = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Send photo" });
        await Assertions.Expect(preview.GetByRole(AriaRole.Img, new() { Name = "Preview of beach.jpg" })).ToBeVisibleAsync();
        await Assertions.Expect(preview).ToContainTextAsync("1600×1200");
        await preview.GetByLabel("Caption").FillAsync("Holiday photo");
        await preview.GetByRole(AriaRole.Button, new() { Name = "Send file" }).ClickAsync();
        await alice.ExpectSentAsync("Holiday photo");
        await Assertions.Expect(alice.Message("Holiday photo").GetByTestId("attachment")).ToHaveAttributeAsync("data-state", "kept");

        var marker = "PARLEY-MEDIA-MARKER-" + Guid.NewGuid().ToString("N");
        var document = Encoding.UTF8.GetBytes($"Meeting notes\n{marker}\nsee you there\n");
        await alice.Page.GetByLabel("Attach a file").SetInputFilesAsync(new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = document });
        await alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Send document" }).GetByRole(AriaRole.Button, new() { Name = "Send file" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Save notes.txt" })).ToBeVisibleAsync();

        // Both blobs wait on the server for the CLI: encrypted, so the marker is nowhere in the data directory.
        Assert.Empty(FilesContaining(server.Process.DataDirectory, marker));

        var folder = Path.Combine(_work, "bob-files");
        var lines = Expect(await CliRunner.RunAsync(["--profile", cli.Profile, "receive", "--timeout", "3", "--json", "--files", folder])).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var photo = lines.Single(l => l.GetProperty("text").GetString() == "Holiday photo").GetProperty("file");
        Assert.Equal(("image", "beach.jpg", "image/jpeg", 1600, 1200),
            (photo.GetProperty("kind").GetString(), photo.GetProperty("name").GetString(), photo.GetProperty("mimeType").GetString(),
                photo.GetProperty("width").GetInt32(), photo.GetProperty("height").GetInt32()));
        var photoBytes = await File.ReadAllBytesAsync(photo.GetProperty("saved").GetString()!);
        Assert.Equal([0xFF, 0xD8, 0xFF], photoBytes[..3]); // re-encoded as JPEG by the browser's canvas
        Assert.Equal((1600, 1200), JpegSize(photoBytes));
        var notes = lines.Single(l => l.GetProperty("file").GetProperty("name").GetString() == "notes.txt").GetProperty("file");
        Assert.Equal(document, await File.ReadAllBytesAsync(notes.GetProperty("saved").GetString()!));
        Assert.Equal(alice.Number, lines[0].GetProperty("from").GetString());
    }

    [Fact]
    public async Task PhotoAndDocument_CliToBrowser_PhotoDownloadsByItself_DocumentOnTap_BothSurviveAReload()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        var cli = await RegisterCliAsync(server, "bob");
        await alice.RegisterAsync();

        Directory.CreateDirectory(_work);
        var photoPath = Path.Combine(_work, "sunset.png");
        await File.WriteAllBytesAsync(photoPath, await DrawPngAsync(alice.Page, 2000, 1000));
        var reportPath = Path.Combine(_work, "report.txt");
        var marker = "PARLEY-MEDIA-MARKER-" + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(reportPath, $"Quarterly report\n{marker}\n");

        Expect(await CliRunner.RunAsync(["--profile", cli.Profile, "send-file", alice.Number, photoPath, "--caption", "From the terminal"]));
        Expect(await CliRunner.RunAsync(["--profile", cli.Profile, "send-file", alice.Number, reportPath]));
        Assert.Empty(FilesContaining(server.Process.DataDirectory, marker));

        await alice.OpenChatAsync(cli.Number);
        // Photos download on arrival (default setting): the bubble shows the decrypted JPEG at its real size.
        var photo = alice.Message("From the terminal").GetByTestId("attachment");
        await Assertions.Expect(photo).ToHaveAttributeAsync("data-state", "kept");
        await Assertions.Expect(photo.Locator("img.full")).ToHaveJSPropertyAsync("naturalWidth", 1600);
        await photo.GetByRole(AriaRole.Button, new() { Name = "Photo, tap to view" }).ClickAsync();
        var viewer = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Photo" });
        await Assertions.Expect(viewer.GetByRole(AriaRole.Img, new() { Name = "sunset.jpg" })).ToBeVisibleAsync();
        await alice.ScreenshotAsync("media-photo-viewer");
        await viewer.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // Documents wait for a tap (default setting), then save under the sender's name with the exact bytes.
        var download = alice.Page.GetByRole(AriaRole.Button, new() { Name = "Download report.txt" });
        await Assertions.Expect(download).ToContainTextAsync("tap to download");
        await download.ClickAsync();
        var save = alice.Page.GetByRole(AriaRole.Button, new() { Name = "Save report.txt" });
        var saved = await alice.Page.RunAndWaitForDownloadAsync(() => save.ClickAsync());
        Assert.Equal("report.txt", saved.SuggestedFilename);
        var savedPath = Path.Combine(_work, "saved-report.txt");
        await saved.SaveAsAsync(savedPath);
        Assert.Equal(await File.ReadAllBytesAsync(reportPath), await File.ReadAllBytesAsync(savedPath));
        await alice.ScreenshotAsync("media-conversation");

        // Every recipient fetched both blobs, so the server deleted them; the browser still has its copies.
        await alice.ReloadAsync();
        await alice.OpenChatAsync(cli.Number);
        await Assertions.Expect(alice.Message("From the terminal").Locator("img.full")).ToHaveJSPropertyAsync("naturalWidth", 1600);
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Save report.txt" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AutoDownloadSettings_DefaultToPhotosOnly_AndAreKeptInTheBrowser()
    {
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(browser.Browser, server);
        await alice.RegisterAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var photos = alice.Page.GetByRole(AriaRole.Checkbox, new() { Name = "Photos" });
        var documents = alice.Page.GetByRole(AriaRole.Checkbox, new() { Name = "Documents" });
        await Assertions.Expect(photos).ToBeCheckedAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Checkbox, new() { Name = "Videos" })).Not.ToBeCheckedAsync();
        await Assertions.Expect(documents).Not.ToBeCheckedAsync();

        await documents.CheckAsync();
        await photos.UncheckAsync();
        await alice.Page.ReloadAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Checkbox, new() { Name = "Documents" })).ToBeCheckedAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Checkbox, new() { Name = "Photos" })).Not.ToBeCheckedAsync();
    }

    [Fact]
    public async Task VoiceMessage_RecordedFromTheFakeMicrophone_PlaysInTheOtherBrowser()
    {
        // Chromium's fake capture device (a beeping tone) instead of a microphone, granted without a prompt.
        using var playwright = await Playwright.CreateAsync();
        await using var withMicrophone = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"],
        });
        await using var server = await WebServer.StartAsync();
        await using var alice = await WebUser.OpenAsync(withMicrophone, server);
        await using var bob = await WebUser.OpenAsync(withMicrophone, server);
        await alice.Page.Context.GrantPermissionsAsync(["microphone"]);
        foreach (var user in new[] { alice, bob })
        {
            // A browser of its own starts cold (no cached runtime), so the first load may take longer than the fixture's.
            await user.WithConsoleAsync(() => Assertions.Expect(user.Page.GetByLabel("Phone number")).ToBeVisibleAsync(new() { Timeout = 90_000 }));
            await user.RegisterAsync();
        }

        await alice.OpenChatWithAsync(bob.Number);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Record voice message" }).ClickAsync();
        await alice.WithConsoleAsync(() => Assertions.Expect(alice.Page.GetByTestId("recording-time")).ToHaveTextAsync("0:03"));
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Send voice message" }).ClickAsync();
        var sent = alice.Page.Locator(".message.out [data-kind='voice']");
        await alice.WithConsoleAsync(() => Assertions.Expect(sent).ToHaveAttributeAsync("data-state", "kept"));

        await bob.OpenChatAsync(alice.Number);
        var voice = bob.Page.Locator(".message.in [data-kind='voice']");
        await bob.WithConsoleAsync(() => Assertions.Expect(voice).ToHaveAttributeAsync("data-state", "kept")); // voice messages download by themselves
        await Assertions.Expect(voice.Locator(".bar")).ToHaveCountAsync(64); // the waveform decoded from the recording, not a placeholder
        var duration = await voice.Locator(".voice-time").TextContentAsync();
        Assert.Matches("^0:0[2-5]$", duration);

        await voice.GetByRole(AriaRole.Button, new() { Name = "Play voice message" }).ClickAsync();
        var audio = voice.Locator("audio");
        await bob.Page.WaitForFunctionAsync("a => a.readyState >= 1 && a.duration > 0 && a.currentTime > 0.5", await audio.ElementHandleAsync());
        await Assertions.Expect(voice.Locator(".bar.played").First).ToBeVisibleAsync();
        await bob.ScreenshotAsync("media-voice-message");
    }

    /// <summary>A PNG of the given size with some structure (gradients), drawn by the page's canvas.</summary>
    private static async Task<byte[]> DrawPngAsync(IPage page, int width, int height)
    {
        var dataUrl = await page.EvaluateAsync<string>("""
            ([w, h]) => {
              const canvas = document.createElement('canvas');
              canvas.width = w; canvas.height = h;
              const c = canvas.getContext('2d');
              const g = c.createLinearGradient(0, 0, w, h);
              g.addColorStop(0, '#f9a03f'); g.addColorStop(1, '#3f6ff9');
              c.fillStyle = g; c.fillRect(0, 0, w, h);
              c.fillStyle = '#fff'; c.beginPath(); c.arc(w / 2, h / 2, h / 4, 0, Math.PI * 2); c.fill();
              return canvas.toDataURL('image/png');
            }
            """, new[] { width, height });
        return Convert.FromBase64String(dataUrl[(dataUrl.IndexOf(',', StringComparison.Ordinal) + 1)..]);
    }

    /// <summary>Width and height from a JPEG's start-of-frame marker.</summary>
    private static (int Width, int Height) JpegSize(byte[] jpeg)
    {
        for (var i = 2; i + 9 < jpeg.Length;)
        {
            var marker = jpeg[i + 1];
            var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker is >= 0xC0 and <= 0xC3)
            {
                return ((jpeg[i + 7] << 8) | jpeg[i + 8], (jpeg[i + 5] << 8) | jpeg[i + 6]);
            }
            i += 2 + length;
        }
        throw new InvalidDataException("No start-of-frame marker in the JPEG.");
    }

    private static List<string> FilesContaining(string directory, string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        return [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(file => File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0)];
    }

    private async Task<(string Profile, string Number)> RegisterCliAsync(WebServer server, string name)
    {
        var profile = Path.Combine(_work, name);
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
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }
}
