using Parley.Client.Media;
using Parley.Client.Storage;
using Parley.Crypto.Media;

namespace Parley.Client.Messaging;

/// <summary>
/// Media messages: the file is encrypted here under a fresh key, uploaded as an opaque blob, and the
/// key and digests travel inside the E2E message; a receiver downloads, verifies and decrypts.
/// </summary>
public sealed partial class ParleyClient
{
    /// <summary>Blobs up to this size are encrypted in memory; larger ones go through a temporary file.</summary>
    private const long InMemoryBlobLimit = 32 * 1024 * 1024;

    /// <summary>Encrypts, uploads (resuming after dropped connections) and sends <paramref name="media"/> to <paramref name="number"/>.</summary>
    /// <param name="caption">Shown under the file; it is the message's text.</param>
    /// <param name="progress">Bytes of the blob uploaded so far.</param>
    /// <exception cref="Api.ParleyApiException">The server refused the upload (media_too_large, media_quota_exceeded, rate_limited).</exception>
    public async Task<StoredMessage> SendMediaAsync(string number, OutgoingMedia media, string? caption = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(media);
        var contact = await ResolveAsync(number, cancellationToken);
        var recipients = (await DevicesOfAsync(contact.AccountId, cancellationToken)).Count + await OwnOtherDeviceCountAsync();
        var attachment = await UploadMediaAsync(media, recipients, progress, cancellationToken);
        return await SendDataAsync(number, caption ?? "", attachment, null, cancellationToken);
    }

    /// <summary>Like <see cref="SendMediaAsync"/>, to a group (one upload; the key goes inside the Sender Keys message).</summary>
    public async Task<GroupMessage> SendGroupMediaAsync(string groupId, OutgoingMedia media, string? caption = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(media);
        var group = await _store.LoadGroupAsync(groupId) ?? await FindGroupAsync(groupId, cancellationToken);
        var recipients = await OwnOtherDeviceCountAsync();
        foreach (var member in group.Members.Where(m => m.AccountId != AccountId))
        {
            recipients += Math.Max(1, (await _store.ListSessionDevicesAsync(member.AccountId)).Count);
        }
        var attachment = await UploadMediaAsync(media, recipients, progress, cancellationToken);
        return await SendGroupDataAsync(groupId, caption ?? "", attachment, null, cancellationToken);
    }

    /// <summary>
    /// Downloads a received attachment, checks the blob's SHA-256, its MAC and the file's SHA-256,
    /// and writes the file to <paramref name="destination"/> only if all hold.
    /// </summary>
    /// <exception cref="MediaTamperedException">The blob was altered; <paramref name="destination"/> may hold partial output, discard it.</exception>
    /// <exception cref="Api.ParleyApiException">media_not_found: every recipient fetched it already, or it expired.</exception>
    public async Task DownloadAttachmentAsync(MediaAttachment attachment, Stream destination, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        await using var buffer = NewBlobBuffer(attachment.BlobSize);
        await NewMediaTransfer().DownloadAsync(attachment, buffer, destination, progress, cancellationToken);
    }

    /// <summary>The media transfers of this device (resumable upload and download); also for apps that upload on their own.</summary>
    public MediaTransfer NewMediaTransfer() => new(_api, Account.Credentials);

    private async Task<MediaAttachment> UploadMediaAsync(OutgoingMedia media, int recipients, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var expected = media.Content.CanSeek ? MediaCipher.BlobLength(media.Content.Length - media.Content.Position) : long.MaxValue;
        await using var blob = NewBlobBuffer(expected);
        var encrypted = await MediaCipher.EncryptAsync(media.Content, blob, media.Kind, cancellationToken);
        var stored = await NewMediaTransfer().UploadAsync(blob, media.Kind, recipients, progress, cancellationToken);
        return new MediaAttachment(stored.MediaId, media.Kind, encrypted.MediaKey, encrypted.FileSha256, encrypted.BlobSha256,
            encrypted.PlaintextLength, encrypted.BlobLength, media.MimeType, media.FileName)
        {
            Width = media.Width,
            Height = media.Height,
            DurationMs = media.DurationMs,
            Thumbnail = media.Thumbnail,
            Waveform = media.Waveform,
            VoiceNote = media.VoiceNote,
            PageCount = media.PageCount,
        };
    }

    private async Task<int> OwnOtherDeviceCountAsync() =>
        (await _store.ListSessionDevicesAsync(AccountId)).Count(d => d != (uint)Account.DeviceId);

    /// <summary>Ciphertext only, so a temporary file leaks nothing; deleted when closed.</summary>
    private static Stream NewBlobBuffer(long expectedLength) => expectedLength <= InMemoryBlobLimit
        ? new MemoryStream()
        : new FileStream(Path.Combine(Path.GetTempPath(), "parley-" + Guid.NewGuid().ToString("N") + ".blob"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 128 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
}
