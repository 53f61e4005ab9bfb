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

    protected override IReadOnlyList<string> Migrations { get; } = Schema.Migrations(ColumnTypes.Sqlite);
}
