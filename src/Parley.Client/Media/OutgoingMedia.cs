using Parley.Crypto.Media;

namespace Parley.Client.Media;

/// <summary>
/// A file ready to send: already compressed and described by whoever prepared it (an
/// <see cref="IMediaPreparer"/> natively, the browser's canvas/MediaRecorder in the web client).
/// <see cref="Content"/> is read once, from its current position to its end.
/// </summary>
public sealed record OutgoingMedia(MediaType Kind, Stream Content, string MimeType, string FileName)
{
    public int Width { get; init; }

    public int Height { get; init; }

    public int DurationMs { get; init; }

    /// <summary>A small (blurred) JPEG preview; it travels inside the E2E message, so keep it to a few KB.</summary>
    public byte[] Thumbnail { get; init; } = [];

    public byte[] Waveform { get; init; } = [];

    public bool VoiceNote { get; init; }

    public int PageCount { get; init; }

    /// <summary>A file given as bytes (e.g. from the browser) with only the basics known.</summary>
    public static OutgoingMedia FromBytes(MediaType kind, byte[] content, string mimeType, string fileName) =>
        new(kind, new MemoryStream(content, writable: false), mimeType, fileName);
}

/// <summary>
/// Turns a file the user picked into an <see cref="OutgoingMedia"/>: re-encodes and downscales
/// photos, finds a video's poster and duration, a voice note's waveform. The server cannot see
/// content, so this happens on the sender. Pluggable because it needs native libraries (SkiaSharp,
/// ffmpeg) that the browser does not have; <see cref="BasicMediaPreparer"/> needs none.
/// </summary>
public interface IMediaPreparer
{
    Task<OutgoingMedia> PrepareAsync(string path, bool voiceNote = false, CancellationToken cancellationToken = default);
}
