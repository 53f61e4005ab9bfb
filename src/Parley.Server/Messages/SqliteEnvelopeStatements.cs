using Microsoft.Data.Sqlite;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Messages;

/// <summary>
/// The per-row statements of the write batches on SQLite, through <see cref="RawSqliteStatement"/>.
/// Same SQL as the base class; only the way it is driven differs. Each statement is prepared once
/// on the writer's connection and runs inside whatever transaction that connection has open.
/// </summary>
public sealed class SqliteEnvelopeStatements(SqliteConnection connection) : EnvelopeStatements(connection)
{
    private RawSqliteStatement? _insert;
    private RawSqliteStatement? _delete;
    private RawSqliteStatement? _delivered;
    private RawSqliteStatement? _awaiting;
    private RawSqliteStatement? _ackTarget;
    private RawSqliteStatement? _advance;
    private RawSqliteStatement? _owed;
    private readonly Dictionary<int, RawSqliteStatement> _fanOuts = [];

    /// <summary>Fan-out sizes kept prepared at once (each is a statement of up to 200 rows).</summary>
    private const int MaxPreparedFanOuts = 16;

    /// <summary>
    /// Pages the writer's connection keeps in memory (KiB, as SQLite's negative cache_size). A batch
    /// works on pages all over the per-device envelope index; with SQLite's default 2 MB they were read
    /// from the file again and again (64,000 preads per 5 s at ~25,000 group deliveries/s; 29,000 with
    /// this cache, and ~20% more deliveries/s).
    /// </summary>
    private const int WriterCacheKib = 64 * 1024;

    /// <summary>The statements, on a connection whose page cache holds what a batch works on.</summary>
    public static SqliteEnvelopeStatements Open(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA cache_size = -{WriterCacheKib}";
        command.ExecuteNonQuery();
        return new SqliteEnvelopeStatements(connection);
    }

    public override ValueTask<long> InsertAsync(StoredEnvelope envelope)
    {
        var insert = BindRow((_insert ??= new RawSqliteStatement(connection, InsertSql)).Start(), envelope);
        if (!insert.Step())
        {
            throw new InvalidOperationException("INSERT ... RETURNING id returned no row.");
        }
        var id = insert.Int64(0);
        insert.Finish();
        return ValueTask.FromResult(id);
    }

    /// <summary>
    /// The multi-row INSERT prepared once per chunk size: a group's fan-outs have the same size until
    /// its membership changes, so the few sizes in use stay prepared.
    /// </summary>
    protected override ValueTask<List<(long Id, DeviceAddress Device)>> InsertChunkAsync(List<StoredEnvelope> chunk)
    {
        if (!_fanOuts.TryGetValue(chunk.Count, out var insert))
        {
            if (_fanOuts.Count == MaxPreparedFanOuts)
            {
                DisposeFanOuts();
            }
            _fanOuts[chunk.Count] = insert = new RawSqliteStatement(connection, FanOutSql(chunk.Count));
        }
        BindRow(insert.Start(), chunk[0]); // the first row's parameters come first, the shared ones among them
        for (var i = 1; i < chunk.Count; i++)
        {
            insert.Bind(chunk[i].Destination.AccountId).Bind(chunk[i].Destination.DeviceId);
        }
        var rows = new List<(long, DeviceAddress)>(chunk.Count);
        while (insert.Step())
        {
            rows.Add((insert.Int64(0), new DeviceAddress(insert.String(1), insert.Int32(2))));
        }
        return ValueTask.FromResult(rows);
    }

    /// <summary>Binds one envelope row's columns in the order of the INSERT's parameters.</summary>
    private static RawSqliteStatement BindRow(RawSqliteStatement insert, StoredEnvelope envelope) =>
        insert.Bind(envelope.Destination.AccountId).Bind(envelope.Destination.DeviceId).Bind((int)envelope.Type)
            .Bind(envelope.SourceAccount).Bind(envelope.SourceDevice).Bind(envelope.MessageId)
            .Bind(envelope.ClientTimestamp).Bind(envelope.ServerTimestamp).Bind(envelope.StoredContent).Bind(envelope.ReceiptedIds)
            .Bind(envelope.ExpiresAt).Bind(envelope.GroupId).Bind(envelope.PayloadId);

