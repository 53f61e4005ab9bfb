using Parley.Server.Storage;

namespace Parley.Server.Profiles;

public sealed record StoredProfile(string Name, string About, bool HasPhoto, long Version);

/// <summary>Display name, about text and photo per account; <c>version</c> grows with every change.</summary>
public sealed class ProfileStore(Database database)
{
    public async Task<StoredProfile?> FindAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT name, about, photo IS NOT NULL, version FROM profiles WHERE account_id = @a").With("a", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredProfile(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetInt64(3))
            : null;
    }

    public async Task<(byte[] Photo, string ContentType)?> FindPhotoAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT photo, photo_type FROM profiles WHERE account_id = @a AND photo IS NOT NULL").With("a", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ((byte[])reader.GetValue(0), reader.GetString(1)) : null;
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

    /// <summary>Sets (or with null, removes) the photo; returns the new version.</summary>
    public Task<long> UpdatePhotoAsync(string accountId, byte[]? photo, string? contentType, CancellationToken cancellationToken) =>
        UpsertAsync(accountId, """
            INSERT INTO profiles (account_id, name, about, photo, photo_type, version) VALUES (@a, '', '', @photo, @type, 1)
            ON CONFLICT (account_id) DO UPDATE SET photo = @photo, photo_type = @type, version = profiles.version + 1
            RETURNING version
            """, cancellationToken, ("photo", photo), ("type", contentType));

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
