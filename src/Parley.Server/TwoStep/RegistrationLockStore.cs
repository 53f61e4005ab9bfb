using Parley.Server.Storage;

namespace Parley.Server.TwoStep;

/// <summary>An account's two-step verification: PIN hash, optional authenticator secret, and the wrong-attempt throttle.</summary>
public sealed record RegistrationLock(byte[] PinHash, byte[]? TotpSecret, byte[]? TotpPending, int FailedAttempts, long NextAttemptAt);

public sealed class RegistrationLockStore(Database database)
{
    public async Task<RegistrationLock?> FindAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT pin_hash, totp_secret, totp_pending, failed_attempts, next_attempt_at FROM registration_locks WHERE account_id = @a")
            .With("a", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new RegistrationLock((byte[])reader.GetValue(0), reader.GetBytesOrNull(1), reader.GetBytesOrNull(2), reader.GetInt32(3), reader.GetInt64(4))
            : null;
    }

    /// <summary>Sets or replaces the PIN; an authenticator already confirmed stays.</summary>
    public Task SetPinAsync(string accountId, byte[] pinHash, CancellationToken cancellationToken) => ExecuteAsync("""
        INSERT INTO registration_locks (account_id, pin_hash, failed_attempts, next_attempt_at) VALUES (@a, @pin, 0, 0)
        ON CONFLICT (account_id) DO UPDATE SET pin_hash = excluded.pin_hash, failed_attempts = 0, next_attempt_at = 0
        """, cancellationToken, ("a", accountId), ("pin", pinHash));

    public Task RemoveAsync(string accountId, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM registration_locks WHERE account_id = @a", cancellationToken, ("a", accountId));

    public Task SetPendingAuthenticatorAsync(string accountId, byte[] secret, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE registration_locks SET totp_pending = @s WHERE account_id = @a", cancellationToken, ("a", accountId), ("s", secret));

    public Task ConfirmAuthenticatorAsync(string accountId, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE registration_locks SET totp_secret = totp_pending, totp_pending = NULL WHERE account_id = @a",
            cancellationToken, ("a", accountId));

    public Task RecordAttemptAsync(string accountId, int failedAttempts, long nextAttemptAt, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE registration_locks SET failed_attempts = @f, next_attempt_at = @n WHERE account_id = @a",
            cancellationToken, ("a", accountId), ("f", failedAttempts), ("n", nextAttemptAt));

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(sql, cancellationToken, parameters);
    }
}
