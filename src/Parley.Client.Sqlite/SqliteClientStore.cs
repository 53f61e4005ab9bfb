using Microsoft.Data.Sqlite;
using Parley.Client.Storage;

namespace Parley.Client.Sqlite;

/// <summary>
/// The client store in one SQLite file (<c>parley.db</c>) in a profile directory. The file holds
/// private keys and the device password, so directory and file are made readable by the owner
/// only. One connection, serialized; <see cref="AtomicallyAsync{T}"/> is a real transaction, so a
/// crash between "session advanced" and "message stored" leaves neither.
/// </summary>
public sealed partial class SqliteClientStore : IClientStore, IAsyncDisposable
{
    public const string FileName = "parley.db";

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly AsyncLocal<SqliteTransaction?> _transaction = new();

    private SqliteClientStore(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens (creating if needed) the profile in <paramref name="profileDirectory"/>.</summary>
    public static async Task<SqliteClientStore> OpenAsync(string profileDirectory)
    {
        var directory = Directory.CreateDirectory(profileDirectory);
        var path = Path.Combine(directory.FullName, FileName);
        var isNew = !File.Exists(path);
        if (!OperatingSystem.IsWindows())
        {
            directory.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        if (isNew && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await using (var command = connection.CreateCommand())
        {
            // FULL: a message is acked to the server only after it is stored, so "stored" must survive power loss.
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;" + ClientSchema.Create;
            await command.ExecuteNonQueryAsync();
        }
        foreach (var (table, column, type) in ClientSchema.AddedColumns)
        {
            await using var check = connection.CreateCommand();
            check.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
            if (Convert.ToInt64(await check.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                check.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {type}";
                await check.ExecuteNonQueryAsync();
            }
        }
        return new SqliteClientStore(connection);
    }

    public async Task<T> AtomicallyAsync<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_transaction.Value is not null)
        {
            return await work();
        }
        await _lock.WaitAsync();
        try
        {
            await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync();
            _transaction.Value = transaction;
            try
            {
                var result = await work();
                await transaction.CommitAsync();
                return result;
            }
            finally
            {
                _transaction.Value = null;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Runs one statement, inside the caller's atomic unit if there is one.</summary>
    private async Task<T> RunAsync<T>(string sql, Func<SqliteCommand, Task<T>> work, params (string Name, object? Value)[] parameters)
    {
        var transaction = _transaction.Value;
        if (transaction is null)
        {
            await _lock.WaitAsync();
        }
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
            return await work(command);
        }
        finally
        {
            if (transaction is null)
            {
                _lock.Release();
            }
        }
    }

    private Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, command => command.ExecuteNonQueryAsync(), parameters);

    private Task<byte[]?> BlobAsync(string sql, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, async command => await command.ExecuteScalarAsync() as byte[], parameters);

    private Task<List<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters) =>
        RunAsync(sql, async command =>
        {
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(map(reader));
            }
            return rows;
        }, parameters);

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync();
        await _connection.DisposeAsync();
        _lock.Dispose();
    }
}
