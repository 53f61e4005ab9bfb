using System.Data.Common;
using Npgsql;

namespace Parley.Server.Storage;

/// <summary>PostgreSQL for clusters: every node shares it; same tables as SQLite.</summary>
public sealed class PostgresDatabase(string connectionString) : Database, IDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Kind => "postgresql";

    protected override DbConnection CreateConnection() => _dataSource.CreateConnection();

    public override async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        // Several nodes may start at once: an advisory lock serialises their CREATE IF NOT EXISTS.
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync("SELECT pg_advisory_lock(72616)", cancellationToken);
        try
        {
            await ApplyMigrationsAsync(connection, cancellationToken);
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(72616)", cancellationToken);
        }
    }

    public void Dispose() => _dataSource.Dispose();

    protected override IReadOnlyList<string> Migrations { get; } = [Initial, Groups];

    private const string Initial = """
        CREATE TABLE IF NOT EXISTS accounts (
            id            TEXT PRIMARY KEY,
            number        TEXT NOT NULL UNIQUE,
            created_at    BIGINT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS devices (
            account_id       TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            device_id        INTEGER NOT NULL,
            registration_id  INTEGER NOT NULL,
            credential_hash  BYTEA NOT NULL,
            identity_key     BYTEA NOT NULL,
            signed_prekey_id INTEGER NOT NULL,
            signed_prekey    BYTEA NOT NULL,
            signed_prekey_signature BYTEA NOT NULL,
            name             TEXT,
            created_at       BIGINT NOT NULL,
            PRIMARY KEY (account_id, device_id)
        );
        CREATE TABLE IF NOT EXISTS one_time_prekeys (
            account_id  TEXT NOT NULL,
            device_id   INTEGER NOT NULL,
            key_id      INTEGER NOT NULL,
            public_key  BYTEA NOT NULL,
            PRIMARY KEY (account_id, device_id, key_id),
            FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id) ON DELETE CASCADE
        );
        CREATE TABLE IF NOT EXISTS kyber_prekeys (
            account_id  TEXT NOT NULL,
            device_id   INTEGER NOT NULL,
            key_id      INTEGER NOT NULL,
            public_key  BYTEA NOT NULL,
            signature   BYTEA NOT NULL,
            last_resort INTEGER NOT NULL,
            PRIMARY KEY (account_id, device_id, key_id),
            FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id) ON DELETE CASCADE
        );
        CREATE TABLE IF NOT EXISTS registration_sessions (
            id              TEXT PRIMARY KEY,
            number          TEXT NOT NULL,
            code_hash       BYTEA NOT NULL,
            code_expires_at BIGINT NOT NULL,
            attempts        INTEGER NOT NULL,
            codes_sent      INTEGER NOT NULL,
            verified_at     BIGINT,
            created_at      BIGINT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS registration_sessions_by_number ON registration_sessions(number, created_at);
        CREATE TABLE IF NOT EXISTS envelopes (
            id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            account_id       TEXT NOT NULL,
            device_id        INTEGER NOT NULL,
            type             INTEGER NOT NULL,
            source_account   TEXT NOT NULL,
            source_device    INTEGER NOT NULL,
            message_id       BYTEA NOT NULL,
            client_timestamp BIGINT NOT NULL,
            server_timestamp BIGINT NOT NULL,
            content          BYTEA NOT NULL,
            receipted_ids    BYTEA NOT NULL,
            expires_at       BIGINT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS envelopes_by_device ON envelopes(account_id, device_id, id);
        CREATE INDEX IF NOT EXISTS envelopes_by_expiry ON envelopes(expires_at);
        """;

    private const string Groups = """
        ALTER TABLE envelopes ADD COLUMN group_id TEXT;
        ALTER TABLE envelopes ADD COLUMN payload_id BIGINT;
        CREATE INDEX envelopes_by_payload ON envelopes(payload_id) WHERE payload_id IS NOT NULL;
        CREATE TABLE group_payloads (
            id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            content     BYTEA NOT NULL,
            created_at  BIGINT NOT NULL
        );
        CREATE TABLE groups (
            id                    TEXT PRIMARY KEY,
            version               BIGINT NOT NULL,
            name                  TEXT NOT NULL,
            description           TEXT NOT NULL,
            picture               TEXT NOT NULL,
            only_admins_edit_info INTEGER NOT NULL,
            only_admins_send      INTEGER NOT NULL,
            invite_token          TEXT,
            created_by            TEXT NOT NULL,
            created_at            BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX groups_by_invite ON groups(invite_token) WHERE invite_token IS NOT NULL;
        CREATE TABLE group_members (
            group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            account_id  TEXT NOT NULL,
            admin       INTEGER NOT NULL,
            joined_at   BIGINT NOT NULL,
            PRIMARY KEY (group_id, account_id)
        );
        CREATE INDEX group_members_by_account ON group_members(account_id);
        CREATE TABLE group_messages (
            group_id       TEXT NOT NULL,
            message_id     BYTEA NOT NULL,
            sender_account TEXT NOT NULL,
            sent_at        BIGINT NOT NULL,
            PRIMARY KEY (group_id, message_id)
        );
        CREATE TABLE group_receipts (
            group_id       TEXT NOT NULL,
            message_id     BYTEA NOT NULL,
            member_account TEXT NOT NULL,
            delivered_at   BIGINT,
            read_at        BIGINT,
            PRIMARY KEY (group_id, message_id, member_account)
        );
        """;
}
