using System.Data.Common;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Messages;

/// <summary>
/// The hot statements of the write batches, on the writer's own connection. Each is prepared once for
/// the life of the connection and reused for every row of every batch: preparing them per batch cost
/// more than running them once batches got small. On SQLite, <see cref="SqliteEnvelopeStatements"/>
/// runs the per-row ones without ADO.NET.
/// </summary>
public class EnvelopeStatements(DbConnection connection) : IAsyncDisposable
{
    protected const string InsertSql = """
        INSERT INTO envelopes (account_id, device_id, type, source_account, source_device, message_id,
                               client_timestamp, server_timestamp, content, receipted_ids, expires_at, group_id, payload_id)
        VALUES (@a, @d, @type, @src, @srcDevice, @mid, @cts, @sts, @content, @receipted, @expires, @group, @payload)
        RETURNING id
        """;

    /// <summary>
    /// What an acked id is, in one look-up: the device's own envelope, or a row of a group log
    /// (<see cref="Groups.GroupLog"/>: device 0, account 'g:' + group) that the device reads through its
    /// cursor. The first column says which; no row means neither (a repeated ack, a stranger's id).
    /// Trying the delete first and the group row second cost every group ack a wasted probe.
    /// </summary>
    protected const string AckTargetSql = """
        SELECT device_id <> 0, type, source_account, source_device, message_id, group_id FROM envelopes
        WHERE id = @id AND ((account_id = @a AND device_id = @d) OR (device_id = 0 AND account_id = 'g:' || group_id))
        """;

    /// <summary>
    /// <see cref="AckTargetSql"/> and the delete of the device's own envelope in one round trip
    /// (PostgreSQL). The last column says whether this transaction deleted it: a concurrent ack of
    /// the same envelope on another node must not produce a second receipt.
    /// </summary>
    private const string TakeAckTargetSql = $"""
        WITH target AS ({AckTargetSql}),
             deleted AS (DELETE FROM envelopes WHERE id = @id AND account_id = @a AND device_id = @d RETURNING 1)
        SELECT target.*, EXISTS (SELECT 1 FROM deleted) FROM target
        """;

    /// <summary>
    /// Moves a device's cursor to an acked group row, but never past a row of the group it has not
    /// acked: a device is pushed a group's rows in order, but after a lost push a later row could be
    /// acked first, and the cursor passing the lost one would lose it. Such an ack leaves the cursor
    /// where it is (see <see cref="OwedSql"/>).
    /// </summary>
    protected const string AdvanceCursorSql = """
        UPDATE group_cursors SET acked_up_to = @id
        WHERE account_id = @a AND device_id = @d AND group_id = @g AND acked_up_to < @id
          AND NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.account_id = 'g:' || @g AND e.device_id = 0
                          AND e.id > group_cursors.acked_up_to AND e.id < @id AND NOT (e.source_account = @a AND e.source_device = @d))
        """;

    /// <summary>
    /// Whether a group row is still owed to the device (after its cursor). An
    /// ack of such a row that cannot move the cursor still counts as the member's delivery, so the
    /// sender's ticks do not wait for the gap; the device gets the row again with its next backlog
    /// (receivers de-duplicate by message id), and that ack moves the cursor.
    /// </summary>
    protected const string OwedSql = """
        SELECT 1 FROM group_cursors
        WHERE account_id = @a AND device_id = @d AND group_id = @g AND acked_up_to < @id
        """;

    /// <summary>Records a member's delivery unless one of their devices had it already (then it changes no row).</summary>
    protected const string DeliveredUpsertSql = """
        INSERT INTO group_receipts (group_id, message_id, member_account, delivered_at) VALUES (@g, @m, @member, @now)
        ON CONFLICT (group_id, message_id, member_account) DO UPDATE SET delivered_at = excluded.delivered_at
            WHERE group_receipts.delivered_at IS NULL
        """;

    protected const string DeliveredSql = DeliveredUpsertSql + " RETURNING 1";

