using Npgsql;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>The databases the suite runs against. PostgreSQL is started by ./test.sh.</summary>
public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

public static class TestDatabase
{
    /// <summary>Creates a fresh PostgreSQL database and returns its connection string.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync()
    {
        var admin = Environment.GetEnvironmentVariable("PARLEY_TEST_POSTGRES")
            ?? throw new InvalidOperationException(
                "PARLEY_TEST_POSTGRES is not set. Run the tests through ./test.sh, which installs and starts PostgreSQL.");
        var name = "parley_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }
}
