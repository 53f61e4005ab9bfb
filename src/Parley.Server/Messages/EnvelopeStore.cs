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

    /// <summary>The next page of a device's queue after <paramref name="afterId"/>, oldest first, skipping expired ones.</summary>
    public async Task<IReadOnlyList<StoredEnvelope>> ReadQueueAsync(DeviceAddress device, long afterId, int limit, long now,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // The device's own envelopes, then its groups' log rows after its cursors (not its own sends), in one order.
        await using var command = connection.Command("""
            SELECT * FROM (
                SELECT e.id, e.type, e.source_account, e.source_device, e.message_id, e.client_timestamp, e.server_timestamp,
                       COALESCE(p.content, e.content) AS content, e.receipted_ids, e.expires_at, e.group_id
                FROM envelopes e LEFT JOIN group_payloads p ON p.id = e.payload_id
                WHERE e.account_id = @a AND e.device_id = @d AND e.id > @after AND e.expires_at > @now
                UNION ALL
                SELECT e.id, e.type, e.source_account, e.source_device, e.message_id, e.client_timestamp, e.server_timestamp,
                       e.content, e.receipted_ids, e.expires_at, e.group_id
                FROM group_cursors c JOIN envelopes e ON e.account_id = 'g:' || c.group_id AND e.device_id = 0 AND e.id > c.acked_up_to
                WHERE c.account_id = @a AND c.device_id = @d AND e.id > @after AND e.expires_at > @now
                  AND (c.ends_after IS NULL OR e.id <= c.ends_after) AND NOT (e.source_account = @a AND e.source_device = @d)
            ) queue ORDER BY id LIMIT @limit
            """).With("a", device.AccountId).With("d", device.DeviceId).With("after", afterId).With("now", now).With("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var page = new List<StoredEnvelope>();
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add(new StoredEnvelope(reader.GetInt64(0), device, (EnvelopeType)reader.GetInt32(1), reader.GetString(2),
                reader.GetInt32(3), (byte[])reader.GetValue(4), reader.GetInt64(5), reader.GetInt64(6),
                (byte[])reader.GetValue(7), (byte[])reader.GetValue(8), reader.GetInt64(9), reader.GetStringOrNull(10)));
        }
        return page;
    }

    public async Task<int> CountQueuedAsync(DeviceAddress device, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT (SELECT COUNT(*) FROM envelopes WHERE account_id = @a AND device_id = @d)
                 + (SELECT COUNT(*) FROM group_cursors c JOIN envelopes e ON e.account_id = 'g:' || c.group_id AND e.device_id = 0
                    AND e.id > c.acked_up_to
                    WHERE c.account_id = @a AND c.device_id = @d AND (c.ends_after IS NULL OR e.id <= c.ends_after)
                      AND NOT (e.source_account = @a AND e.source_device = @d))
            """).With("a", device.AccountId).With("d", device.DeviceId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<int> DeleteExpiredAsync(long now, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await database.OpenAsync(cancellationToken);
        var expired = await connection.ExecuteAsync("DELETE FROM envelopes WHERE expires_at <= @now", cancellationToken, ("now", now));
        // Group log rows every member device has acked: the log keeps what somebody still has to receive.
        await connection.ExecuteAsync("""
            DELETE FROM envelopes WHERE account_id >= 'g:' AND account_id < 'g;' AND device_id = 0
              AND id <= (SELECT MIN(c.acked_up_to) FROM group_cursors c WHERE c.group_id = envelopes.group_id)
            """, cancellationToken);
        // The cursors of devices whose member left, once they have everything sent before.
        await connection.ExecuteAsync("""
            DELETE FROM group_cursors WHERE ends_after IS NOT NULL AND NOT EXISTS (SELECT 1 FROM envelopes e
                WHERE e.account_id = 'g:' || group_cursors.group_id AND e.device_id = 0 AND e.id > group_cursors.acked_up_to
                  AND e.id <= group_cursors.ends_after
                  AND NOT (e.source_account = group_cursors.account_id AND e.source_device = group_cursors.device_id))
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
