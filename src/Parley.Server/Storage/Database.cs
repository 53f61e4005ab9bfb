using System.Data.Common;

namespace Parley.Server.Storage;

/// <summary>
/// The source of truth: SQLite (embedded default) or PostgreSQL, chosen by configuration.
/// Repositories write one SQL text for both; the few dialect differences live in subclasses.
/// </summary>
public abstract class Database
{
    /// <summary>"sqlite" or "postgresql", shown by /healthz.</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// Appended to a "take the first row" sub-select so that concurrent takers each lock a different
    /// row instead of all queueing on the same one (PostgreSQL's FOR UPDATE SKIP LOCKED). SQLite
    /// needs nothing: it runs one writer at a time.
    /// </summary>
    public virtual string SkipLockedRows => "";

    protected abstract DbConnection CreateConnection();

    /// <summary>
    /// The schema as ordered migrations: entry i upgrades the database to version i + 1. Append new
    /// entries, never edit shipped ones — databases out there are at every version.
    /// </summary>
    protected abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>Opens a pooled connection with the dialect's per-connection settings applied.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken);
            await OnOpenedAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    protected virtual Task OnOpenedAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Creates or upgrades the schema to the newest version. Safe to run on every start.</summary>
    public virtual async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ApplyMigrationsAsync(connection, cancellationToken);
    }

    protected async Task ApplyMigrationsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", cancellationToken);
        await using (var read = connection.Command("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        {
            SchemaVersion = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        for (var version = SchemaVersion + 1; version <= Migrations.Count; version++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var migrate = connection.Command(Migrations[version - 1], transaction))
            {
                await migrate.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var record = connection.Command("INSERT INTO schema_version (version) VALUES (@v)", transaction).With("v", version))
            {
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            SchemaVersion = version;
        }
    }

    /// <summary>The schema version after <see cref="MigrateAsync"/>.</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>True when the database answers a trivial query.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }
}
