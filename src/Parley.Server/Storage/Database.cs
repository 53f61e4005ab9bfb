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

    protected abstract DbConnection CreateConnection();

    /// <summary>The schema script for this dialect, applied idempotently on start.</summary>
    protected abstract string SchemaScript { get; }

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

    /// <summary>Creates or upgrades the schema. Safe to run on every start and from several nodes.</summary>
    public virtual async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = SchemaScript;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

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
