using System.Text.Json;
using Microsoft.Data.Sqlite;
using Parley.Client.Media;
using Parley.Client.Messaging;
using Parley.Client.Storage;

namespace Parley.Client.Sqlite;

/// <summary>Groups, group history, per-member receipts and group messages waiting for a sender key.</summary>
public sealed partial class SqliteClientStore
{
    private const string GroupMessageColumns = "group_id, message_id, sender_account, sender_number, direction, text, timestamp, status, attachment, quote";

    // The group row is one JSON document: it is always read and written whole, and new fields need no migration.
    private static readonly JsonSerializerOptions GroupJson = new(JsonSerializerDefaults.Web);

    public async Task<LocalGroup?> LoadGroupAsync(string groupId) =>
        (await QueryAsync("SELECT state FROM groups WHERE group_id = $id", ReadGroup, ("$id", groupId))).SingleOrDefault();

    public Task SaveGroupAsync(LocalGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return ExecuteAsync("INSERT OR REPLACE INTO groups (group_id, state) VALUES ($id, $state)",
            ("$id", group.GroupId), ("$state", JsonSerializer.Serialize(group, GroupJson)));
    }

    public async Task<IReadOnlyList<LocalGroup>> ListGroupsAsync() =>
        (await QueryAsync("SELECT state FROM groups", ReadGroup)).OrderBy(g => g.Name, StringComparer.Ordinal).ToList();

    public async Task<bool> AddGroupMessageAsync(GroupMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return await ExecuteAsync($"""
            INSERT OR IGNORE INTO group_messages ({GroupMessageColumns})
            VALUES ($group, $id, $sender, $number, $direction, $text, $timestamp, $status, $attachment, $quote)
            """,
            ("$group", message.GroupId), ("$id", message.MessageId), ("$sender", message.SenderAccountId), ("$number", message.SenderNumber),
            ("$direction", (int)message.Direction), ("$text", message.Text), ("$timestamp", message.Timestamp), ("$status", (int)message.Status),
            ("$attachment", message.Attachment?.Serialize()), ("$quote", message.Quote?.Serialize())) == 1;
    }

    public async Task<bool> HasGroupMessageAsync(string groupId, string senderAccountId, byte[] messageId) =>
        (await QueryAsync("SELECT 1 FROM group_messages WHERE group_id = $group AND sender_account = $sender AND message_id = $id", _ => true,
            ("$group", groupId), ("$sender", senderAccountId), ("$id", messageId))).Count > 0;

    public async Task<IReadOnlyList<GroupMessage>> GetGroupHistoryAsync(string groupId, int limit = 1000) =>
        await QueryAsync($"""
            SELECT {GroupMessageColumns} FROM (SELECT * FROM group_messages WHERE group_id = $group ORDER BY seq DESC LIMIT $limit) ORDER BY seq
            """, ReadGroupMessage, ("$group", groupId), ("$limit", limit));

    public async Task<bool> RecordGroupReceiptAsync(string groupId, byte[] messageId, string memberAccountId, MessageStatus status) =>
        await ExecuteAsync("""
            INSERT INTO group_receipts (group_id, message_id, member_account, status) VALUES ($group, $id, $member, $status)
            ON CONFLICT (group_id, message_id, member_account) DO UPDATE SET status = excluded.status WHERE status < excluded.status
            """, ("$group", groupId), ("$id", messageId), ("$member", memberAccountId), ("$status", (int)status)) == 1;

    public async Task<IReadOnlyDictionary<string, MessageStatus>> GetGroupReceiptsAsync(string groupId, byte[] messageId) =>
        (await QueryAsync("SELECT member_account, status FROM group_receipts WHERE group_id = $group AND message_id = $id",
            r => (Member: r.GetString(0), Status: (MessageStatus)r.GetInt32(1)), ("$group", groupId), ("$id", messageId)))
        .ToDictionary(r => r.Member, r => r.Status);

    public async Task<GroupMessage?> AdvanceGroupMessageStatusAsync(string groupId, byte[] messageId, MessageStatus status) =>
        (await QueryAsync($"""
            UPDATE group_messages SET status = $status
            WHERE group_id = $group AND direction = $outgoing AND message_id = $id AND status < $status
            RETURNING {GroupMessageColumns}
            """, ReadGroupMessage, ("$status", (int)status), ("$group", groupId), ("$outgoing", (int)MessageDirection.Outgoing), ("$id", messageId)))
        .SingleOrDefault();

    public Task AddPendingGroupEnvelopeAsync(PendingGroupEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return ExecuteAsync("""
            INSERT OR IGNORE INTO pending_group_envelopes (sender_account, sender_device, message_id, envelope) VALUES ($sender, $device, $id, $envelope)
            """, ("$sender", envelope.SenderAccountId), ("$device", (long)envelope.SenderDevice), ("$id", envelope.MessageId), ("$envelope", envelope.Envelope));
    }

    public async Task<IReadOnlyList<PendingGroupEnvelope>> TakePendingGroupEnvelopesAsync(string senderAccountId, uint senderDevice) =>
        (await QueryAsync("""
            DELETE FROM pending_group_envelopes WHERE sender_account = $sender AND sender_device = $device
            RETURNING seq, sender_account, sender_device, message_id, envelope
            """, r => (Seq: r.GetInt64(0), Envelope: new PendingGroupEnvelope(r.GetString(1), (uint)r.GetInt64(2), (byte[])r[3], (byte[])r[4])),
            ("$sender", senderAccountId), ("$device", (long)senderDevice)))
        .OrderBy(r => r.Seq).Select(r => r.Envelope).ToList();

    private static LocalGroup ReadGroup(SqliteDataReader reader) =>
        JsonSerializer.Deserialize<LocalGroup>(reader.GetString(0), GroupJson) ?? throw new InvalidDataException("A stored group is empty.");

    private static GroupMessage ReadGroupMessage(SqliteDataReader reader) => new(
        reader.GetString(0), (byte[])reader[1], reader.GetString(2), reader.GetString(3), (MessageDirection)reader.GetInt32(4),
        reader.GetString(5), reader.GetInt64(6), (MessageStatus)reader.GetInt32(7))
    {
        Attachment = MediaAttachment.Deserialize(reader.IsDBNull(8) ? null : (byte[])reader[8]),
        Quote = MessageQuote.Deserialize(reader.IsDBNull(9) ? null : (byte[])reader[9]),
    };
}
