using Parley.Client.Storage;

namespace Parley.Client.Sqlite;

/// <summary>Account, prekeys, sessions, sender keys and identities.</summary>
public sealed partial class SqliteClientStore
{
    public async Task<LocalAccount?> LoadAccountAsync() => (await QueryAsync(
        "SELECT server, number, account_id, device_id, password, registration_id, identity_key_pair, device_name, next_prekey_id, next_kyber_id, signed_prekey_id, profile_key FROM account",
        r => new LocalAccount(new Uri(r.GetString(0)), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetString(4), (uint)r.GetInt64(5),
            (byte[])r[6], r.IsDBNull(7) ? null : r.GetString(7), (uint)r.GetInt64(8), (uint)r.GetInt64(9), (uint)r.GetInt64(10),
            r.IsDBNull(11) ? null : (byte[])r[11]))).SingleOrDefault();

    public Task SaveAccountAsync(LocalAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return ExecuteAsync("""
            INSERT OR REPLACE INTO account (singleton, server, number, account_id, device_id, password, registration_id, identity_key_pair,
                device_name, next_prekey_id, next_kyber_id, signed_prekey_id, profile_key)
            VALUES (1, $server, $number, $account, $device, $password, $registration, $identity, $name, $next, $nextKyber, $signed, $profileKey)
            """,
            ("$server", account.Server.ToString()), ("$number", account.Number), ("$account", account.AccountId), ("$device", account.DeviceId),
            ("$password", account.Password), ("$registration", (long)account.RegistrationId), ("$identity", account.IdentityKeyPair),
            ("$name", account.DeviceName), ("$next", (long)account.NextPreKeyId), ("$nextKyber", (long)account.NextKyberPreKeyId),
            ("$signed", (long)account.SignedPreKeyId), ("$profileKey", account.ProfileKey));
    }

    public Task ResetAccountAsync() => AtomicallyAsync(() =>
        ExecuteAsync("DELETE FROM account; DELETE FROM prekeys; DELETE FROM sessions; DELETE FROM sender_keys; DELETE FROM identities;"));

    public async Task<StoredPreKey?> LoadPreKeyAsync(PreKeyKind kind, uint id) => (await QueryAsync(
        "SELECT record, last_resort FROM prekeys WHERE kind = $kind AND id = $id",
        r => new StoredPreKey((byte[])r[0], r.GetInt64(1) != 0), ("$kind", (int)kind), ("$id", (long)id))).SingleOrDefault();

    public Task StorePreKeyAsync(PreKeyKind kind, uint id, StoredPreKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ExecuteAsync("INSERT OR REPLACE INTO prekeys (kind, id, record, last_resort) VALUES ($kind, $id, $record, $lastResort)",
            ("$kind", (int)kind), ("$id", (long)id), ("$record", key.Record), ("$lastResort", key.LastResort ? 1 : 0));
    }

    public Task RemovePreKeyAsync(PreKeyKind kind, uint id) =>
        ExecuteAsync("DELETE FROM prekeys WHERE kind = $kind AND id = $id", ("$kind", (int)kind), ("$id", (long)id));

    public Task<byte[]?> LoadSessionAsync(string name, uint deviceId) =>
        BlobAsync("SELECT record FROM sessions WHERE name = $name AND device_id = $device", ("$name", name), ("$device", (long)deviceId));

    public Task StoreSessionAsync(string name, uint deviceId, byte[] record) =>
        ExecuteAsync("INSERT OR REPLACE INTO sessions (name, device_id, record) VALUES ($name, $device, $record)",
            ("$name", name), ("$device", (long)deviceId), ("$record", record));

    public Task DeleteSessionAsync(string name, uint deviceId) =>
        ExecuteAsync("DELETE FROM sessions WHERE name = $name AND device_id = $device", ("$name", name), ("$device", (long)deviceId));

    public async Task<IReadOnlyList<uint>> ListSessionDevicesAsync(string name) =>
        await QueryAsync("SELECT device_id FROM sessions WHERE name = $name ORDER BY device_id", r => (uint)r.GetInt64(0), ("$name", name));

    public Task<byte[]?> LoadSenderKeyAsync(string name, uint deviceId, Guid distributionId) =>
        BlobAsync("SELECT record FROM sender_keys WHERE name = $name AND device_id = $device AND distribution_id = $distribution",
            ("$name", name), ("$device", (long)deviceId), ("$distribution", distributionId.ToString()));

    public Task StoreSenderKeyAsync(string name, uint deviceId, Guid distributionId, byte[] record) =>
        ExecuteAsync("INSERT OR REPLACE INTO sender_keys (name, device_id, distribution_id, record) VALUES ($name, $device, $distribution, $record)",
            ("$name", name), ("$device", (long)deviceId), ("$distribution", distributionId.ToString()), ("$record", record));

    public Task<byte[]?> LoadIdentityAsync(string name, uint deviceId) =>
        BlobAsync("SELECT identity_key FROM identities WHERE name = $name AND device_id = $device", ("$name", name), ("$device", (long)deviceId));

    public Task StoreIdentityAsync(string name, uint deviceId, byte[] identityKey) =>
        ExecuteAsync("INSERT OR REPLACE INTO identities (name, device_id, identity_key) VALUES ($name, $device, $key)",
            ("$name", name), ("$device", (long)deviceId), ("$key", identityKey));
}
