using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Parley.Server.Storage;

/// <summary>
/// One SQLite statement prepared once and run through SQLitePCLRaw directly, for the few statements
/// that run for every message. Microsoft.Data.Sqlite allocates a binder per parameter, a reader, a
/// record, a row-id map and tasks on every execution: about half of everything the 1:1 hot path
/// allocated. Parameters are bound in the order they first appear in the SQL.
/// </summary>
public sealed class RawSqliteStatement : IDisposable
{
    private const int Row = raw.SQLITE_ROW;
    private const int Done = raw.SQLITE_DONE;

    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly int _parameterCount;
    private int _bound;

    public RawSqliteStatement(SqliteConnection connection, string sql)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_database, sql, out _statement));
        _parameterCount = raw.sqlite3_bind_parameter_count(_statement);
    }

    /// <summary>Starts a new execution: binding starts again at the first parameter.</summary>
    public RawSqliteStatement Start()
    {
        _bound = 0;
        return this;
    }

    /// <summary>
    /// Ends the execution once its row has been read. A statement left mid-step would make the
    /// batch's COMMIT fail ("SQL statements in progress").
    /// </summary>
    public void Finish() => raw.sqlite3_reset(_statement);

    public RawSqliteStatement Bind(long value) => Bound(raw.sqlite3_bind_int64(_statement, ++_bound, value));

    public RawSqliteStatement Bind(int value) => Bound(raw.sqlite3_bind_int(_statement, ++_bound, value));

    // UTF-16 straight from the string: no UTF-8 copy on our side (SQLite converts while copying).
    public RawSqliteStatement Bind(string? value) => value is null
        ? Bound(raw.sqlite3_bind_null(_statement, ++_bound))
        : Bound(raw.sqlite3_bind_text16(_statement, ++_bound, value.AsSpan()));

    // A zero-length blob must be bound as one: an empty span is a null pointer, which SQLite stores as NULL.
    public RawSqliteStatement Bind(ReadOnlySpan<byte> value) => value.IsEmpty
        ? Bound(raw.sqlite3_bind_zeroblob(_statement, ++_bound, 0))
        : Bound(raw.sqlite3_bind_blob(_statement, ++_bound, value));

    public RawSqliteStatement Bind(long? value) => value is { } number ? Bind(number) : Bound(raw.sqlite3_bind_null(_statement, ++_bound));

    /// <summary>Runs to the first (or next) result row; false, and finished, when there is none.</summary>
    public bool Step()
    {
        if (_bound != _parameterCount)
        {
            throw new InvalidOperationException($"Bound {_bound} of the statement's {_parameterCount} parameters.");
        }
        var result = raw.sqlite3_step(_statement);
        if (result is not (Row or Done))
        {
            Finish();
            Check(result);
        }
        if (result == Done)
        {
            Finish();
        }
        return result == Row;
    }

    /// <summary>Runs a statement that returns no rows; the number of rows it inserted, updated or deleted.</summary>
    public int Execute()
    {
        if (Step())
        {
            Finish();
            throw new InvalidOperationException("The statement returned rows; use Step.");
        }
        return raw.sqlite3_changes(_database);
    }

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public int Int32(int column) => raw.sqlite3_column_int(_statement, column);

    public string String(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public string? StringOrNull(int column) =>
        raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL ? null : String(column);

    public byte[] Blob(int column) => raw.sqlite3_column_blob(_statement, column).ToArray();

    public void Dispose() => _statement.Dispose();

    private RawSqliteStatement Bound(int result)
    {
        Check(result);
        return this;
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, _database);
        }
    }
}