    protected const string AwaitingSql = """
        UPDATE group_messages SET awaiting_delivery = awaiting_delivery - 1
        WHERE group_id = @g AND message_id = @m AND sender_account <> @member AND awaiting_delivery > 0
        RETURNING awaiting_delivery, sender_account
        """;

    /// <summary>The statements for the dialect of <paramref name="connection"/>.</summary>
    public static EnvelopeStatements For(DbConnection connection) =>
        connection is Microsoft.Data.Sqlite.SqliteConnection sqlite ? SqliteEnvelopeStatements.Open(sqlite) : new EnvelopeStatements(connection);

    private DbTransaction? _transaction;
    private DbCommand? _insert;
    private DbCommand? _take;
    private DbCommand? _delivered;
    private DbCommand? _awaiting;
    private DbCommand? _read;
    private DbCommand? _advance;
    private DbCommand? _owed;

    /// <summary>The batch's connection and transaction, for writes that must commit together with envelopes.</summary>
    public DbConnection Connection => connection;

    public DbTransaction Transaction => _transaction ?? throw new InvalidOperationException("No write batch is open.");

    private IEnumerable<DbCommand?> Prepared => [_insert, _take, _delivered, _awaiting, _read, _advance, _owed];

    /// <summary>Points every prepared statement at the next batch's transaction.</summary>
    public void Enlist(DbTransaction transaction)
    {
        _transaction = transaction;
        foreach (var command in Prepared)
        {
            command?.Transaction = transaction;
        }
    }

