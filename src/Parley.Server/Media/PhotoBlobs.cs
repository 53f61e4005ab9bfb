using Parley.Crypto.Media;
using Parley.Protocol.Rest;
using Parley.Server.Hosting;
using Parley.Server.Storage;

namespace Parley.Server.Media;

/// <summary>
/// Profile and group photos: small blobs, encrypted on the client (<see cref="PhotoCipher"/>), kept in
/// the media store under their content address but outside the message-media lifecycle (no expiry,
/// no fetch counting): a blob lives as long as a profile or a group points at it.
/// </summary>
public sealed class PhotoBlobs(Database database, IMediaStore media, LimitOptions limits)
{
    /// <summary>Reads an uploaded photo (at most the configured size, in the encrypted format) and stores it; answers its id, or why not.</summary>
    public async Task<(string? MediaId, IResult? Refused)> ReceiveAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limits.MaxProfilePhotoBytes)
        {
            return (null, TooLarge());
        }
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > limits.MaxProfilePhotoBytes)
            {
                return (null, TooLarge());
            }
            body.Write(buffer, 0, read);
        }
        if (!PhotoCipher.IsWellFormed(body.GetBuffer().AsSpan(0, (int)body.Length)))
        {
            // A plain image here would be readable by the server: clients encrypt photos first.
            return (null, ApiProblem.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.InvalidImage,
                "A photo must be encrypted on the device (Parley photo format 1): the server never stores a readable image."));
        }
        body.Position = 0;
        var uploadId = MediaIds.NewUploadId();
        await media.AppendAsync(uploadId, body, body.Length, cancellationToken);
        return (await media.CommitAsync(uploadId, cancellationToken), null);
    }

    public async Task<byte[]?> ReadAsync(string mediaId, CancellationToken cancellationToken)
    {
        await using var blob = await media.OpenBlobAsync(mediaId, cancellationToken);
        if (blob is null)
        {
            return null;
        }
        using var photo = new MemoryStream();
        await blob.CopyToAsync(photo, cancellationToken);
        return photo.ToArray();
    }

    /// <summary>Deletes a replaced or refused photo's blob unless a profile or group still shows it (the same bytes are one blob).</summary>
    public async Task DeleteIfUnusedAsync(string? mediaId, CancellationToken cancellationToken)
    {
        if (mediaId is null or "")
        {
            return;
        }
        long users;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            await using var command = connection.Command("""
                SELECT (SELECT COUNT(*) FROM profiles WHERE photo_media_id = @m) + (SELECT COUNT(*) FROM groups WHERE picture = @m)
                """).With("m", mediaId);
            users = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        if (users == 0)
        {
            await media.DeleteBlobAsync(mediaId, cancellationToken);
        }
    }

    private IResult TooLarge() => ApiProblem.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.InvalidImage,
        $"A photo may be at most {limits.MaxProfilePhotoBytes / 1024 / 1024} MB; scale it down first.");
}
