using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Parley.Client.Tests.Cli;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;
using SkiaSharp;

namespace Parley.Client.Tests.Media;

/// <summary>`parley send-file` and `parley receive --files` as separate processes, with real files made by SkiaSharp and ffmpeg.</summary>
public sealed class CliMediaTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "parley-cli-media", Guid.NewGuid().ToString("N"))).FullName;

    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Photo_video_voice_message_and_document_go_from_one_cli_to_the_other_and_are_saved_under_their_names()
    {
        var (alice, bob) = (Path.Combine(_root, "alice"), Path.Combine(_root, "bob"));
        var (aliceNumber, bobNumber) = (await RegisterAsync(alice), await RegisterAsync(bob));
        var marker = "cli-media-marker-" + Guid.NewGuid().ToString("N");
        var files = Directory.CreateDirectory(Path.Combine(_root, "outgoing")).FullName;

        var photo = Path.Combine(files, "holiday.png");
        await File.WriteAllBytesAsync(photo, DrawnPhoto(4000, 3000));
        var video = Path.Combine(files, "clip.mp4");
        await FfmpegAsync("-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "2", "-pix_fmt", "yuv420p", "-metadata", $"title={marker}", video);
        var voice = Path.Combine(files, "hello.wav");
        await FfmpegAsync("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-metadata", $"title={marker}", voice);
        var document = Path.Combine(files, "notes.txt");
        await File.WriteAllTextAsync(document, $"Meeting notes {marker}\n" + new string('x', 200_000));

        Expect(0, await Cli(alice, "send-file", bobNumber, photo, "--caption", "at the beach"));
        Expect(0, await Cli(alice, "send-file", bobNumber, video));
        Expect(0, await Cli(alice, "send-file", bobNumber, voice, "--voice"));
        Expect(0, await Cli(alice, "send-file", bobNumber, document, "--caption", "read this"));

        // Waiting for Bob on the server: only ciphertext, though the marker is in three of the originals.
        Assert.True(ContainsBytes(document, marker) && ContainsBytes(video, marker), "positive control: the marker is in the files sent");
        var leaks = Directory.EnumerateFiles(Server.DataDirectory, "*", SearchOption.AllDirectories).Where(f => ContainsBytes(f, marker)).ToList();
        Assert.True(leaks.Count == 0, "plaintext media on the server in: " + string.Join(", ", leaks));

        var saved = Path.Combine(_root, "received");
        var lines = Expect(0, await Cli(bob, "receive", "--timeout", "2", "--json", "--files", saved)).Stdout.Split('\n')
            .Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(4, lines.Count);
        var byKind = lines.ToDictionary(l => l.GetProperty("file").GetProperty("kind").GetString()!);
        Assert.All(lines, l => Assert.Equal(aliceNumber, l.GetProperty("from").GetString()));

        var image = byKind["image"];
        Assert.Equal("at the beach", image.GetProperty("text").GetString());
        Assert.Equal(Path.Combine(saved, "holiday.jpg"), FileOf(image).GetProperty("saved").GetString());
        using (var received = SKBitmap.Decode(Path.Combine(saved, "holiday.jpg")))
        {
            Assert.Equal((1600, 1200), (received.Width, received.Height)); // downscaled on the sender, long edge 1600
        }

        var clip = FileOf(byKind["video"]);
        Assert.Equal(await File.ReadAllBytesAsync(video), await File.ReadAllBytesAsync(Path.Combine(saved, "clip.mp4")));
        Assert.Equal((320, 240), (clip.GetProperty("width").GetInt32(), clip.GetProperty("height").GetInt32()));
        Assert.InRange(clip.GetProperty("durationMs").GetInt32(), 1900, 2100);

        var note = FileOf(byKind["audio"]);
        Assert.True(note.GetProperty("voice").GetBoolean());
        Assert.Equal("audio/ogg", note.GetProperty("mimeType").GetString());
        Assert.InRange(note.GetProperty("durationMs").GetInt32(), 1900, 2100);
        var opus = await File.ReadAllBytesAsync(Path.Combine(saved, "hello.ogg"));
        Assert.Equal("OggS"u8.ToArray(), opus[..4]); // re-encoded to Opus in an Ogg container

        Assert.Equal("read this", byKind["document"].GetProperty("text").GetString());
        Assert.Equal(await File.ReadAllTextAsync(document), await File.ReadAllTextAsync(Path.Combine(saved, "notes.txt")));

        // Bob was the only recipient device: once he saved them, the server deleted the blobs.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Server.DataDirectory, "media", "blobs"), "*", SearchOption.AllDirectories));

        // The same file again is saved next to the first, not over it; text output names the path.
        Expect(0, await Cli(alice, "send-file", bobNumber, document));
        var again = Expect(0, await Cli(bob, "receive", "--timeout", "1", "--files", saved)).Stdout;
        Assert.Equal($"{aliceNumber}: [document saved to {Path.Combine(saved, "notes (1).txt")}]", again);
    }

    [Fact]
    public async Task Files_go_to_a_group_and_a_missing_file_is_a_clear_error()
    {
        var (alice, bob) = (Path.Combine(_root, "alice"), Path.Combine(_root, "bob"));
        var bobNumber = await RegisterAsync(bob);
        var aliceNumber = await RegisterAsync(alice);
        Expect(0, await Cli(alice, "group", "create", "Trip", bobNumber));
        var document = Path.Combine(_root, "plan.txt");
        await File.WriteAllTextAsync(document, "day 1: hike");

        Assert.Matches("^sent [0-9a-f]{32}$", Expect(0, await Cli(alice, "send-file", "Trip", document, "--caption", "the plan")).Stdout);
        var saved = Path.Combine(_root, "received");
        var output = Expect(0, await Cli(bob, "receive", "--timeout", "2", "--files", saved)).Stdout.Split('\n');
        Assert.Contains($"[Trip] {aliceNumber}: the plan [document saved to {Path.Combine(saved, "plan.txt")}]", output);
        Assert.Equal("day 1: hike", await File.ReadAllTextAsync(Path.Combine(saved, "plan.txt")));

        var missing = await Cli(alice, "send-file", bobNumber, Path.Combine(_root, "nope.pdf"));
        Assert.Equal((1, $"error: no such file: {Path.Combine(_root, "nope.pdf")}"), (missing.ExitCode, missing.Stderr));
    }

    private static JsonElement FileOf(JsonElement line) => line.GetProperty("file");

    private static byte[] DrawnPhoto(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.SkyBlue);
            using var paint = new SKPaint { Color = SKColors.Gold };
            canvas.DrawCircle(width * 0.7f, height * 0.3f, height / 6f, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private async Task<string> RegisterAsync(string profile)
    {
        var number = TestDevice.NewNumber();
        await CliRunner.RunAsync(["--profile", profile, "register", number, "--server", Server.BaseAddress.ToString()]);
        Expect(0, await CliRunner.RunAsync(["--profile", profile, "register", number, "--server", Server.BaseAddress.ToString(), "--code",
            await Server.ReadCodeAsync(number)]));
        return number;
    }

    private static Task<CliRunner.Result> Cli(string profile, params string[] args) => CliRunner.RunAsync(["--profile", profile, .. args]);

    private static CliRunner.Result Expect(int exitCode, CliRunner.Result result)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}, got {result}");
        return result;
    }

    /// <summary>Runs Debian's ffmpeg (installed by test.sh) to make a real media file.</summary>
    private static async Task FfmpegAsync(params string[] args)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["-v", "error", "-y", .. args])
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start; ./test.sh installs it.");
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"ffmpeg {string.Join(' ', args)} failed: {errors}");
    }

    private static bool ContainsBytes(string path, string text) =>
        File.ReadAllBytes(path).AsSpan().IndexOf(Encoding.ASCII.GetBytes(text)) >= 0;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
