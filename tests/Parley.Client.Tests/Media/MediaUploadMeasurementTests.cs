using System.Diagnostics;
using System.Security.Cryptography;
using Parley.Client.Media;
using Parley.Client.Media.Skia;
using Parley.Client.Tests.Infrastructure;
using Parley.Crypto.Media;
using Parley.Server.Tests.Infrastructure;
using SkiaSharp;
using Xunit.Abstractions;

namespace Parley.Client.Tests.Media;

/// <summary>
/// Measures (reports, does not assert) what sending a 5 MB photo costs on loopback — the seed asks
/// for under 2 s: encryption alone, the resumable upload alone, and the SDK's whole send until
/// "sent", with and without re-encoding a 12-megapixel camera photo first.
/// </summary>
public sealed class MediaUploadMeasurementTests(SqliteServerFixture fixture, ITestOutputHelper output) : IClassFixture<SqliteServerFixture>
{
    private const int Rounds = 5;
    private const int PhotoBytes = 5 * 1024 * 1024;

    [Fact]
    public async Task Five_megabyte_photo_encrypt_upload_and_send_times()
    {
        await using var alice = await TestDevice.RegisterAsync(fixture.Server);
        await using var bob = await TestDevice.RegisterAsync(fixture.Server);
        await alice.SendAsync(bob, "warm-up"); // sessions exist, as in a running chat
        var photo = RandomNumberGenerator.GetBytes(PhotoBytes); // a compressed photo does not compress further: random bytes are fair

        var encrypt = await MeasureAsync(async () => await MediaCipher.EncryptAsync(photo, MediaType.Image));
        var (blob, _) = await MediaCipher.EncryptAsync(photo, MediaType.Image);
        var transfer = alice.Client.NewMediaTransfer();
        var upload = await MeasureAsync(async () => await transfer.UploadAsync(new MemoryStream(blob), MediaType.Image, recipients: 1));
        var send = await MeasureAsync(async () =>
        {
            var sent = await alice.Client.SendMediaAsync(bob.Number, OutgoingMedia.FromBytes(MediaType.Image, photo, "image/jpeg", "photo.jpg"));
            Assert.Equal(PhotoBytes, sent.Attachment!.Size);
        });

        var camera = Path.Combine(Path.GetTempPath(), $"parley-camera-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(camera, CameraLikeJpeg());
        var cameraBytes = new FileInfo(camera).Length;
        var prepared = await MeasureAsync(async () =>
        {
            var media = await new SkiaMediaPreparer().PrepareAsync(camera);
            await alice.Client.SendMediaAsync(bob.Number, media);
        });
        File.Delete(camera);

        output.WriteLine($"5 MiB photo on loopback, median of {Rounds} (min-max):");
        output.WriteLine($"  encrypt (AES-CBC + HMAC + SHA-256, in memory): {encrypt}");
        output.WriteLine($"  upload of the encrypted blob (create, PATCH, finish): {upload}");
        output.WriteLine($"  SendMediaAsync as is (encrypt + upload + E2E message) until sent: {send}");
        output.WriteLine($"  {cameraBytes / 1024 / 1024.0:F1} MiB 4000x3000 JPEG re-encoded to 1600 px, then sent: {prepared}");
    }

    private static async Task<string> MeasureAsync(Func<Task> work)
    {
        await work(); // warm-up: JIT, connection pool
        var times = new List<double>();
        for (var i = 0; i < Rounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await work();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        times.Sort();
        return $"{times[Rounds / 2]:F0} ms ({times[0]:F0}-{times[^1]:F0})";
    }

    /// <summary>Noise-rich 12 MP JPEG at quality 95: about the size of a phone camera's photo.</summary>
    private static byte[] CameraLikeJpeg()
    {
        var info = new SKImageInfo(4000, 3000, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var pixels = RandomNumberGenerator.GetBytes(info.BytesSize);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 60);
        return jpeg.ToArray();
    }
}