    // ValueTask: on SQLite every step completes synchronously, so a row costs no Task object.
    public virtual async ValueTask<long> InsertAsync(StoredEnvelope envelope)
    {
        _insert ??= connection.Command(InsertSql, Transaction)
            .With("a", "").With("d", 0).With("type", 0).With("src", "").With("srcDevice", 0).With("mid", Array.Empty<byte>())
            .With("cts", 0L).With("sts", 0L).With("content", Array.Empty<byte>()).With("receipted", Array.Empty<byte>()).With("expires", 0L)
            .With("group", "").With("payload", 0L);
        _insert.Set("a", envelope.Destination.AccountId);
        _insert.Set("d", envelope.Destination.DeviceId);
        _insert.Set("type", (int)envelope.Type);
        _insert.Set("src", envelope.SourceAccount);
        _insert.Set("srcDevice", envelope.SourceDevice);
        _insert.Set("mid", envelope.MessageId);
        _insert.Set("cts", envelope.ClientTimestamp);
        _insert.Set("sts", envelope.ServerTimestamp);
        _insert.Set("content", envelope.StoredContent);
        _insert.Set("receipted", envelope.ReceiptedIds);
        _insert.Set("expires", envelope.ExpiresAt);
        _insert.Set("group", envelope.GroupId);
        _insert.Set("payload", envelope.PayloadId);
        return Convert.ToInt64(await _insert.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Inserts envelopes and returns them with their assigned ids.</summary>
    public async Task<IReadOnlyList<StoredEnvelope>> InsertAllAsync(IReadOnlyList<StoredEnvelope> envelopes)
    {
        var stored = new StoredEnvelope[envelopes.Count];
        for (var i = 0; i < envelopes.Count; i++)
        {
            stored[i] = envelopes[i] with { Id = await InsertAsync(envelopes[i]) };
        }
        return stored;
    }

    /// <summary>
    /// Inserts a fan-out — envelopes for distinct devices that differ only in their destination —
    /// with multi-row INSERTs: one statement per chunk instead of per device (PostgreSQL pays a
    /// network round trip per statement, SQLite a statement start).
    /// </summary>
    public async Task<IReadOnlyList<StoredEnvelope>> InsertFanOutAsync(IReadOnlyList<StoredEnvelope> envelopes)
    {
        const int ChunkRows = 200;
        var stored = new List<StoredEnvelope>(envelopes.Count);
        for (var start = 0; start < envelopes.Count; start += ChunkRows)
        {
            var chunk = envelopes.Skip(start).Take(ChunkRows).ToList();
            // RETURNING order is not guaranteed, so ids are matched back by device (distinct in a fan-out).
            var byDevice = chunk.ToDictionary(e => e.Destination);
            foreach (var (id, device) in await InsertChunkAsync(chunk))
            {
                stored.Add(byDevice[device] with { Id = id });
            }
        }
        stored.Sort((x, y) => x.Id.CompareTo(y.Id));
        return stored;
    }

    /// <summary>One multi-row INSERT of <paramref name="rows"/> rows: per row @a{i} and @d{i}, the rest shared.</summary>
    protected static string FanOutSql(int rows) => $"""
        INSERT INTO envelopes (account_id, device_id, type, source_account, source_device, message_id,
                               client_timestamp, server_timestamp, content, receipted_ids, expires_at, group_id, payload_id)
        VALUES {string.Join(", ", Enumerable.Range(0, rows).Select(i =>
            $"(@a{i}, @d{i}, @type, @src, @srcDevice, @mid, @cts, @sts, @content, @receipted, @expires, @group, @payload)"))}
        RETURNING id, account_id, device_id
        """;

    /// <summary>Inserts one chunk of a fan-out and returns each row's id and destination.</summary>
    protected virtual async ValueTask<List<(long Id, DeviceAddress Device)>> InsertChunkAsync(List<StoredEnvelope> chunk)
    {
        var first = chunk[0];
        await using var command = connection.Command(FanOutSql(chunk.Count), Transaction)
            .With("type", (int)first.Type).With("src", first.SourceAccount).With("srcDevice", first.SourceDevice)
            .With("mid", first.MessageId).With("cts", first.ClientTimestamp).With("sts", first.ServerTimestamp)
            .With("content", first.StoredContent).With("receipted", first.ReceiptedIds)
            .With("expires", first.ExpiresAt).With("group", first.GroupId).With("payload", first.PayloadId);
        for (var i = 0; i < chunk.Count; i++)
        {
            command.With($"a{i}", chunk[i].Destination.AccountId).With($"d{i}", chunk[i].Destination.DeviceId);
        }
        var rows = new List<(long, DeviceAddress)>(chunk.Count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), new DeviceAddress(reader.GetString(1), reader.GetInt32(2))));
        }
        return rows;
    }

    /// <summary>
    /// Acknowledges an envelope of this device: deletes its own envelope, or moves its cursor over a
    /// group log row. Null when there was nothing to acknowledge (a repeated ack, a row it was never sent).
    /// </summary>
    public async ValueTask<AckedEnvelope?> AcknowledgeAsync(DeviceAddress device, long id)
    {
        if (await TakeAckTargetAsync(device, id) is not var (row, fromGroupLog))
        {
            return null;
        }
        if (!fromGroupLog)
        {
            return row;
        }
        if (row.SourceAccount == device.AccountId && row.SourceDevice == device.DeviceId)
        {
            return null; // its own message, never sent to it
        }
        return await MoveCursorAsync(device, row.GroupId!, id) || await IsOwedAsync(device, row.GroupId!, id) ? row : null;
    }

    /// <summary>
    /// Looks up what the acked id is (<see cref="AckTargetSql"/>) and deletes it when it is the
    /// device's own envelope. Null when there is nothing of the device's to acknowledge.
    /// </summary>
    protected virtual async ValueTask<(AckedEnvelope Row, bool FromGroupLog)?> TakeAckTargetAsync(DeviceAddress device, long id)
    {
        _take ??= connection.Command(TakeAckTargetSql, Transaction).With("id", 0L).With("a", "").With("d", 0);
        _take.Set("id", id);
        _take.Set("a", device.AccountId);
        _take.Set("d", device.DeviceId);
        await using var reader = await _take.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }
        var own = reader.GetBoolean(0);
        if (own && !reader.GetBoolean(6))
        {
            return null; // another transaction deleted it first
        }
        var row = new AckedEnvelope(id, (EnvelopeType)reader.GetInt32(1), reader.GetString(2), reader.GetInt32(3), (byte[])reader.GetValue(4),
            reader.GetStringOrNull(5));
        return (row, !own);
    }

    /// <summary>See <see cref="OwedSql"/>.</summary>
    protected virtual async ValueTask<bool> IsOwedAsync(DeviceAddress device, string groupId, long id)
    {
        _owed ??= connection.Command(OwedSql, Transaction).With("a", "").With("d", 0).With("g", "").With("id", 0L);
        _owed.Set("a", device.AccountId);
        _owed.Set("d", device.DeviceId);
        _owed.Set("g", groupId);
        _owed.Set("id", id);
        return await _owed.ExecuteScalarAsync() is not null;
    }

    /// <summary>Moves the device's cursor in <paramref name="groupId"/>'s log to row <paramref name="id"/> unless that would pass an unacked row.</summary>
    public virtual async ValueTask<bool> MoveCursorAsync(DeviceAddress device, string groupId, long id)
    {
        _advance ??= connection.Command(AdvanceCursorSql, Transaction).With("id", 0L).With("a", "").With("d", 0).With("g", "");
        _advance.Set("id", id);
        _advance.Set("a", device.AccountId);
        _advance.Set("d", device.DeviceId);
        _advance.Set("g", groupId);
        return await _advance.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>Stores a group payload once; envelopes then refer to it by id.</summary>
    public async Task<long> InsertPayloadAsync(byte[] content, long now)
    {
        await using var command = connection.Command("INSERT INTO group_payloads (content, created_at) VALUES (@content, @now) RETURNING id", Transaction)
            .With("content", content).With("now", now);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Records that a member's device got a group message (the first device counts) and, when that
    /// was the last member still waiting, returns the message's sender: every member the message was
    /// sent to now has it, so the sender gets one "delivered" receipt instead of one per member.
    /// </summary>
    public virtual async ValueTask<string?> MarkGroupDeliveredAsync(string groupId, byte[] messageId, string member, long now)
    {
        _delivered ??= connection.Command(DeliveredSql, Transaction).With("g", "").With("m", Array.Empty<byte>()).With("member", "").With("now", 0L);
        _awaiting ??= connection.Command(AwaitingSql, Transaction).With("g", "").With("m", Array.Empty<byte>()).With("member", "");
        SetReceiptKey(_delivered, groupId, messageId, member);
        _delivered.Set("now", now);
        if (await _delivered.ExecuteScalarAsync() is null)
        {
            return null; // another device of this member had it already
        }
        SetReceiptKey(_awaiting, groupId, messageId, member);
        await using var reader = await _awaiting.ExecuteReaderAsync();
        return await reader.ReadAsync() && Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) == 0
            ? reader.GetString(1)
            : null;
    }

    /// <summary>
    /// Records that a member read a group message, keeping the first time. Reading does not count as
    /// delivery here: only a device's ack does, so a read receipt cannot complete a delivery it never had.
    /// </summary>
    public async Task RecordGroupReadAsync(string groupId, byte[] messageId, string member, long now)
    {
        _read ??= connection.Command("""
            INSERT INTO group_receipts (group_id, message_id, member_account, read_at) VALUES (@g, @m, @member, @now)
            ON CONFLICT (group_id, message_id, member_account) DO UPDATE SET read_at = COALESCE(group_receipts.read_at, excluded.read_at)
            """, Transaction).With("g", "").With("m", Array.Empty<byte>()).With("member", "").With("now", 0L);
        SetReceiptKey(_read, groupId, messageId, member);
        _read.Set("now", now);
        await _read.ExecuteNonQueryAsync();
    }

    private static void SetReceiptKey(DbCommand command, string groupId, byte[] messageId, string member)
    {
        command.Set("g", groupId);
        command.Set("m", messageId);
        command.Set("member", member);
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var command in Prepared)
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }
    }
}
