using Parley.Server.Media;
using Parley.Server.Storage;

namespace Parley.Server.Profiles;

public sealed record StoredProfile(string Name, string About, bool HasPhoto, long Version);

/// <summary>
/// Display name, about text and photo per account; <c>version</c> grows with every change. Photo bytes
/// live in the media store under their content address (<see cref="PhotoBlobs"/>; the row keeps only
/// the id); a replaced photo's blob is deleted unless another profile or a group uses it.
/// </summary>
public sealed class ProfileStore(Database database, PhotoBlobs photos)
{
    public async Task<StoredProfile?> FindAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT name, about, photo IS NOT NULL OR photo_media_id IS NOT NULL, version FROM profiles WHERE account_id = @a").With("a", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredProfile(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetInt64(3))
            : null;
    }

    public async Task<(byte[] Photo, string ContentType)?> FindPhotoAsync(string accountId, CancellationToken cancellationToken)
    {
        byte[]? legacy;
        string type;
        string? mediaId;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            await using var command = connection.Command("""
                SELECT photo, photo_type, photo_media_id FROM profiles
                WHERE account_id = @a AND (photo IS NOT NULL OR photo_media_id IS NOT NULL)
                """).With("a", accountId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            legacy = reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0);
            type = reader.GetString(1);
            mediaId = reader.IsDBNull(2) ? null : reader.GetString(2);
        }
        if (mediaId is null)
        {
            return legacy is null ? null : (legacy, type); // stored before photos moved to the media store
        }
        return await photos.ReadAsync(mediaId, cancellationToken) is { } photo ? (photo, type) : null;
    }

    /// <summary>Changes name and/or about (null = unchanged); returns the new version.</summary>
    public Task<long> UpdateTextAsync(string accountId, string? name, string? about, CancellationToken cancellationToken)
    {
        var changes = (name is null ? "" : "name = @name, ") + (about is null ? "" : "about = @about, ");
        return UpsertAsync(accountId, $"""
            INSERT INTO profiles (account_id, name, about, version) VALUES (@a, @name, @about, 1)
            ON CONFLICT (account_id) DO UPDATE SET {changes}version = profiles.version + 1
            RETURNING version
            """, cancellationToken, ("name", name ?? ""), ("about", about ?? ""));
    }

    /// <summary>Points the profile at a stored photo blob (or with null, at none); returns the new version.</summary>
    public async Task<long> UpdatePhotoAsync(string accountId, string? mediaId, string? contentType, CancellationToken cancellationToken)
    {
        var previous = await PhotoMediaIdAsync(accountId, cancellationToken);
        var version = await UpsertAsync(accountId, """
            INSERT INTO profiles (account_id, name, about, photo_media_id, photo_type, version) VALUES (@a, '', '', @media, @type, 1)
            ON CONFLICT (account_id) DO UPDATE SET photo = NULL, photo_media_id = @media, photo_type = @type, version = profiles.version + 1
            RETURNING version
            """, cancellationToken, ("media", mediaId), ("type", contentType));
        if (previous != mediaId)
        {
            await photos.DeleteIfUnusedAsync(previous, cancellationToken);
        }
        return version;
    }

    private async Task<string?> PhotoMediaIdAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT photo_media_id FROM profiles WHERE account_id = @a").With("a", accountId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private async Task<long> UpsertAsync(string accountId, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] values)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(sql).With("a", accountId);
        foreach (var (name, value) in values)
        {
            command.With(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
