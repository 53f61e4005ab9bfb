using Parley.Protocol.Rest;

namespace Parley.Server.Media;

/// <summary>Configuration under "Parley:Media". Sizes are of the plaintext file; a blob may be 26 bytes larger (padding and MAC).</summary>
public sealed class MediaOptions
{
    public const string Section = "Parley:Media";

    private const long MiB = 1024 * 1024;

    /// <summary>Where blobs live; default: "media" in the data directory.</summary>
    public string? Directory { get; set; }

    public long MaxImageBytes { get; set; } = 100 * MiB;

    public long MaxVideoBytes { get; set; } = 100 * MiB;

    public long MaxAudioBytes { get; set; } = 100 * MiB;

    public long MaxDocumentBytes { get; set; } = 2048 * MiB;

    /// <summary>Bytes one account may keep on the server at once (stored blobs plus uploads in progress).</summary>
    public long QuotaBytesPerAccount { get; set; } = 8192 * MiB;

    /// <summary>Uploads an account may start per hour.</summary>
    public int UploadsPerAccountPerHour { get; set; } = 300;

    /// <summary>A blob is deleted after this long even if not every recipient fetched it (WhatsApp keeps 30 days).</summary>
    public int BlobLifetimeSeconds { get; set; } = 30 * 24 * 3600;

    /// <summary>An unfinished upload is abandoned after this long (a day covers a phone that was off overnight).</summary>
    public int UploadLifetimeSeconds { get; set; } = 24 * 3600;

    /// <summary>How often the collector looks for expired blobs and abandoned uploads.</summary>
    public int CollectIntervalSeconds { get; set; } = 600;

    /// <summary>Padding (at most one AES block) plus the 10-byte MAC.</summary>
    public const long BlobOverhead = 16 + 10;

    /// <summary>The largest blob accepted for a kind, or null for an unknown kind.</summary>
    public long? MaxBlobBytes(string kind) => kind switch
    {
        MediaKinds.Image => MaxImageBytes + BlobOverhead,
        MediaKinds.Video => MaxVideoBytes + BlobOverhead,
        MediaKinds.Audio => MaxAudioBytes + BlobOverhead,
        MediaKinds.Document => MaxDocumentBytes + BlobOverhead,
        _ => null,
    };
}
