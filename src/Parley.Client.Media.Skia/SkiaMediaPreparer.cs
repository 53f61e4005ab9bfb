using Parley.Crypto.Media;

namespace Parley.Client.Media.Skia;

/// <summary>
/// Prepares photos with SkiaSharp (compressed, upright, with a blurred thumbnail); every other kind
/// goes to <paramref name="others"/> (by default <see cref="BasicMediaPreparer"/>). A photo Skia cannot
/// decode (e.g. HEIC) is sent as a document rather than refused.
/// </summary>
public sealed class SkiaMediaPreparer(IMediaPreparer? others = null) : IMediaPreparer
{
    private readonly IMediaPreparer _others = others ?? new BasicMediaPreparer();

    public async Task<OutgoingMedia> PrepareAsync(string path, bool voiceNote = false, CancellationToken cancellationToken = default)
    {
        if (MediaTypes.Of(path).Kind != MediaType.Image)
        {
            return await _others.PrepareAsync(path, voiceNote, cancellationToken);
        }
        var compressed = SkiaImages.Compress(await File.ReadAllBytesAsync(path, cancellationToken));
        if (compressed is null)
        {
            var asDocument = await new BasicMediaPreparer().PrepareAsync(path, cancellationToken: cancellationToken);
            return asDocument with { Kind = MediaType.Document };
        }
        return OutgoingMedia.FromBytes(MediaType.Image, compressed.Jpeg, "image/jpeg", Path.ChangeExtension(Path.GetFileName(path), ".jpg")) with
        {
            Width = compressed.Width,
            Height = compressed.Height,
            Thumbnail = compressed.Thumbnail,
        };
    }
}
