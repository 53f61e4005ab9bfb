using System.Data.Common;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Keys;

/// <summary>One-time EC prekeys and Kyber prekeys (one-time and last-resort) per device.</summary>
public sealed class KeyStore(Database database)
{
    /// <summary>
    /// An attempt comes back empty while keys remain only when another fetcher took the key it
    /// aimed at, so every retry means someone else progressed; the cap only guards against a
    /// pathological storm of fetches and uploads.
    /// </summary>
    private const int MaxTakeAttempts = 100;

    private readonly string _takePreKeySql = $"""
        DELETE FROM one_time_prekeys WHERE account_id = @a AND device_id = @d AND key_id =
            (SELECT key_id FROM one_time_prekeys WHERE account_id = @a AND device_id = @d ORDER BY key_id LIMIT 1{database.SkipLockedRows})
        RETURNING key_id, public_key
        """;

    private readonly string _takeKyberPreKeySql = $"""
        DELETE FROM kyber_prekeys WHERE account_id = @a AND device_id = @d AND key_id =
            (SELECT key_id FROM kyber_prekeys WHERE account_id = @a AND device_id = @d AND last_resort = 0 ORDER BY key_id LIMIT 1{database.SkipLockedRows})
        RETURNING key_id, public_key, signature
        """;

    public async Task AddPreKeysAsync(DeviceAddress device, IReadOnlyList<PreKeyDto> keys, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.Command("""
            INSERT INTO one_time_prekeys (account_id, device_id, key_id, public_key) VALUES (@a, @d, @id, @key)
            ON CONFLICT (account_id, device_id, key_id) DO UPDATE SET public_key = excluded.public_key
            """, transaction).With("a", device.AccountId).With("d", device.DeviceId).With("id", 0).With("key", Array.Empty<byte>());
        foreach (var key in keys)
        {
            command.Set("id", key.KeyId);
            command.Set("key", key.PublicKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task AddKyberPreKeysAsync(DeviceAddress device, IReadOnlyList<KyberPreKeyDto> keys, bool lastResort, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AddKyberPreKeysAsync(connection, transaction, device, keys, lastResort, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Adds Kyber keys inside a caller's transaction; a new last-resort key replaces the old one.</summary>
    public static async Task AddKyberPreKeysAsync(DbConnection connection, DbTransaction transaction, DeviceAddress device,
        IReadOnlyList<KyberPreKeyDto> keys, bool lastResort, CancellationToken cancellationToken)
    {
        if (lastResort)
        {
            await using var delete = connection.Command("DELETE FROM kyber_prekeys WHERE account_id = @a AND device_id = @d AND last_resort = 1", transaction)
                .With("a", device.AccountId).With("d", device.DeviceId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = connection.Command("""
            INSERT INTO kyber_prekeys (account_id, device_id, key_id, public_key, signature, last_resort) VALUES (@a, @d, @id, @key, @sig, @lr)
            ON CONFLICT (account_id, device_id, key_id) DO UPDATE SET public_key = excluded.public_key, signature = excluded.signature, last_resort = excluded.last_resort
            """, transaction).With("a", device.AccountId).With("d", device.DeviceId).With("id", 0)
            .With("key", Array.Empty<byte>()).With("sig", Array.Empty<byte>()).With("lr", lastResort ? 1 : 0);
        foreach (var key in keys)
        {
            command.Set("id", key.KeyId);
            command.Set("key", key.PublicKey);
            command.Set("sig", key.Signature);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<PreKeyCountResponse> CountAsync(DeviceAddress device, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT (SELECT COUNT(*) FROM one_time_prekeys WHERE account_id = @a AND device_id = @d),
                   (SELECT COUNT(*) FROM kyber_prekeys WHERE account_id = @a AND device_id = @d AND last_resort = 0)
            """).With("a", device.AccountId).With("d", device.DeviceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new PreKeyCountResponse(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Takes one one-time EC prekey out of the store, or null when none is left. The DELETE ...
    /// RETURNING is what makes a key go to one fetcher only: of two concurrent deletes of the same
    /// row exactly one returns it, and the loser tries again. On PostgreSQL the sub-select skips
    /// rows other fetchers have locked, so concurrent fetchers rarely collide at all.
    /// </summary>
    public async Task<PreKeyDto?> TakePreKeyAsync(DeviceAddress device, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        for (var attempt = 0; attempt < MaxTakeAttempts; attempt++)
        {
            await using var command = connection.Command(_takePreKeySql).With("a", device.AccountId).With("d", device.DeviceId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new PreKeyDto(reader.GetInt32(0), (byte[])reader.GetValue(1));
            }
            await reader.CloseAsync();
            if (!await HasAnyAsync(connection, "one_time_prekeys", "", device, cancellationToken))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Takes a one-time Kyber prekey, falling back to (without removing) the last-resort key.</summary>
    public async Task<KyberPreKeyDto?> TakeKyberPreKeyAsync(DeviceAddress device, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        for (var attempt = 0; attempt < MaxTakeAttempts; attempt++)
        {
            await using var command = connection.Command(_takeKyberPreKeySql).With("a", device.AccountId).With("d", device.DeviceId);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    return new KyberPreKeyDto(reader.GetInt32(0), (byte[])reader.GetValue(1), (byte[])reader.GetValue(2));
                }
            }
            if (!await HasAnyAsync(connection, "kyber_prekeys", " AND last_resort = 0", device, cancellationToken))
            {
                break;
            }
        }
        await using var lastResort = connection.Command(
            "SELECT key_id, public_key, signature FROM kyber_prekeys WHERE account_id = @a AND device_id = @d AND last_resort = 1")
            .With("a", device.AccountId).With("d", device.DeviceId);
        await using var last = await lastResort.ExecuteReaderAsync(cancellationToken);
        return await last.ReadAsync(cancellationToken)
            ? new KyberPreKeyDto(last.GetInt32(0), (byte[])last.GetValue(1), (byte[])last.GetValue(2))
            : null;
    }

    private static async Task<bool> HasAnyAsync(DbConnection connection, string table, string filter, DeviceAddress device, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT 1 FROM {table} WHERE account_id = @a AND device_id = @d{filter} LIMIT 1")
            .With("a", device.AccountId).With("d", device.DeviceId);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }
}
