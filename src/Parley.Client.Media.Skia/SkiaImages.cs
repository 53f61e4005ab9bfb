using SkiaSharp;

namespace Parley.Client.Media.Skia;

/// <summary>A photo as it is sent: re-encoded JPEG bytes, its size in pixels, and a blurred preview.</summary>
public sealed record CompressedImage(byte[] Jpeg, int Width, int Height, byte[] Thumbnail);

/// <summary>
/// WhatsApp-like photo compression: upright (EXIF orientation applied), long edge at most 1600 px,
/// JPEG quality 80, plus a tiny blurred JPEG thumbnail that travels inside the E2E message.
/// </summary>
public static class SkiaImages
{
    public const int MaxEdge = 1600;
    public const int Quality = 80;
    public const int ThumbnailEdge = 48;

    /// <summary>Null when the bytes are not an image Skia can decode (send them as a document then).</summary>
    public static CompressedImage? Compress(byte[] original, int maxEdge = MaxEdge, int quality = Quality)
    {
        using var decoded = DecodeUpright(original);
        if (decoded is null)
        {
            return null;
        }
        var scale = Math.Min(1.0, maxEdge / (double)Math.Max(decoded.Width, decoded.Height));
        using var resized = Resize(decoded, scale);
        using var image = SKImage.FromBitmap(resized);
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, quality);
        return new CompressedImage(jpeg.ToArray(), resized.Width, resized.Height, BlurredThumbnail(resized));
    }

    /// <summary>A blurred JPEG of a few hundred bytes: enough to hint at the picture, too little to read it.</summary>
    public static byte[] BlurredThumbnail(SKBitmap source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var scale = ThumbnailEdge / (double)Math.Max(source.Width, source.Height);
        using var small = Resize(source, Math.Min(1.0, scale));
        var info = new SKImageInfo(small.Width, small.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        using var paint = new SKPaint { ImageFilter = SKImageFilter.CreateBlur(2.5f, 2.5f) };
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.DrawBitmap(small, 0, 0, SKSamplingOptions.Default, paint);
        using var snapshot = surface.Snapshot();
        using var jpeg = snapshot.Encode(SKEncodedImageFormat.Jpeg, 50);
        return jpeg.ToArray();
    }

    /// <summary>A blurred thumbnail of any decodable image bytes (e.g. a video poster frame), or empty.</summary>
    public static byte[] BlurredThumbnail(byte[] image)
    {
        using var decoded = DecodeUpright(image);
        return decoded is null ? [] : BlurredThumbnail(decoded);
    }

    private static SKBitmap? DecodeUpright(byte[] bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return null;
        }
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            bitmap.Dispose();
            return null;
        }
        return codec.EncodedOrigin == SKEncodedOrigin.TopLeft ? bitmap : Orient(bitmap, codec.EncodedOrigin);
    }

    private static SKBitmap Resize(SKBitmap source, double scale)
    {
        var width = Math.Max(1, (int)Math.Round(source.Width * scale));
        var height = Math.Max(1, (int)Math.Round(source.Height * scale));
        return source.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new InvalidOperationException("Skia could not resize the image.");
    }

    /// <summary>Applies an EXIF orientation so the photo is sent upright (the metadata does not survive re-encoding).</summary>
    private static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var target = new SKBitmap(swap ? source.Height : source.Width, swap ? source.Width : source.Height, source.ColorType, source.AlphaType);
        using (var canvas = new SKCanvas(target))
        {
            var (w, h) = (source.Width, source.Height);
            switch (origin)
            {
                case SKEncodedOrigin.TopRight: canvas.Scale(-1, 1, w / 2f, 0); break;
                case SKEncodedOrigin.BottomRight: canvas.RotateDegrees(180, w / 2f, h / 2f); break;
                case SKEncodedOrigin.BottomLeft: canvas.Scale(1, -1, 0, h / 2f); break;
                case SKEncodedOrigin.LeftTop: canvas.Translate(h, 0); canvas.RotateDegrees(90); canvas.Scale(1, -1, 0, h / 2f); break;
                case SKEncodedOrigin.RightTop: canvas.Translate(h, 0); canvas.RotateDegrees(90); break;
                case SKEncodedOrigin.RightBottom: canvas.Translate(0, w); canvas.RotateDegrees(-90); canvas.Scale(1, -1, 0, h / 2f); break;
                case SKEncodedOrigin.LeftBottom: canvas.Translate(0, w); canvas.RotateDegrees(-90); break;
            }
            canvas.DrawBitmap(source, 0, 0, SKSamplingOptions.Default);
        }
        source.Dispose();
        return target;
    }
}
