using System.Data.Common;
using Parley.Client.Api;
using Parley.Server.Storage;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>
/// A running server plus the intent methods tests speak in: register a user, read the SMS outbox,
/// look into the database the way an operator (or an attacker with a dump) would.
/// </summary>
public sealed class ParleyServer : IAsyncDisposable
{
    private readonly string? _postgres;

    private ParleyServer(DatabaseKind kind, string dataDirectory, string? postgres, ServerProcess process)
    {
        Kind = kind;
        DataDirectory = dataDirectory;
        _postgres = postgres;
        Process = process;
    }

    public DatabaseKind Kind { get; }

    public string DataDirectory { get; }

    public ServerProcess Process { get; }

    public Uri BaseAddress => Process.BaseAddress;

    public static async Task<ParleyServer> StartAsync(DatabaseKind kind, IDictionary<string, string>? settings = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "parley-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var postgres = kind == DatabaseKind.Postgres ? await TestDatabase.CreatePostgresDatabaseAsync() : null;
        var process = new ServerProcess(dataDirectory, postgres, settings);
        await process.StartAsync();
        return new ParleyServer(kind, dataDirectory, postgres, process);
    }

    public ParleyApi NewApi() => new(new HttpClient { BaseAddress = BaseAddress });

    /// <summary>The newest code the development SMS outbox holds for a number.</summary>
    public async Task<string> ReadCodeAsync(string number)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (File.Exists(Process.SmsOutboxPath))
            {
                var lines = await File.ReadAllLinesAsync(Process.SmsOutboxPath);
                var line = lines.LastOrDefault(l => l.StartsWith(number + " ", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(number.Length + 1)..];
                }
            }
            await Task.Delay(20);
        }
        throw new InvalidOperationException($"No code for {number} in {Process.SmsOutboxPath}.");
    }

    /// <summary>The server's own database, opened directly (as an operator would).</summary>
    public Database OpenDatabase() => _postgres is null
        ? SqliteDatabase.InDirectory(DataDirectory)
        : new PostgresDatabase(_postgres);

    public async Task<int> ExecuteSqlAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        var database = OpenDatabase();
        await using DbConnection connection = await database.OpenAsync();
        var count = await connection.ExecuteAsync(sql, CancellationToken.None, parameters);
        (database as IDisposable)?.Dispose();
        return count;
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        var database = OpenDatabase();
        await using DbConnection connection = await database.OpenAsync();
        await using var command = connection.Command(sql);
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }
        var result = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        (database as IDisposable)?.Dispose();
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file may still be held briefly by the dying process; the temp directory is cleaned by the OS.
        }
    }
}

/// <summary>One server per test class, per database.</summary>
public abstract class ServerFixture(DatabaseKind kind) : IAsyncLifetime
{
    public ParleyServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ParleyServer.StartAsync(kind);

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

public sealed class SqliteServerFixture() : ServerFixture(DatabaseKind.Sqlite);

public sealed class PostgresServerFixture() : ServerFixture(DatabaseKind.Postgres);
