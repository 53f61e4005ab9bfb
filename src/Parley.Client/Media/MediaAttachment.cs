using Google.Protobuf;
using Parley.Crypto.Media;
using Parley.Protocol.Encrypted;

namespace Parley.Client.Media;

/// <summary>
/// A file attached to a message, as the receiver learns it from the E2E message: where the blob is,
/// the key to open it, the digests to check it against, and what to show before downloading.
/// The <see cref="MediaKey"/> is a secret: never log it.
/// </summary>
public sealed record MediaAttachment(
    string MediaId,
    MediaType Kind,
    byte[] MediaKey,
    byte[] FileSha256,
    byte[] BlobSha256,
    long Size,
    long BlobSize,
    string MimeType,
    string FileName)
{
    public int Width { get; init; }

    public int Height { get; init; }

    public int DurationMs { get; init; }

    /// <summary>A small blurred JPEG to show until the file is downloaded (may be empty).</summary>
    public byte[] Thumbnail { get; init; } = [];

    /// <summary>Voice messages: amplitudes 0-255, left to right.</summary>
    public byte[] Waveform { get; init; } = [];

    public bool VoiceNote { get; init; }

    public int PageCount { get; init; }

    public override string ToString() => $"{Kind} {FileName} ({Size} bytes, {MimeType})";

    internal Attachment ToProto() => new()
    {
        MediaId = MediaId,
        Kind = (Attachment.Types.Kind)(int)Kind,
        MediaKey = ByteString.CopyFrom(MediaKey),
        FileSha256 = ByteString.CopyFrom(FileSha256),
        BlobSha256 = ByteString.CopyFrom(BlobSha256),
        Size = (ulong)Size,
        BlobSize = (ulong)BlobSize,
        MimeType = MimeType,
        FileName = FileName,
        Width = (uint)Width,
        Height = (uint)Height,
        DurationMs = (uint)DurationMs,
        Thumbnail = ByteString.CopyFrom(Thumbnail),
        Waveform = ByteString.CopyFrom(Waveform),
        VoiceNote = VoiceNote,
        PageCount = (uint)PageCount,
    };

    /// <summary>The attachment of a received message, or null when there is none or it is unusable (unknown kind, no key).</summary>
    internal static MediaAttachment? FromProto(Attachment? proto)
    {
        if (proto is null || proto.Kind is Attachment.Types.Kind.Unspecified || !Enum.IsDefined((MediaType)(int)proto.Kind)
            || proto.MediaKey.Length != MediaKeys.MediaKeyLength || proto.MediaId.Length == 0)
        {
            return null;
        }
        return new MediaAttachment(proto.MediaId, (MediaType)(int)proto.Kind, proto.MediaKey.ToByteArray(), proto.FileSha256.ToByteArray(),
            proto.BlobSha256.ToByteArray(), (long)proto.Size, (long)proto.BlobSize, proto.MimeType, proto.FileName)
        {
            Width = (int)proto.Width,
            Height = (int)proto.Height,
            DurationMs = (int)proto.DurationMs,
            Thumbnail = proto.Thumbnail.ToByteArray(),
            Waveform = proto.Waveform.ToByteArray(),
            VoiceNote = proto.VoiceNote,
            PageCount = (int)proto.PageCount,
        };
    }

    /// <summary>The stored form (the protobuf message), for client stores.</summary>
    public byte[] Serialize() => ToProto().ToByteArray();

    public static MediaAttachment? Deserialize(byte[]? bytes) => bytes is null ? null : FromProto(Attachment.Parser.ParseFrom(bytes));
}
