using Microsoft.Data.Sqlite;
using Parley.Server.Accounts;
using Parley.Server.Messages;
using Parley.Server.Storage;

namespace Parley.Server.Tests.Groups;

/// <summary>
/// A database from before version 9 may hold cursors of members who left (<c>ends_after</c>). The
/// upgrade must hand what they were still owed to their devices' own queues, not drop it.
/// </summary>
public sealed class GroupLogUpgradeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("parley-upgrade-").FullName;

    [Fact]
    public async Task Upgrade_moves_what_a_departed_members_device_was_still_owed_into_its_queue()
    {
        var database = SqliteDatabase.InDirectory(_directory);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "parley.db")}"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("CREATE TABLE schema_version (version INTEGER NOT NULL)", CancellationToken.None);
            var migrations = Schema.Migrations(ColumnTypes.Sqlite);
            for (var version = 1; version <= 8; version++)
            {
                await connection.ExecuteAsync(migrations[version - 1], CancellationToken.None);
                await connection.ExecuteAsync($"INSERT INTO schema_version (version) VALUES ({version})", CancellationToken.None);
            }
            // Group g's log: rows 1-4. Carol's device left after row 3, having acked row 1; row 2 is her own.
            foreach (var (id, source, text) in new[] { (1, "alice", "acked"), (2, "carol", "her own"), (3, "alice", "owed"), (4, "alice", "after she left") })
            {
                await connection.ExecuteAsync($"""
                    INSERT INTO envelopes (id, account_id, device_id, type, source_account, source_device, message_id, client_timestamp,
                                           server_timestamp, content, receipted_ids, expires_at, group_id)
                    VALUES ({id}, 'g:g', 0, 5, '{source}', 1, x'00', {id}, {id}, CAST('{text}' AS BLOB), x'', 9999999999999, 'g')
                    """, CancellationToken.None);
            }
            await connection.ExecuteAsync("""
                INSERT INTO group_cursors (account_id, device_id, group_id, acked_up_to, ends_after) VALUES ('carol', 1, 'g', 1, 3), ('bob', 1, 'g', 2, NULL)
                """, CancellationToken.None);
        }

        await database.MigrateAsync();

        var store = new EnvelopeStore(database);
        var carol = await store.ReadQueueAsync(new DeviceAddress("carol", 1), 0, 100, 0, CancellationToken.None);
        Assert.Equal(["owed"], carol.Select(e => System.Text.Encoding.UTF8.GetString(e.Content)));
        Assert.Equal("g", carol[0].GroupId);
        var bob = await store.ReadQueueAsync(new DeviceAddress("bob", 1), 0, 100, 0, CancellationToken.None);
        Assert.Equal(["owed", "after she left"], bob.Select(e => System.Text.Encoding.UTF8.GetString(e.Content)));
        Assert.True(bob[0].Id < carol[0].Id, "carol's copy is a row of her own queue");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
