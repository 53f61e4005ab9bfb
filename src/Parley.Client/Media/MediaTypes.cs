using Parley.Crypto.Media;

namespace Parley.Client.Media;

/// <summary>The media kind and MIME type of a file name, by extension; anything unknown is a document.</summary>
public static class MediaTypes
{
    private static readonly Dictionary<string, (MediaType Kind, string Mime)> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = (MediaType.Image, "image/jpeg"),
        [".jpeg"] = (MediaType.Image, "image/jpeg"),
        [".png"] = (MediaType.Image, "image/png"),
        [".gif"] = (MediaType.Image, "image/gif"),
        [".webp"] = (MediaType.Image, "image/webp"),
        [".heic"] = (MediaType.Image, "image/heic"),
        [".bmp"] = (MediaType.Image, "image/bmp"),
        [".mp4"] = (MediaType.Video, "video/mp4"),
        [".m4v"] = (MediaType.Video, "video/mp4"),
        [".mov"] = (MediaType.Video, "video/quicktime"),
        [".webm"] = (MediaType.Video, "video/webm"),
        [".mkv"] = (MediaType.Video, "video/x-matroska"),
        [".ogg"] = (MediaType.Audio, "audio/ogg"),
        [".opus"] = (MediaType.Audio, "audio/ogg"),
        [".oga"] = (MediaType.Audio, "audio/ogg"),
        [".mp3"] = (MediaType.Audio, "audio/mpeg"),
        [".m4a"] = (MediaType.Audio, "audio/mp4"),
        [".aac"] = (MediaType.Audio, "audio/aac"),
        [".wav"] = (MediaType.Audio, "audio/wav"),
        [".flac"] = (MediaType.Audio, "audio/flac"),
        [".pdf"] = (MediaType.Document, "application/pdf"),
        [".txt"] = (MediaType.Document, "text/plain"),
        [".zip"] = (MediaType.Document, "application/zip"),
    };

    public static (MediaType Kind, string MimeType) Of(string fileName) =>
        ByExtension.TryGetValue(Path.GetExtension(fileName), out var known) ? known : (MediaType.Document, "application/octet-stream");

    /// <summary>The kind's name in the REST API.</summary>
    public static string WireName(MediaType kind) => kind switch
    {
        MediaType.Image => Protocol.Rest.MediaKinds.Image,
        MediaType.Video => Protocol.Rest.MediaKinds.Video,
        MediaType.Audio => Protocol.Rest.MediaKinds.Audio,
        _ => Protocol.Rest.MediaKinds.Document,
    };
}
