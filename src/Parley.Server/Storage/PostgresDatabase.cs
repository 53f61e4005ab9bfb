using System.Data.Common;
using Npgsql;

namespace Parley.Server.Storage;

/// <summary>PostgreSQL for clusters: every node shares it; same tables as SQLite.</summary>
public sealed class PostgresDatabase(string connectionString) : Database, IDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Kind => "postgresql";

    public override string SkipLockedRows => " FOR UPDATE SKIP LOCKED";

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

    protected override IReadOnlyList<string> Migrations { get; } = Schema.Migrations(ColumnTypes.Postgres);
}