    private void DisposeFanOuts()
    {
        foreach (var statement in _fanOuts.Values)
        {
            statement.Dispose();
        }
        _fanOuts.Clear();
    }

    /// <summary>
    /// The look-up, then a delete by id when the row is the device's own. The writer holds SQLite's only
    /// write transaction, so the row cannot go in between.
    /// </summary>
    protected override ValueTask<(AckedEnvelope Row, bool FromGroupLog)?> TakeAckTargetAsync(DeviceAddress device, long id)
    {
        var target = (_ackTarget ??= new RawSqliteStatement(connection, AckTargetSql)).Start()
            .Bind(id).Bind(device.AccountId).Bind(device.DeviceId);
        if (!target.Step())
        {
            return ValueTask.FromResult<(AckedEnvelope, bool)?>(null); // a repeated ack, or not the device's
        }
        var own = target.Int32(0) != 0;
        var row = new AckedEnvelope(id, (EnvelopeType)target.Int32(1), target.String(2), target.Int32(3), target.Blob(4), target.StringOrNull(5));
        target.Finish();
        if (own)
        {
            (_delete ??= new RawSqliteStatement(connection, "DELETE FROM envelopes WHERE id = @id")).Start().Bind(id).Execute();
        }
        return ValueTask.FromResult<(AckedEnvelope, bool)?>((row, !own));
    }

    protected override ValueTask<bool> IsOwedAsync(DeviceAddress device, string groupId, long id) =>
        ValueTask.FromResult(IsOwed(device, groupId, id));

    private bool IsOwed(DeviceAddress device, string groupId, long id)
    {
        var owed = (_owed ??= new RawSqliteStatement(connection, OwedSql)).Start()
            .Bind(device.AccountId).Bind(device.DeviceId).Bind(groupId).Bind(id);
        if (!owed.Step())
        {
            return false;
        }
        owed.Finish();
        return true;
    }

    public override ValueTask<bool> MoveCursorAsync(DeviceAddress device, string groupId, long id) =>
        ValueTask.FromResult(MoveCursor(device, groupId, id));

    private bool MoveCursor(DeviceAddress device, string groupId, long id) =>
        (_advance ??= new RawSqliteStatement(connection, AdvanceCursorSql)).Start()
            .Bind(id).Bind(device.AccountId).Bind(device.DeviceId).Bind(groupId).Execute() == 1;

    public override ValueTask<string?> MarkGroupDeliveredAsync(string groupId, byte[] messageId, string member, long now)
    {
        // Without RETURNING, which SQLite runs through a temporary table: the change count says the same.
        var delivered = (_delivered ??= new RawSqliteStatement(connection, DeliveredUpsertSql)).Start()
            .Bind(groupId).Bind(messageId).Bind(member).Bind(now);
        if (delivered.Execute() == 0)
        {
            return ValueTask.FromResult<string?>(null); // another device of this member had it already
        }
        var awaiting = (_awaiting ??= new RawSqliteStatement(connection, AwaitingSql)).Start()
            .Bind(groupId).Bind(messageId).Bind(member);
        if (!awaiting.Step())
        {
            return ValueTask.FromResult<string?>(null);
        }
        var lastMember = awaiting.Int64(0) == 0 ? awaiting.String(1) : null;
        awaiting.Finish();
        return ValueTask.FromResult(lastMember);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var statement in new[] { _insert, _ackTarget, _delete, _delivered, _awaiting, _advance, _owed })
        {
            statement?.Dispose();
        }
        DisposeFanOuts();
        await base.DisposeAsync();
    }
}
