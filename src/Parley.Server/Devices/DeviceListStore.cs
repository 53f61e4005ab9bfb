using System.Data.Common;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Keys;
using Parley.Server.Storage;

namespace Parley.Server.Devices;

/// <summary>The signed device list of an account as stored (table device_lists).</summary>
/// <param name="SignerKey">The primary identity key the list was verified against when stored.</param>
public sealed record StoredDeviceList(long Version, byte[] List, byte[] Signature, byte[] SignerKey, int NextDeviceId);

/// <summary>
/// Device list changes: adding a linked device and removing one, each in one transaction together
/// with the new signed list, so the devices table and the list contacts verify never disagree.
/// </summary>
public sealed class DeviceListStore(Database database, DeviceLinkSchema schema)
{
    public async Task<StoredDeviceList?> FindAsync(string accountId, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT version, list, signature, signer_key, next_device_id FROM device_lists WHERE account_id = @a").With("a", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredDeviceList(reader.GetInt64(0), (byte[])reader.GetValue(1), (byte[])reader.GetValue(2), (byte[])reader.GetValue(3), reader.GetInt32(4))
            : null;
    }

    /// <summary>
    /// Ids are never reused (Signal does the same): a contact holding a session with an unlinked
    /// device 2 must never mistake a later device for it.
    /// </summary>
    public static int NextDeviceId(StoredDeviceList? stored, IReadOnlyList<DeviceRecord> devices) =>
        Math.Max(stored?.NextDeviceId ?? 2, devices.Count == 0 ? 2 : devices.Max(d => d.DeviceId) + 1);

    /// <summary>
    /// Adds the presented device as <paramref name="deviceId"/> and stores the list that includes it.
    /// False when something changed concurrently (the link was approved or rejected meanwhile, the id
    /// was taken, the list moved on): the primary reloads and tries again.
    /// </summary>
    public async Task<bool> ApproveAsync(DeviceLink link, int deviceId, long previousVersion, StoredDeviceList next, long now,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            if (!await LinkStore.MarkApprovedAsync(connection, transaction, link.Id, deviceId, cancellationToken)
                || !await SaveListAsync(connection, transaction, link.AccountId, previousVersion, next, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
            var device = new DeviceRecord(link.AccountId, deviceId, link.RegistrationId, link.IdentityKey!, link.SignedPreKey!, link.Name, now);
            await AccountStore.InsertDeviceAsync(connection, transaction, device, link.CredentialHash!, cancellationToken);
            await KeyStore.AddKyberPreKeysAsync(connection, transaction, new DeviceAddress(link.AccountId, deviceId),
                [link.PqLastResortPreKey!], lastResort: true, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbException)
        {
            // A unique-key clash: another approval took this device id or list version first.
            await transaction.RollbackAsync(CancellationToken.None);
            return false;
        }
    }

    /// <summary>
    /// Removes a device with its keys (the foreign keys cascade) and its queued envelopes, which no
    /// one could decrypt any more, and stores the list without it. False on a concurrent change.
    /// </summary>
    public async Task<bool> UnlinkAsync(DeviceAddress device, long previousVersion, StoredDeviceList next, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await SaveListAsync(connection, transaction, device.AccountId, previousVersion, next, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        foreach (var table in new[] { "one_time_prekeys", "kyber_prekeys", "envelopes", "group_cursors", "devices" })
        {
            await using var delete = connection.Command($"DELETE FROM {table} WHERE account_id = @a AND device_id = @d", transaction)
                .With("a", device.AccountId).With("d", device.DeviceId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Optimistic concurrency: the stored version must still be the one the primary signed on top of.</summary>
    private static async Task<bool> SaveListAsync(DbConnection connection, DbTransaction transaction, string accountId, long previousVersion,
        StoredDeviceList next, CancellationToken cancellationToken)
    {
        var sql = previousVersion == 0
            ? """
              INSERT INTO device_lists (account_id, version, list, signature, signer_key, next_device_id)
              VALUES (@a, @v, @list, @sig, @signer, @next)
              """
            : """
              UPDATE device_lists SET version = @v, list = @list, signature = @sig, signer_key = @signer, next_device_id = @next
              WHERE account_id = @a AND version = @previous
              """;
        await using var command = connection.Command(sql, transaction)
            .With("a", accountId).With("v", next.Version).With("list", next.List).With("sig", next.Signature)
            .With("signer", next.SignerKey).With("next", next.NextDeviceId).With("previous", previousVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
