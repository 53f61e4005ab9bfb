using System.Data.Common;
using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>Accounts and their devices.</summary>
public sealed class AccountStore(Database database)
{
    public async Task<string?> FindIdByNumberAsync(string number, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id FROM accounts WHERE number = @number").With("number", number);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<string?> FindNumberAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT number FROM accounts WHERE id = @id").With("id", accountId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<bool> ExistsAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT 1 FROM accounts WHERE id = @id").With("id", accountId);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>
    /// Creates the account with its primary device, or — when the number is already registered —
    /// keeps its account id but replaces every device, key and queued envelope: the old devices'
    /// keys are gone, so nothing queued for them could ever be decrypted.
    /// </summary>
    public async Task<string> RegisterPrimaryDeviceAsync(string number, DeviceRecord primary, byte[] credentialHash,
        Func<DbConnection, DbTransaction, string, Task> inSameTransaction, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string accountId;
        await using (var find = connection.Command("SELECT id FROM accounts WHERE number = @number", transaction).With("number", number))
        {
            accountId = await find.ExecuteScalarAsync(cancellationToken) as string ?? primary.AccountId;
        }
        if (accountId == primary.AccountId)
        {
            await using var insert = connection.Command("INSERT INTO accounts (id, number, created_at) VALUES (@id, @number, @created)", transaction)
                .With("id", accountId).With("number", number).With("created", primary.CreatedAt);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            foreach (var table in new[] { "one_time_prekeys", "kyber_prekeys", "devices", "envelopes" })
            {
                await using var delete = connection.Command($"DELETE FROM {table} WHERE account_id = @id", transaction).With("id", accountId);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            await Groups.GroupLog.RestartCursorsAsync(connection, transaction, accountId, primary.DeviceId);
        }
        await InsertDeviceAsync(connection, transaction, primary with { AccountId = accountId }, credentialHash, cancellationToken);
        await inSameTransaction(connection, transaction, accountId);
        await transaction.CommitAsync(cancellationToken);
        return accountId;
    }

    internal static async Task InsertDeviceAsync(DbConnection connection, DbTransaction transaction, DeviceRecord device,
        byte[] credentialHash, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("""
            INSERT INTO devices (account_id, device_id, registration_id, credential_hash, identity_key,
                                 signed_prekey_id, signed_prekey, signed_prekey_signature, name, created_at)
            VALUES (@account, @device, @registration, @hash, @identity, @spkId, @spk, @spkSig, @name, @created)
            """, transaction)
            .With("account", device.AccountId).With("device", device.DeviceId).With("registration", device.RegistrationId)
            .With("hash", credentialHash).With("identity", device.IdentityKey).With("spkId", device.SignedPreKey.KeyId)
            .With("spk", device.SignedPreKey.PublicKey).With("spkSig", device.SignedPreKey.Signature)
            .With("name", device.Name).With("created", device.CreatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<byte[]?> FindCredentialHashAsync(DeviceAddress address, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT credential_hash FROM devices WHERE account_id = @a AND device_id = @d")
            .With("a", address.AccountId).With("d", address.DeviceId);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <summary>The devices of an account with their registration ids, ordered by device id; empty if unknown.</summary>
    public async Task<IReadOnlyList<DeviceRegistration>> GetDeviceRegistrationsAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT device_id, registration_id FROM devices WHERE account_id = @a ORDER BY device_id").With("a", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var devices = new List<DeviceRegistration>();
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(new DeviceRegistration(reader.GetInt32(0), reader.GetInt32(1)));
        }
        return devices;
    }

    /// <summary>Public device records of an account (all devices, or the one given).</summary>
    public async Task<IReadOnlyList<DeviceRecord>> GetDevicesAsync(string accountId, int? deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT device_id, registration_id, identity_key, signed_prekey_id, signed_prekey, signed_prekey_signature, name, created_at
            FROM devices WHERE account_id = @a {(deviceId is null ? "" : "AND device_id = @d")} ORDER BY device_id
            """).With("a", accountId).With("d", deviceId ?? 0);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var devices = new List<DeviceRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(new DeviceRecord(accountId, reader.GetInt32(0), reader.GetInt32(1), (byte[])reader.GetValue(2),
                new SignedPreKey(reader.GetInt32(3), (byte[])reader.GetValue(4), (byte[])reader.GetValue(5)),
                reader.GetStringOrNull(6), reader.GetInt64(7)));
        }
        return devices;
    }

    public async Task UpdateSignedPreKeyAsync(DeviceAddress address, SignedPreKey key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE devices SET signed_prekey_id = @id, signed_prekey = @key, signed_prekey_signature = @sig WHERE account_id = @a AND device_id = @d",
            cancellationToken, ("id", key.KeyId), ("key", key.PublicKey), ("sig", key.Signature),
            ("a", address.AccountId), ("d", address.DeviceId));
    }

    public async Task<byte[]?> FindIdentityKeyAsync(DeviceAddress address, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT identity_key FROM devices WHERE account_id = @a AND device_id = @d")
            .With("a", address.AccountId).With("d", address.DeviceId);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }
}
