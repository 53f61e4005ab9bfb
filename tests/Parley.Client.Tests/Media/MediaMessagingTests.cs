using System.Security.Cryptography;
using System.Text;
using Parley.Client.Api;
using Parley.Client.Media;
using Parley.Client.Media.Skia;
using Parley.Client.Sqlite;
using Parley.Client.Storage;
using Parley.Client.Tests.Infrastructure;
using Parley.Crypto.Media;
using Parley.Protocol.Rest;
using Parley.Server.Tests.Infrastructure;
using SkiaSharp;
using Xunit.Abstractions;

namespace Parley.Client.Tests.Media;

/// <summary>Files between two real clients through a real server: every kind arrives intact, and the server never holds it readable.</summary>
public abstract class MediaMessagingTests(ServerFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly string _scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "parley-media-tests", Guid.NewGuid().ToString("N"))).FullName;

    private ParleyServer Server => fixture.Server;

    /// <summary>A drawn photo (re-encoding would not keep a text marker, so the markers travel in the other files).</summary>
    private static byte[] Photo(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.SkyBlue);
            using var paint = new SKPaint { Color = SKColors.OrangeRed };
            canvas.DrawCircle(width / 2f, height / 2f, height / 3f, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 95);
        return jpeg.ToArray();
    }

    private static byte[] WithMarker(string marker, int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        var text = Encoding.ASCII.GetBytes(marker);
        for (var at = 0; at + text.Length < size; at += size / 4)
        {
            text.CopyTo(bytes, at);
        }
        return bytes;
    }

    private List<string> FilesContaining(string marker) => Directory.EnumerateFiles(Server.DataDirectory, "*", SearchOption.AllDirectories)
        .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)) >= 0).ToList();

    [Fact]
    public async Task Photo_video_voice_note_and_document_arrive_intact_and_the_server_holds_only_ciphertext()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server, store: await SqliteClientStore.OpenAsync(Path.Combine(_scratch, "bob")));
        var marker = "media-marker-" + Guid.NewGuid().ToString("N");

        // A 4000x3000 photo goes out as at most 1600 px on the long edge, with a blurred thumbnail inline.
        var photoPath = Path.Combine(_scratch, "holiday.png");
        await File.WriteAllBytesAsync(photoPath, Photo(4000, 3000));
        var photo = await new SkiaMediaPreparer().PrepareAsync(photoPath);
        Assert.Equal((1600, 1200, "image/jpeg", "holiday.jpg"), (photo.Width, photo.Height, photo.MimeType, photo.FileName));
        Assert.InRange(photo.Thumbnail.Length, 100, 8 * 1024);
        var photoBytes = ((MemoryStream)photo.Content).ToArray();

        var video = WithMarker(marker, 700_000);
        var voice = WithMarker(marker, 40_000);
        var document = WithMarker(marker, 3_000_000);
        var sent = new[]
        {
            (Media: photo, Bytes: photoBytes, Caption: "at the beach"),
            (Media: OutgoingMedia.FromBytes(MediaType.Video, video, "video/mp4", "clip.mp4") with { Width = 640, Height = 360, DurationMs = 4200, Thumbnail = [1, 2, 3] },
                Bytes: video, Caption: ""),
            (Media: OutgoingMedia.FromBytes(MediaType.Audio, voice, "audio/ogg", "voice.ogg") with { VoiceNote = true, DurationMs = 2500, Waveform = [0, 128, 255] },
                Bytes: voice, Caption: ""),
            (Media: OutgoingMedia.FromBytes(MediaType.Document, document, "application/pdf", "report.pdf") with { PageCount = 3 }, Bytes: document, Caption: "the report"),
        };
        foreach (var item in sent)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var message = await alice.Client.SendMediaAsync(bob.Number, item.Media, item.Caption).WaitAsync(TestDevice.Timeout);
            output.WriteLine($"{item.Media.Kind} of {item.Bytes.Length} bytes: encrypted, uploaded and sent in {started.ElapsedMilliseconds} ms");
            Assert.Equal(item.Media.FileName, message.Attachment!.FileName);
        }

        // Stored on the server now, waiting for Bob: nothing readable there, though the marker is in three files.
        Assert.True(Directory.EnumerateFiles(Path.Combine(Server.DataDirectory, "media", "blobs"), "*", SearchOption.AllDirectories).Count() >= 4);
        var leaks = FilesContaining(marker);
        Assert.True(leaks.Count == 0, "plaintext media found on the server in: " + string.Join(", ", leaks));

        foreach (var item in sent)
        {
            var received = await bob.NextMessageAsync($"the {item.Media.Kind} message");
            var file = received.Attachment ?? throw new Xunit.Sdk.XunitException($"the {item.Media.Kind} message carries no attachment");
            Assert.Equal((item.Media.Kind, item.Media.FileName, item.Media.MimeType, (long)item.Bytes.Length, item.Caption),
                (file.Kind, file.FileName, file.MimeType, file.Size, received.Text));
            Assert.Equal((item.Media.Width, item.Media.Height, item.Media.DurationMs, item.Media.VoiceNote, item.Media.PageCount),
                (file.Width, file.Height, file.DurationMs, file.VoiceNote, file.PageCount));
            Assert.Equal(item.Media.Thumbnail, file.Thumbnail);
            Assert.Equal(item.Media.Waveform, file.Waveform);
            var downloaded = new MemoryStream();
            await bob.Client.DownloadAttachmentAsync(file, downloaded).WaitAsync(TestDevice.Timeout);
            Assert.Equal(item.Bytes, downloaded.ToArray());
        }

        // Bob's profile remembers the attachments (the app can show them again after a restart).
        var history = await bob.Client.GetHistoryAsync(alice.Number);
        Assert.Equal(["holiday.jpg", "clip.mp4", "voice.ogg", "report.pdf"], history.Select(m => m.Attachment?.FileName));
        // Bob was the only recipient device: every blob is gone from the server once he fetched it.
        foreach (var message in history)
        {
            var gone = await Assert.ThrowsAsync<ParleyApiException>(() => bob.Client.DownloadAttachmentAsync(message.Attachment!, new MemoryStream()));
            Assert.Equal(MediaErrorCodes.MediaNotFound, gone.Code);
        }
    }

    [Fact]
    public async Task A_blob_altered_on_the_server_is_refused_by_the_receiver()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        var contract = Encoding.UTF8.GetBytes("Pay Bob 10 EUR. " + new string('.', 5000));
        await alice.Client.SendMediaAsync(bob.Number, OutgoingMedia.FromBytes(MediaType.Document, contract, "text/plain", "contract.txt")).WaitAsync(TestDevice.Timeout);
        var file = (await bob.NextMessageAsync("the contract")).Attachment!;

        // Whoever controls the server flips one byte of the stored blob.
        var blobPath = Path.Combine(Server.DataDirectory, "media", "blobs", file.MediaId[..2], file.MediaId);
        var blob = await File.ReadAllBytesAsync(blobPath);
        blob[100] ^= 0x01;
        await File.WriteAllBytesAsync(blobPath, blob);

        var saved = new MemoryStream();
        var refused = await Assert.ThrowsAsync<MediaTamperedException>(() => bob.Client.DownloadAttachmentAsync(file, saved));
        Assert.Contains("contract.txt", refused.Message, StringComparison.Ordinal);
        Assert.Contains("altered", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, saved.Length); // digests and MAC are checked before a single byte is decrypted
        Assert.True(File.Exists(blobPath), "a refused download is not confirmed, so the blob is not deleted");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the OS cleans the temp folder.
        }
    }
}

public sealed class MediaMessagingTestsOnSqlite(SqliteServerFixture fixture, ITestOutputHelper output)
    : MediaMessagingTests(fixture, output), IClassFixture<SqliteServerFixture>;

public sealed class MediaMessagingTestsOnPostgres(PostgresServerFixture fixture, ITestOutputHelper output)
    : MediaMessagingTests(fixture, output), IClassFixture<PostgresServerFixture>;
