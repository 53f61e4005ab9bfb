using System.Net;
using Parley.Client.Api;
using Parley.Crypto;
using Parley.Crypto.Media;
using Parley.Protocol.Rest;

namespace Parley.Client.Media;

/// <summary>A downloaded blob failed its SHA-256 or MAC check: altered on the server or on the way. Nothing of it was used.</summary>
public sealed class MediaTamperedException(string fileName, string reason, Exception inner)
    : Exception($"The file \"{fileName}\" was refused: {reason}. It was altered after the sender encrypted it; nothing of it was saved.", inner);

/// <summary>
/// Moves encrypted blobs to and from the media store, surviving dropped connections: an upload
/// asks the server how many bytes it kept and goes on from there; a download continues with a range
/// request. Gives up after <see cref="MaxAttempts"/> failures in a row.
/// </summary>
public sealed class MediaTransfer(ParleyApi api, DeviceCredentials credentials)
{
    /// <summary>Bytes per PATCH: small enough that a proxy's body limit rarely bites, big enough that a photo is one request.</summary>
    public long ChunkBytes { get; init; } = 16 * 1024 * 1024;

    public int MaxAttempts { get; init; } = 6;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Called after a connection broke and the transfer resumes at this offset (tests and UIs watch it).</summary>
    public event Action<long>? Resumed;

    /// <summary>Uploads the whole seekable <paramref name="blob"/> and stores it for <paramref name="recipients"/> devices.</summary>
    public async Task<MediaBlobResponse> UploadAsync(Stream blob, MediaType kind, int recipients, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var upload = await api.CreateUploadAsync(credentials, MediaTypes.WireName(kind), blob.Length, cancellationToken);
        var offset = 0L;
        var failures = 0;
        while (offset < upload.Size)
        {
            try
            {
                offset = await api.AppendUploadAsync(credentials, upload.UploadId, blob, offset, Math.Min(ChunkBytes, upload.Size - offset), progress, cancellationToken);
                failures = 0;
            }
            catch (Exception error) when (IsTransient(error, cancellationToken) && ++failures < MaxAttempts)
            {
                await Task.Delay(InitialBackoff * (1 << (failures - 1)), cancellationToken);
                offset = await RetryAsync(() => api.GetUploadAsync(credentials, upload.UploadId, cancellationToken), cancellationToken) is { } status
                    ? status.Offset
                    : throw new IOException("The media server stayed unreachable while resuming the upload.", error);
                Resumed?.Invoke(offset);
            }
            catch (ParleyApiException error) when (error.Code == MediaErrorCodes.OffsetMismatch && ++failures < MaxAttempts)
            {
                offset = (await api.GetUploadAsync(credentials, upload.UploadId, cancellationToken)).Offset;
                Resumed?.Invoke(offset);
            }
        }
        return await RetryAsync(() => api.FinishUploadAsync(credentials, upload.UploadId, Math.Max(1, recipients), cancellationToken), cancellationToken)
            ?? throw new IOException("The media server stayed unreachable while finishing the upload.");
    }

    /// <summary>
    /// Downloads the attachment's blob into <paramref name="buffer"/> (seekable, empty), checks its
    /// digests and MAC, and only then decrypts it into <paramref name="destination"/>; confirms the
    /// fetch so the server can delete the blob once every recipient device has it.
    /// </summary>
    /// <exception cref="MediaTamperedException">The blob or the decrypted file is not what the sender encrypted.</exception>
    /// <exception cref="ParleyApiException">media_not_found: everyone fetched it already, or it expired.</exception>
    public async Task DownloadAsync(MediaAttachment attachment, Stream buffer, Stream destination, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        ArgumentNullException.ThrowIfNull(buffer);
        var failures = 0;
        while (true)
        {
            try
            {
                await api.DownloadMediaAsync(credentials, attachment.MediaId, buffer.Length, buffer, progress, cancellationToken);
                break;
            }
            catch (Exception error) when (IsTransient(error, cancellationToken) && ++failures < MaxAttempts)
            {
                await Task.Delay(InitialBackoff * (1 << (failures - 1)), cancellationToken);
                Resumed?.Invoke(buffer.Length);
            }
        }
        try
        {
            await MediaCipher.DecryptAsync(buffer, destination, attachment.Kind, attachment.MediaKey, attachment.BlobSha256, attachment.FileSha256, cancellationToken);
        }
        catch (SignalProtocolException error)
        {
            throw new MediaTamperedException(attachment.FileName, error.Message, error);
        }
        try
        {
            await api.ConfirmMediaFetchedAsync(credentials, attachment.MediaId, cancellationToken);
        }
        catch (Exception error) when (IsTransient(error, cancellationToken) || error is ParleyApiException)
        {
            // The file is here and verified; an unconfirmed fetch only keeps the blob until it expires.
        }
    }

    private static bool IsTransient(Exception error, CancellationToken cancellationToken) =>
        error is HttpRequestException or IOException
        || (error is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        || error is ParleyApiException { Status: >= HttpStatusCode.InternalServerError };

    private async Task<T?> RetryAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken) where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception error) when (IsTransient(error, cancellationToken) && attempt < MaxAttempts)
            {
                await Task.Delay(InitialBackoff * (1 << (attempt - 1)), cancellationToken);
            }
        }
    }
}
