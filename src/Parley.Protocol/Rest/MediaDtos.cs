namespace Parley.Protocol.Rest;

/// <summary>The kinds of media and their names on the wire (limits differ per kind).</summary>
public static class MediaKinds
{
    public const string Image = "image";
    public const string Video = "video";
    public const string Audio = "audio";
    public const string Document = "document";

    public static readonly IReadOnlyList<string> All = [Image, Video, Audio, Document];
}

/// <summary>
/// POST /v1/media/uploads: announce an encrypted blob of <paramref name="Size"/> bytes. The server
/// refuses at once (413 media_too_large, 403 media_quota_exceeded) rather than after the bytes came.
/// </summary>
public sealed record CreateUploadRequest(string Kind, long Size);

/// <summary>
/// An upload in progress. Send bytes with PATCH /v1/media/uploads/{UploadId} and the header
/// <c>Upload-Offset: n</c> (n = <paramref name="Offset"/>); after a dropped connection GET it to learn
/// how many bytes the server kept and go on from there.
/// </summary>
public sealed record UploadStatusResponse(string UploadId, string Kind, long Size, long Offset, long ExpiresAt);

/// <summary>
/// POST /v1/media/uploads/{uploadId}/finish once all bytes are there. <paramref name="Recipients"/>
/// is how many devices will fetch the blob (the message's recipient devices); when that many
/// confirmed their download the server deletes it, and after the blob lifetime in any case.
/// </summary>
public sealed record FinishUploadRequest(int Recipients);

/// <summary>A stored blob: <paramref name="MediaId"/> is the lowercase hex SHA-256 of its bytes (content address).</summary>
public sealed record MediaBlobResponse(string MediaId, long Size, long ExpiresAt);

/// <summary>Error codes of the media endpoints (same conventions as <see cref="ErrorCodes"/>).</summary>
public static class MediaErrorCodes
{
    public const string MediaTooLarge = "media_too_large";
    public const string QuotaExceeded = "media_quota_exceeded";
    public const string UnknownUpload = "unknown_upload";
    public const string OffsetMismatch = "upload_offset_mismatch";
    public const string UploadIncomplete = "upload_incomplete";
    public const string MediaNotFound = "media_not_found";
    public const string InvalidMediaKind = "invalid_media_kind";
}

/// <summary>The headers of the resumable upload (as in tus 1.0).</summary>
public static class MediaHeaders
{
    public const string UploadOffset = "Upload-Offset";
}
