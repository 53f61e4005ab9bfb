using System.Data.Common;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Groups;

/// <summary>
/// The group log: a group message is stored once, as an envelope row addressed to the group, and each
/// member device has a cursor into it (<c>group_cursors</c>). A device's queue is its own envelopes
/// plus, for each of its groups, the group's rows after its cursor (<see cref="Messages.EnvelopeStore"/>);
/// its acks move the cursor (<see cref="Messages.EnvelopeStatements"/>). The rows share the id
/// sequence of all envelopes, so a device still receives everything in one order, "after id N".
/// </summary>
public static class GroupLog
{
    /// <summary>Where a group's rows are addressed. Account ids never contain a colon.</summary>
    public static DeviceAddress Address(string groupId) => new("g:" + groupId, 0);

    /// <summary>The devices that have a live cursor into the group's log.</summary>
    public static async Task<HashSet<DeviceAddress>> CursorDevicesAsync(DbConnection connection, string groupId)
    {
        await using var command = connection.Command("SELECT account_id, device_id FROM group_cursors WHERE group_id = @g AND ends_after IS NULL")
            .With("g", groupId);
        await using var reader = await command.ExecuteReaderAsync();
        var devices = new HashSet<DeviceAddress>();
        while (await reader.ReadAsync())
        {
            devices.Add(new DeviceAddress(reader.GetString(0), reader.GetInt32(1)));
        }
        return devices;
    }

    /// <summary>
    /// Gives <paramref name="devices"/> cursors that start after <paramref name="ackedUpTo"/>: they
    /// receive the group's messages from the next one on. A device whose member left and came back
    /// starts again from here.
    /// </summary>
    public static async Task OpenCursorsAsync(DbConnection connection, DbTransaction transaction, string groupId,
        IEnumerable<DeviceAddress> devices, long ackedUpTo)
    {
        await using var command = connection.Command("""
            INSERT INTO group_cursors (account_id, device_id, group_id, acked_up_to) VALUES (@a, @d, @g, @upTo)
            ON CONFLICT (account_id, device_id, group_id) DO UPDATE SET acked_up_to = excluded.acked_up_to, ends_after = NULL
            """, transaction).With("a", "").With("d", 0).With("g", groupId).With("upTo", ackedUpTo);
        foreach (var device in devices)
        {
            command.Set("a", device.AccountId);
            command.Set("d", device.DeviceId);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// The number was registered again: the old devices are gone, and the new primary device receives
    /// its groups' messages from now on. Its cursors are moved to the newest rows rather than deleted,
    /// because the group grains may still count on them for a moment (their device cache lives 2 s).
    /// </summary>
    public static async Task RestartCursorsAsync(DbConnection connection, DbTransaction transaction, string account, int primaryDevice)
    {
        await using (var delete = connection.Command("DELETE FROM group_cursors WHERE account_id = @a AND device_id <> @d", transaction)
            .With("a", account).With("d", primaryDevice))
        {
            await delete.ExecuteNonQueryAsync();
        }
        await using var restart = connection.Command("""
            UPDATE group_cursors SET acked_up_to = COALESCE((SELECT MAX(e.id) FROM envelopes e
                WHERE e.account_id = 'g:' || group_cursors.group_id AND e.device_id = 0), acked_up_to)
            WHERE account_id = @a AND device_id = @d
            """, transaction).With("a", account).With("d", primaryDevice);
        await restart.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A member left or was removed: their devices still receive what was sent before (up to the
    /// group's newest row) and nothing after.
    /// </summary>
    public static async Task EndCursorsAsync(DbConnection connection, DbTransaction transaction, string groupId, string account)
    {
        var log = Address(groupId);
        await using var command = connection.Command("""
            UPDATE group_cursors SET ends_after = (SELECT COALESCE(MAX(id), 0) FROM envelopes WHERE account_id = @log AND device_id = 0)
            WHERE group_id = @g AND account_id = @a AND ends_after IS NULL
            """, transaction).With("log", log.AccountId).With("g", groupId).With("a", account);
        await command.ExecuteNonQueryAsync();
    }
}
