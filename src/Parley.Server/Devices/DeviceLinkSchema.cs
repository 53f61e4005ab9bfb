using Parley.Server.Storage;

namespace Parley.Server.Devices;

/// <summary>
/// The feature's own tables, created on first use rather than in the shared schema scripts so the
/// feature stays in its folder. Idempotent (CREATE IF NOT EXISTS); on PostgreSQL an advisory lock
/// serializes nodes that start using it at the same moment.
/// </summary>
public sealed class DeviceLinkSchema(Database database)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    public async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }
            var postgres = database.Kind == "postgresql";
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (postgres)
            {
                await using var lockCommand = connection.Command("SELECT pg_advisory_xact_lock(72617)", transaction);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var create = connection.Command(Script(postgres ? "BYTEA" : "BLOB", postgres ? "BIGINT" : "INTEGER"), transaction);
            await create.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _ready = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    // state: 0 = code issued, 1 = presented by a new device, 2 = approved, 3 = rejected.
    private static string Script(string bytes, string int64) => $"""
        CREATE TABLE IF NOT EXISTS device_links (
            id                      TEXT PRIMARY KEY,
            account_id              TEXT NOT NULL,
            code_hash               {bytes} NOT NULL UNIQUE,
            created_at              {int64} NOT NULL,
            expires_at              {int64} NOT NULL,
            state                   INTEGER NOT NULL,
            device_id               INTEGER,
            name                    TEXT,
            registration_id         INTEGER,
            identity_key            {bytes},
            signed_prekey_id        INTEGER,
            signed_prekey           {bytes},
            signed_prekey_signature {bytes},
            kyber_key_id            INTEGER,
            kyber_key               {bytes},
            kyber_signature         {bytes},
            credential_hash         {bytes},
            presented_at            {int64}
        );
        CREATE INDEX IF NOT EXISTS device_links_by_account ON device_links(account_id, state);
        CREATE TABLE IF NOT EXISTS device_lists (
            account_id      TEXT PRIMARY KEY,
            version         {int64} NOT NULL,
            list            {bytes} NOT NULL,
            signature       {bytes} NOT NULL,
            signer_key      {bytes} NOT NULL,
            next_device_id  INTEGER NOT NULL
        );
        """;
}
