using Parley.Server.Storage;

namespace Parley.Server.Media;

public sealed record MediaUpload(string Id, string AccountId, string Kind, long Size, long ExpiresAt);

public sealed record MediaBlob(string Id, string OwnerAccount, long Size, long ExpiresAt, int FetchesExpected, int FetchesDone);

/// <summary>
/// What the server knows about media (tables media_uploads, media_blobs, media_fetches): sizes,
/// owners for quotas, expiry, and which devices confirmed a download. Never a key or a file name.
/// </summary>
public sealed class MediaIndex(Database database)
{
    public async Task CreateUploadAsync(MediaUpload upload, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("""
            INSERT INTO media_uploads (id, account_id, kind, size, created_at, expires_at) VALUES (@id, @a, @k, @s, @now, @exp)
            """, cancellationToken, ("id", upload.Id), ("a", upload.AccountId), ("k", upload.Kind), ("s", upload.Size), ("now", now), ("exp", upload.ExpiresAt));
    }

    public async Task<MediaUpload?> FindUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, account_id, kind, size, expires_at FROM media_uploads WHERE id = @id").With("id", uploadId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new MediaUpload(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4))
            : null;
    }

    public async Task DeleteUploadAsync(string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM media_uploads WHERE id = @id", cancellationToken, ("id", uploadId));
    }

    /// <summary>Bytes the account holds: its live blobs plus the declared size of its uploads in progress.</summary>
    public async Task<long> UsedBytesAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT COALESCE((SELECT SUM(size) FROM media_blobs WHERE owner_account = @a), 0)
                 + COALESCE((SELECT SUM(size) FROM media_uploads WHERE account_id = @a), 0)
            """).With("a", accountId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Records a finished blob and retires its upload, in one transaction. The same content stored
    /// again (a forwarded file) adds its recipients and extends the expiry of the existing row.
    /// </summary>
    public async Task<MediaBlob> AddBlobAsync(string mediaId, MediaUpload upload, int recipients, long now, long expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = connection.Command("DELETE FROM media_uploads WHERE id = @id", transaction).With("id", upload.Id))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var upsert = connection.Command("""
            INSERT INTO media_blobs (id, owner_account, size, created_at, expires_at, fetches_expected, fetches_done)
            VALUES (@id, @a, @s, @now, @exp, @r, 0)
            ON CONFLICT (id) DO UPDATE SET fetches_expected = media_blobs.fetches_expected + @r, expires_at = @exp
            """, transaction).With("id", mediaId).With("a", upload.AccountId).With("s", upload.Size).With("now", now).With("exp", expiresAt).With("r", recipients))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return (await FindBlobAsync(mediaId, cancellationToken))!;
    }

    public async Task<MediaBlob?> FindBlobAsync(string mediaId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT id, owner_account, size, expires_at, fetches_expected, fetches_done FROM media_blobs WHERE id = @id
            """).With("id", mediaId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new MediaBlob(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4), reader.GetInt32(5))
            : null;
    }

    /// <summary>
    /// Counts one device's confirmed download (a device counts once, however often it fetches).
    /// True when every expected device has now fetched it: the blob can go.
    /// </summary>
    public async Task<bool> RecordFetchAsync(string mediaId, string accountId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int added;
        await using (var insert = connection.Command("""
            INSERT INTO media_fetches (media_id, account_id, device_id) VALUES (@m, @a, @d) ON CONFLICT DO NOTHING
            """, transaction).With("m", mediaId).With("a", accountId).With("d", deviceId))
        {
            added = await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        var complete = false;
        if (added == 1)
        {
            await using var update = connection.Command("""
                UPDATE media_blobs SET fetches_done = fetches_done + 1 WHERE id = @m
                RETURNING fetches_done >= fetches_expected
                """, transaction).With("m", mediaId);
            complete = Convert.ToBoolean(await update.ExecuteScalarAsync(cancellationToken) ?? false, System.Globalization.CultureInfo.InvariantCulture);
        }
        await transaction.CommitAsync(cancellationToken);
        return complete;
    }

    public async Task DeleteBlobAsync(string mediaId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM media_fetches WHERE media_id = @m", cancellationToken, ("m", mediaId));
        await connection.ExecuteAsync("DELETE FROM media_blobs WHERE id = @m", cancellationToken, ("m", mediaId));
    }

    public async Task<IReadOnlyList<string>> ExpiredBlobsAsync(long now, CancellationToken cancellationToken) =>
        await IdsAsync("SELECT id FROM media_blobs WHERE expires_at <= @now", now, cancellationToken);

    public async Task<IReadOnlyList<string>> ExpiredUploadsAsync(long now, CancellationToken cancellationToken) =>
        await IdsAsync("SELECT id FROM media_uploads WHERE expires_at <= @now", now, cancellationToken);

    private async Task<IReadOnlyList<string>> IdsAsync(string sql, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(sql).With("now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }
}
