using System.Data.Common;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Messages;
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
        await using var command = connection.Command("SELECT account_id, device_id FROM group_cursors WHERE group_id = @g")
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
    /// receive the group's messages from the next one on.
    /// </summary>
    public static async Task OpenCursorsAsync(DbConnection connection, DbTransaction transaction, string groupId,
        IEnumerable<DeviceAddress> devices, long ackedUpTo)
    {
        await using var command = connection.Command("""
            INSERT INTO group_cursors (account_id, device_id, group_id, acked_up_to) VALUES (@a, @d, @g, @upTo)
            ON CONFLICT (account_id, device_id, group_id) DO UPDATE SET acked_up_to = excluded.acked_up_to
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
    /// A member left or was removed: what was sent before and their devices have not acked yet moves
    /// from the log into those devices' own queues (oldest first, ahead of the event that tells them),
    /// and their cursors go. So they still receive everything sent before and nothing after, and if
    /// they come back they get a fresh cursor that owes them nothing from the time between. Returns
    /// the moved rows, to be pushed to devices that are online.
    /// </summary>
    public static async Task<List<StoredEnvelope>> HandOverOwedRowsAsync(DbConnection connection, DbTransaction transaction, string groupId,
        string account)
    {
        var moved = new List<StoredEnvelope>();
        await using (var copy = connection.Command("""
            INSERT INTO envelopes (account_id, device_id, type, source_account, source_device, message_id,
                                   client_timestamp, server_timestamp, content, receipted_ids, expires_at, group_id, payload_id)
            SELECT c.account_id, c.device_id, e.type, e.source_account, e.source_device, e.message_id,
                   e.client_timestamp, e.server_timestamp, e.content, e.receipted_ids, e.expires_at, e.group_id, e.payload_id
            FROM group_cursors c JOIN envelopes e ON e.account_id = 'g:' || c.group_id AND e.device_id = 0
                AND e.id > c.acked_up_to AND NOT (e.source_account = c.account_id AND e.source_device = c.device_id)
            WHERE c.group_id = @g AND c.account_id = @a
            ORDER BY c.device_id, e.id
            RETURNING id, account_id, device_id, type, source_account, source_device, message_id, client_timestamp, server_timestamp,
                      content, receipted_ids, expires_at, group_id
            """, transaction).With("g", groupId).With("a", account))
        await using (var reader = await copy.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                moved.Add(new StoredEnvelope(reader.GetInt64(0), new DeviceAddress(reader.GetString(1), reader.GetInt32(2)),
                    (EnvelopeType)reader.GetInt32(3), reader.GetString(4), reader.GetInt32(5), (byte[])reader.GetValue(6), reader.GetInt64(7),
                    reader.GetInt64(8), (byte[])reader.GetValue(9), (byte[])reader.GetValue(10), reader.GetInt64(11), reader.GetString(12)));
            }
        }
        await using var delete = connection.Command("DELETE FROM group_cursors WHERE group_id = @g AND account_id = @a", transaction)
            .With("g", groupId).With("a", account);
        await delete.ExecuteNonQueryAsync();
        moved.Sort((x, y) => x.Id.CompareTo(y.Id)); // RETURNING's order is not guaranteed
        return moved;
    }
}
