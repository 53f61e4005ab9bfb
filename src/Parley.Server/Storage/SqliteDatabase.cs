using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Parley.Server.Storage;

/// <summary>
/// The embedded default: one SQLite file in WAL mode. synchronous=FULL makes every commit fsync,
/// which is what lets the server say "sent" only for envelopes that survive a power cut.
/// </summary>
public sealed class SqliteDatabase(string connectionString) : Database
{
    public override string Kind => "sqlite";

    public static SqliteDatabase InDirectory(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "parley.db"),
            Pooling = true,
            ForeignKeys = true,
            // Also how long a writer waits for SQLite's write lock (Microsoft.Data.Sqlite retries on SQLITE_BUSY).
            DefaultTimeout = 30,
        };
        return new SqliteDatabase(builder.ConnectionString);
    }

    protected override DbConnection CreateConnection() => new SqliteConnection(connectionString);

    protected override async Task OnOpenedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Per connection and cheap; journal_mode=WAL is a property of the file, set once in MigrateAsync.
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=FULL";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        {
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL", cancellationToken);
        }
        await base.MigrateAsync(cancellationToken);
    }

    protected override IReadOnlyList<string> Migrations { get; } = [Initial, Groups];

    private const string Initial = """
        CREATE TABLE IF NOT EXISTS accounts (
            id            TEXT PRIMARY KEY,
            number        TEXT NOT NULL UNIQUE,
            created_at    INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS devices (
            account_id       TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            device_id        INTEGER NOT NULL,
            registration_id  INTEGER NOT NULL,
            credential_hash  BLOB NOT NULL,
            identity_key     BLOB NOT NULL,
            signed_prekey_id INTEGER NOT NULL,
            signed_prekey    BLOB NOT NULL,
            signed_prekey_signature BLOB NOT NULL,
            name             TEXT,
            created_at       INTEGER NOT NULL,
            PRIMARY KEY (account_id, device_id)
        );
        CREATE TABLE IF NOT EXISTS one_time_prekeys (
            account_id  TEXT NOT NULL,
            device_id   INTEGER NOT NULL,
            key_id      INTEGER NOT NULL,
            public_key  BLOB NOT NULL,
            PRIMARY KEY (account_id, device_id, key_id),
            FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id) ON DELETE CASCADE
        );
        CREATE TABLE IF NOT EXISTS kyber_prekeys (
            account_id  TEXT NOT NULL,
            device_id   INTEGER NOT NULL,
            key_id      INTEGER NOT NULL,
            public_key  BLOB NOT NULL,
            signature   BLOB NOT NULL,
            last_resort INTEGER NOT NULL,
            PRIMARY KEY (account_id, device_id, key_id),
            FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id) ON DELETE CASCADE
        );
        CREATE TABLE IF NOT EXISTS registration_sessions (
            id              TEXT PRIMARY KEY,
            number          TEXT NOT NULL,
            code_hash       BLOB NOT NULL,
            code_expires_at INTEGER NOT NULL,
            attempts        INTEGER NOT NULL,
            codes_sent      INTEGER NOT NULL,
            verified_at     INTEGER,
            created_at      INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS registration_sessions_by_number ON registration_sessions(number, created_at);
        CREATE TABLE IF NOT EXISTS envelopes (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            account_id       TEXT NOT NULL,
            device_id        INTEGER NOT NULL,
            type             INTEGER NOT NULL,
            source_account   TEXT NOT NULL,
            source_device    INTEGER NOT NULL,
            message_id       BLOB NOT NULL,
            client_timestamp INTEGER NOT NULL,
            server_timestamp INTEGER NOT NULL,
            content          BLOB NOT NULL,
            receipted_ids    BLOB NOT NULL,
            expires_at       INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS envelopes_by_device ON envelopes(account_id, device_id, id);
        CREATE INDEX IF NOT EXISTS envelopes_by_expiry ON envelopes(expires_at);
        """;

    private const string Groups = """
        ALTER TABLE envelopes ADD COLUMN group_id TEXT;
        ALTER TABLE envelopes ADD COLUMN payload_id INTEGER;
        CREATE INDEX envelopes_by_payload ON envelopes(payload_id) WHERE payload_id IS NOT NULL;
        CREATE TABLE group_payloads (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            content     BLOB NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE groups (
            id                    TEXT PRIMARY KEY,
            version               INTEGER NOT NULL,
            name                  TEXT NOT NULL,
            description           TEXT NOT NULL,
            picture               TEXT NOT NULL,
            only_admins_edit_info INTEGER NOT NULL,
            only_admins_send      INTEGER NOT NULL,
            invite_token          TEXT,
            created_by            TEXT NOT NULL,
            created_at            INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX groups_by_invite ON groups(invite_token) WHERE invite_token IS NOT NULL;
        CREATE TABLE group_members (
            group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            account_id  TEXT NOT NULL,
            admin       INTEGER NOT NULL,
            joined_at   INTEGER NOT NULL,
            PRIMARY KEY (group_id, account_id)
        );
        CREATE INDEX group_members_by_account ON group_members(account_id);
        CREATE TABLE group_messages (
            group_id       TEXT NOT NULL,
            message_id     BLOB NOT NULL,
            sender_account TEXT NOT NULL,
            sent_at        INTEGER NOT NULL,
            PRIMARY KEY (group_id, message_id)
        );
        CREATE TABLE group_receipts (
            group_id       TEXT NOT NULL,
            message_id     BLOB NOT NULL,
            member_account TEXT NOT NULL,
            delivered_at   INTEGER,
            read_at        INTEGER,
            PRIMARY KEY (group_id, message_id, member_account)
        );
        """;
}
