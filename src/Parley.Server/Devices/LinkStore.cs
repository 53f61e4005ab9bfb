using System.Data.Common;
using System.Security.Cryptography;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Devices;

public enum LinkState
{
    CodeIssued = 0,
    Presented = 1,
    Approved = 2,
    Rejected = 3,
}

/// <summary>A link from code to approval. The device fields are set once a new device presented the code.</summary>
public sealed record DeviceLink(
    string Id,
    string AccountId,
    LinkState State,
    long CreatedAt,
    long ExpiresAt,
    int? DeviceId,
    string? Name,
    int RegistrationId,
    byte[]? IdentityKey,
    SignedPreKey? SignedPreKey,
    KyberPreKeyDto? PqLastResortPreKey,
    byte[]? CredentialHash);

/// <summary>Link codes and the links they start (table device_links).</summary>
public sealed class LinkStore(Database database, DeviceLinkSchema schema)
{
    /// <summary>Finished and expired links stay this long so a late poll still hears "expired" rather than "unknown".</summary>
    private static readonly long KeepAfterExpiryMs = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    private const string Columns = """
        id, account_id, state, created_at, expires_at, device_id, name, registration_id, identity_key,
        signed_prekey_id, signed_prekey, signed_prekey_signature, kyber_key_id, kyber_key, kyber_signature, credential_hash
        """;

    public async Task CreateCodeAsync(string accountId, byte[] codeHash, long now, long expiresAt, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM device_links WHERE expires_at < @old", cancellationToken, ("old", now - KeepAfterExpiryMs));
        await connection.ExecuteAsync("""
            INSERT INTO device_links (id, account_id, code_hash, created_at, expires_at, state)
            VALUES (@id, @account, @hash, @now, @expires, 0)
            """, cancellationToken, ("id", NewLinkId()), ("account", accountId), ("hash", codeHash), ("now", now), ("expires", expiresAt));
    }

    public async Task<DeviceLink?> FindByCodeAsync(byte[] codeHash, CancellationToken cancellationToken) =>
        await FindAsync("code_hash = @key", codeHash, cancellationToken);

    public async Task<DeviceLink?> FindAsync(string linkId, CancellationToken cancellationToken) =>
        await FindAsync("id = @key", linkId, cancellationToken);

    /// <summary>
    /// Records the new device on a link whose code was not used yet. False when another device got
    /// there first: a code is good for one presentation only.
    /// </summary>
    public async Task<bool> PresentAsync(string linkId, LinkDeviceRequest request, byte[] credentialHash, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var spk = request.SignedPreKey;
        var kyber = request.PqLastResortPreKey;
        return await connection.ExecuteAsync("""
            UPDATE device_links SET state = 1, name = @name, registration_id = @registration, identity_key = @identity,
                signed_prekey_id = @spkId, signed_prekey = @spk, signed_prekey_signature = @spkSig,
                kyber_key_id = @kyberId, kyber_key = @kyber, kyber_signature = @kyberSig, credential_hash = @hash, presented_at = @now
            WHERE id = @id AND state = 0
            """, cancellationToken, ("name", request.DeviceName), ("registration", request.RegistrationId), ("identity", request.IdentityKey),
            ("spkId", spk.KeyId), ("spk", spk.PublicKey), ("spkSig", spk.Signature),
            ("kyberId", kyber.KeyId), ("kyber", kyber.PublicKey), ("kyberSig", kyber.Signature),
            ("hash", credentialHash), ("now", now), ("id", linkId)) == 1;
    }

    /// <summary>Presented links of an account that have not expired, oldest first.</summary>
    public async Task<IReadOnlyList<DeviceLink>> ListPendingAsync(string accountId, long now, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM device_links WHERE account_id = @a AND state = 1 AND expires_at > @now ORDER BY created_at")
            .With("a", accountId).With("now", now);
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<bool> RejectAsync(string linkId, string accountId, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("UPDATE device_links SET state = 3 WHERE id = @id AND account_id = @a AND state IN (0, 1)",
            cancellationToken, ("id", linkId), ("a", accountId)) == 1;
    }

    /// <summary>Marks a presented link approved inside the caller's transaction; false if it is no longer pending.</summary>
    public static async Task<bool> MarkApprovedAsync(DbConnection connection, DbTransaction transaction, string linkId, int deviceId,
        CancellationToken cancellationToken)
    {
        await using var command = connection.Command("UPDATE device_links SET state = 2, device_id = @d WHERE id = @id AND state = 1", transaction)
            .With("d", deviceId).With("id", linkId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The account's number, told to a new device once it is approved.</summary>
    public async Task<string?> FindNumberAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT number FROM accounts WHERE id = @a").With("a", accountId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private async Task<DeviceLink?> FindAsync(string where, object key, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM device_links WHERE {where}").With("key", key);
        return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
    }

    private static async Task<IReadOnlyList<DeviceLink>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var links = new List<DeviceLink>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var presented = !reader.IsDBNull(8);
            links.Add(new DeviceLink(
                reader.GetString(0), reader.GetString(1), (LinkState)reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.GetStringOrNull(6),
                presented ? reader.GetInt32(7) : 0, reader.GetBytesOrNull(8),
                presented ? new SignedPreKey(reader.GetInt32(9), (byte[])reader.GetValue(10), (byte[])reader.GetValue(11)) : null,
                presented ? new KyberPreKeyDto(reader.GetInt32(12), (byte[])reader.GetValue(13), (byte[])reader.GetValue(14)) : null,
                reader.GetBytesOrNull(15)));
        }
        return links;
    }

    /// <summary>128 random bits: the link id doubles as the new device's bearer secret for polling.</summary>
    private static string NewLinkId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
