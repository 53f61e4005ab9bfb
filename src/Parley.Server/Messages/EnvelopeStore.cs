using System.Data.Common;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Messages;

/// <summary>Reads of the per-device envelope queues (writes go through <see cref="EnvelopeWriter"/>).</summary>
public sealed class EnvelopeStore(Database database)
{
    /// <summary>Undelivered envelopes are dropped after this long, as WhatsApp and Signal do.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    /// <summary>
    /// The next page of a device's queue after <paramref name="afterId"/>, oldest first, skipping expired
    /// ones: its own envelopes and, for each of its groups, the group log's rows after its cursor (not
    /// its own sends). Each source is read by its own index range, at most a page of it, and merged.
    /// </summary>
    public async Task<IReadOnlyList<StoredEnvelope>> ReadQueueAsync(DeviceAddress device, long afterId, int limit, long now,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var cursors = new List<(string GroupId, long AckedUpTo)>();
        await using (var command = connection.Command("SELECT group_id, acked_up_to FROM group_cursors WHERE account_id = @a AND device_id = @d")
            .With("a", device.AccountId).With("d", device.DeviceId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                cursors.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }
        var page = new List<StoredEnvelope>();
        await using (var own = connection.Command($"""
            {QueueColumns}, COALESCE(p.content, e.content) FROM envelopes e LEFT JOIN group_payloads p ON p.id = e.payload_id
            WHERE e.account_id = @a AND e.device_id = @d AND e.id > @after AND e.expires_at > @now ORDER BY e.id LIMIT @limit
            """).With("a", device.AccountId).With("d", device.DeviceId).With("after", afterId).With("now", now).With("limit", limit))
        {
            await ReadIntoAsync(own, device, page, cancellationToken);
        }
        foreach (var (groupId, ackedUpTo) in cursors)
        {
            // Only rows that could still make the page: below the page's last id once it is full.
            var upTo = page.Count >= limit ? page[limit - 1].Id - 1 : long.MaxValue;
            await using var log = connection.Command($"""
                {QueueColumns}, e.content FROM envelopes e
                WHERE e.account_id = @log AND e.device_id = 0 AND e.id > @after AND e.id <= @upTo AND e.expires_at > @now
                  AND NOT (e.source_account = @a AND e.source_device = @d)
                ORDER BY e.id LIMIT @limit
                """).With("log", Groups.GroupLog.Address(groupId).AccountId).With("after", Math.Max(afterId, ackedUpTo)).With("upTo", upTo)
                .With("now", now).With("a", device.AccountId).With("d", device.DeviceId).With("limit", limit);
            await ReadIntoAsync(log, device, page, cancellationToken);
            if (page.Count >= limit)
            {
                // Keeps the invariant the bound above relies on: a full page is sorted and exactly full.
                page.Sort(ById);
                page.RemoveRange(limit, page.Count - limit);
            }
        }
        page.Sort(ById);
        return page;
    }

    private static readonly Comparison<StoredEnvelope> ById = (x, y) => x.Id.CompareTo(y.Id);

    private const string QueueColumns = """
        SELECT e.id, e.type, e.source_account, e.source_device, e.message_id, e.client_timestamp, e.server_timestamp,
               e.receipted_ids, e.expires_at, e.group_id
        """;

    private static async Task ReadIntoAsync(DbCommand command, DeviceAddress device, List<StoredEnvelope> page, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add(new StoredEnvelope(reader.GetInt64(0), device, (EnvelopeType)reader.GetInt32(1), reader.GetString(2),
                reader.GetInt32(3), (byte[])reader.GetValue(4), reader.GetInt64(5), reader.GetInt64(6),
                (byte[])reader.GetValue(10), (byte[])reader.GetValue(7), reader.GetInt64(8), reader.GetStringOrNull(9)));
        }
    }

    public async Task<int> DeleteExpiredAsync(long now, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await database.OpenAsync(cancellationToken);
        var expired = await connection.ExecuteAsync("DELETE FROM envelopes WHERE expires_at <= @now", cancellationToken, ("now", now));
        // Group log rows every member device has acked: the log keeps what somebody still has to receive.
        // Driven from the cursors: one index range per group, the same on both databases.
        await connection.ExecuteAsync("""
            DELETE FROM envelopes WHERE id IN (
                SELECT e.id FROM (SELECT group_id, MIN(acked_up_to) AS passed FROM group_cursors GROUP BY group_id) c
                JOIN envelopes e ON e.account_id = 'g:' || c.group_id AND e.device_id = 0 AND e.id <= c.passed)
            """, cancellationToken);
        // A group payload lives as long as one envelope still refers to it.
        await connection.ExecuteAsync(
            "DELETE FROM group_payloads WHERE NOT EXISTS (SELECT 1 FROM envelopes WHERE envelopes.payload_id = group_payloads.id)",
            cancellationToken);
        // Message info ("delivered to / read by") is kept as long as the message could still be queued.
        var sentBefore = now - (long)Retention.TotalMilliseconds;
        await connection.ExecuteAsync("""
            DELETE FROM group_receipts WHERE EXISTS (SELECT 1 FROM group_messages m
                WHERE m.group_id = group_receipts.group_id AND m.message_id = group_receipts.message_id AND m.sent_at <= @before)
            """, cancellationToken, ("before", sentBefore));
        await connection.ExecuteAsync("DELETE FROM group_messages WHERE sent_at <= @before", cancellationToken, ("before", sentBefore));
        return expired;
    }

    public static bool IsMessageType(EnvelopeType type) =>
        type is EnvelopeType.Ciphertext or EnvelopeType.PrekeyMessage or EnvelopeType.SenderKeyMessage;
}
