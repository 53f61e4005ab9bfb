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

    protected override string SchemaScript => """
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
}
