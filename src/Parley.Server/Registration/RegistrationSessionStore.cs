using System.Data.Common;
using Parley.Server.Storage;

namespace Parley.Server.Registration;

/// <summary>Registration sessions in the database, so any node can verify a code another node sent.</summary>
public sealed class RegistrationSessionStore(Database database)
{
    private const string Columns = "id, number, code_hash, code_expires_at, attempts, codes_sent, verified_at, created_at";

    public async Task InsertAsync(RegistrationSession session, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            $"INSERT INTO registration_sessions ({Columns}) VALUES (@id, @number, @hash, @expires, 0, 1, NULL, @created)",
            cancellationToken,
            ("id", session.Id), ("number", session.Number), ("hash", session.CodeHash),
            ("expires", session.CodeExpiresAt), ("created", session.CreatedAt));
    }

    public async Task<RegistrationSession?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM registration_sessions WHERE id = @id").With("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Codes sent to a number since a point in time, across all its sessions.</summary>
    public async Task<int> CodesSentSinceAsync(string number, long since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT COALESCE(SUM(codes_sent), 0) FROM registration_sessions WHERE number = @number AND created_at >= @since")
            .With("number", number).With("since", since);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ReplaceCodeAsync(string id, byte[] codeHash, long expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE registration_sessions SET code_hash = @hash, code_expires_at = @expires, attempts = 0, codes_sent = codes_sent + 1 WHERE id = @id",
            cancellationToken, ("id", id), ("hash", codeHash), ("expires", expiresAt));
    }

    /// <summary>
    /// Counts one attempt atomically and returns false when the session had none left, so that
    /// concurrent guesses cannot exceed the limit.
    /// </summary>
    public async Task<bool> TryCountAttemptAsync(string id, int maxAttempts, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(
            "UPDATE registration_sessions SET attempts = attempts + 1 WHERE id = @id AND attempts < @max",
            cancellationToken, ("id", id), ("max", maxAttempts));
        return updated == 1;
    }

    public async Task MarkVerifiedAsync(string id, long verifiedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE registration_sessions SET verified_at = @at WHERE id = @id",
            cancellationToken, ("id", id), ("at", verifiedAt));
    }

    public static async Task DeleteAsync(DbConnection connection, DbTransaction transaction, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("DELETE FROM registration_sessions WHERE id = @id", transaction).With("id", id);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes sessions older than a day; they are useless and hold phone numbers.</summary>
    public async Task<int> DeleteOlderThanAsync(long createdBefore, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("DELETE FROM registration_sessions WHERE created_at < @before",
            cancellationToken, ("before", createdBefore));
    }

    private static RegistrationSession Read(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), reader.GetInt64(3),
        reader.GetInt32(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetInt64(7));
}
