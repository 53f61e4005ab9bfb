using System.Data.Common;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Groups;

/// <summary>
/// Group metadata and membership. Reads use their own connection; changes run inside the envelope
/// writer's transaction (see <see cref="GroupGrain"/>), so a change and the events announcing it are
/// committed together.
/// </summary>
public sealed class GroupStore(Database database)
{
    public async Task<GroupView?> LoadAsync(string groupId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT version, name, description, picture, only_admins_edit_info, only_admins_send, invite_token
            FROM groups WHERE id = @g
            """).With("g", groupId);
        GroupView group;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            group = new GroupView(groupId, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetInt32(4) != 0, reader.GetInt32(5) != 0, reader.GetStringOrNull(6), []);
        }
        await using var members = connection.Command(
            "SELECT account_id, admin, joined_at FROM group_members WHERE group_id = @g ORDER BY joined_at, account_id").With("g", groupId);
        await using var memberReader = await members.ExecuteReaderAsync(cancellationToken);
        var list = new List<GroupMemberView>();
        while (await memberReader.ReadAsync(cancellationToken))
        {
            list.Add(new GroupMemberView(memberReader.GetString(0), memberReader.GetInt32(1) != 0, memberReader.GetInt64(2)));
        }
        return group with { Members = list };
    }

    public async Task<IReadOnlyList<string>> ListForAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT group_id FROM group_members WHERE account_id = @a ORDER BY group_id").With("a", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    public async Task<string?> FindByInviteTokenAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id FROM groups WHERE invite_token = @t").With("t", token);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Every device of every member, in one query (fan-out must not ask member by member).</summary>
    public async Task<IReadOnlyList<DeviceAddress>> GetMemberDevicesAsync(string groupId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT d.account_id, d.device_id FROM group_members m JOIN devices d ON d.account_id = m.account_id
            WHERE m.group_id = @g ORDER BY d.account_id, d.device_id
            """).With("g", groupId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var devices = new List<DeviceAddress>();
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(new DeviceAddress(reader.GetString(0), reader.GetInt32(1)));
        }
        return devices;
    }

    /// <summary>The devices that have a live cursor into the group's log (<see cref="GroupLog"/>).</summary>
    public async Task<HashSet<DeviceAddress>> GetCursorDevicesAsync(string groupId)
    {
        await using var connection = await database.OpenAsync();
        return await GroupLog.CursorDevicesAsync(connection, groupId);
    }

    /// <summary>Every device of the given accounts, in one query.</summary>
    public async Task<IReadOnlyList<DeviceAddress>> GetDevicesAsync(IEnumerable<string> accountIds, CancellationToken cancellationToken = default)
    {
        var ids = accountIds.Distinct().ToList();
        var devices = new List<DeviceAddress>();
        if (ids.Count == 0)
        {
            return devices;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var placeholders = string.Join(", ", ids.Select((_, i) => "@a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var command = connection.Command($"SELECT account_id, device_id FROM devices WHERE account_id IN ({placeholders})");
        for (var i = 0; i < ids.Count; i++)
        {
            command.With("a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[i]);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(new DeviceAddress(reader.GetString(0), reader.GetInt32(1)));
        }
        return devices;
    }

    /// <summary>Which of the given account ids exist.</summary>
    public async Task<IReadOnlySet<string>> ExistingAccountsAsync(IEnumerable<string> accountIds, CancellationToken cancellationToken)
    {
        var ids = accountIds.Distinct().ToList();
        var existing = new HashSet<string>();
        if (ids.Count == 0)
        {
            return existing;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var placeholders = string.Join(", ", ids.Select((_, i) => "@a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var command = connection.Command($"SELECT id FROM accounts WHERE id IN ({placeholders})");
        for (var i = 0; i < ids.Count; i++)
        {
            command.With("a" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[i]);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            existing.Add(reader.GetString(0));
        }
        return existing;
    }

    /// <summary>Writes the group row and its full member list (replacing the stored one).</summary>
    public static async Task SaveAsync(DbConnection connection, DbTransaction transaction, GroupView group, string createdBy, long now)
    {
        await using (var upsert = connection.Command("""
            INSERT INTO groups (id, version, name, description, picture, only_admins_edit_info, only_admins_send, invite_token, created_by, created_at)
            VALUES (@g, @v, @name, @description, @picture, @editInfo, @send, @token, @by, @now)
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, name = excluded.name, description = excluded.description,
                picture = excluded.picture, only_admins_edit_info = excluded.only_admins_edit_info,
                only_admins_send = excluded.only_admins_send, invite_token = excluded.invite_token
            """, transaction)
            .With("g", group.Id).With("v", group.Version).With("name", group.Name).With("description", group.Description)
            .With("picture", group.Picture).With("editInfo", group.OnlyAdminsEditInfo ? 1 : 0).With("send", group.OnlyAdminsSend ? 1 : 0)
            .With("token", group.InviteToken).With("by", createdBy).With("now", now))
        {
            await upsert.ExecuteNonQueryAsync();
        }
        await using (var clear = connection.Command("DELETE FROM group_members WHERE group_id = @g", transaction).With("g", group.Id))
        {
            await clear.ExecuteNonQueryAsync();
        }
        await using var insert = connection.Command(
            "INSERT INTO group_members (group_id, account_id, admin, joined_at) VALUES (@g, @a, @admin, @joined)", transaction)
            .With("g", group.Id).With("a", "").With("admin", 0).With("joined", 0L);
        foreach (var member in group.Members)
        {
            insert.Set("a", member.AccountId);
            insert.Set("admin", member.Admin ? 1 : 0);
            insert.Set("joined", member.JoinedAt);
            await insert.ExecuteNonQueryAsync();
        }
    }

    public static async Task RecordMessageAsync(DbConnection connection, DbTransaction transaction, string groupId, byte[] messageId,
        string sender, long now, int recipientMembers)
    {
        await using var command = connection.Command("""
            INSERT INTO group_messages (group_id, message_id, sender_account, sent_at, awaiting_delivery) VALUES (@g, @m, @s, @now, @awaiting)
            ON CONFLICT (group_id, message_id) DO NOTHING
            """, transaction).With("g", groupId).With("m", messageId).With("s", sender).With("now", now).With("awaiting", recipientMembers);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The sender of a group message and each member's delivered/read times.</summary>
    public async Task<(string? Sender, IReadOnlyList<(string Member, long? Delivered, long? Read)> Receipts)> GetMessageInfoAsync(
        string groupId, byte[] messageId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var sender = connection.Command("SELECT sender_account FROM group_messages WHERE group_id = @g AND message_id = @m")
            .With("g", groupId).With("m", messageId);
        var senderAccount = await sender.ExecuteScalarAsync(cancellationToken) as string;
        await using var command = connection.Command(
            "SELECT member_account, delivered_at, read_at FROM group_receipts WHERE group_id = @g AND message_id = @m")
            .With("g", groupId).With("m", messageId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var receipts = new List<(string, long?, long?)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            receipts.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
        }
        return (senderAccount, receipts);
    }
}
