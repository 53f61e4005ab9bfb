using System.Data.Common;
using System.Threading.Channels;
using Parley.Server.Accounts;
using Parley.Server.Connections;
using Parley.Server.Storage;

namespace Parley.Server.Messages;

/// <summary>
/// Group commit for the hot path. Every envelope insert and ack from every connection goes into one
/// queue; a single loop writes whatever has accumulated in one transaction and completes all of those
/// callers at once when it commits. One fsync then covers many messages, and a caller is only told
/// "done" once its rows are durable.
/// </summary>
public sealed class EnvelopeWriter : IAsyncDisposable
{
    /// <summary>
    /// Most operations per transaction. Large enough to amortise the fsync at 10k+ messages/s,
    /// small enough that one commit stays within a few milliseconds.
    /// </summary>
    public const int MaxBatch = 512;

    private readonly Database _database;
    private readonly EnvelopeNotifier _notifier;
    private readonly ILogger<EnvelopeWriter> _log;
    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(new() { SingleReader = true });
    private readonly Task _loop;

    /// <summary>
    /// The writer's own connection, kept open between batches with its statements prepared (only the
    /// loop touches it). Opening a pooled connection and preparing per batch cost more than the rows.
    /// </summary>
    private EnvelopeStatements? _statements;

    public EnvelopeWriter(Database database, EnvelopeNotifier notifier, ILogger<EnvelopeWriter> log)
    {
        _database = database;
        _notifier = notifier;
        _log = log;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Stores envelopes (ids are assigned here), completes once they are durable, and pushes them to their devices.</summary>
    public Task<IReadOnlyList<StoredEnvelope>> InsertAsync(IReadOnlyList<StoredEnvelope> envelopes) =>
        WriteAsync<IReadOnlyList<StoredEnvelope>>(async statements =>
        {
            var stored = await statements.InsertAllAsync(envelopes);
            return (stored, stored);
        });

    /// <summary>
    /// Deletes envelopes a device acknowledged and, in the same transaction, stores the receipts
    /// built from what was actually deleted — so a crash can lose neither the envelope nor its receipt.
    /// A group message gets the member's "delivered" state recorded instead, and is passed on to
    /// <paramref name="receiptsFor"/> only once it has reached every member.
    /// </summary>
    public Task<AckOutcome> AckAsync(DeviceAddress device, IReadOnlyList<long> ids, long now,
        Func<IReadOnlyList<AckedEnvelope>, IReadOnlyList<GroupDelivery>, ValueTask<List<StoredEnvelope>>> receiptsFor) =>
        WriteAsync(async statements =>
        {
            var acked = new List<AckedEnvelope>(ids.Count);
            List<GroupDelivery>? completed = null;
            // In id order: a group log cursor only moves over rows acked before (see EnvelopeStatements.AdvanceCursorSql).
            var ordered = ids.ToArray();
            Array.Sort(ordered);
            foreach (var id in ordered)
            {
                if (await statements.AcknowledgeAsync(device, id) is not { } deleted)
                {
                    continue;
                }
                acked.Add(deleted);
                if (deleted.GroupId is not null && EnvelopeStore.IsMessageType(deleted.Type)
                    && await statements.MarkGroupDeliveredAsync(deleted.GroupId, deleted.MessageId, device.AccountId, now) is { } sender)
                {
                    (completed ??= []).Add(new GroupDelivery(deleted.GroupId, deleted.MessageId, sender));
                }
            }
            var receipts = acked.Count == 0 ? [] : await statements.InsertAllAsync(await receiptsFor(acked, completed ?? []));
            return (new AckOutcome(acked, receipts), receipts);
        });

    /// <summary>
    /// Runs <paramref name="work"/> inside the next batch transaction. It returns its result and the
    /// envelopes it inserted, which are pushed to their devices once the batch is durable.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<EnvelopeStatements, Task<(T Result, IReadOnlyList<StoredEnvelope> Inserted)>> work)
    {
        var operation = new WriteOperation<T>(work);
        Enqueue(operation);
        return operation.Completion.Task;
    }

    private void Enqueue(WriteOperation operation)
    {
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(EnvelopeWriter), "The server is shutting down.");
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteOperation>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var operation))
            {
                batch.Add(operation);
            }
            try
            {
                await WriteAsync(batch);
            }
            catch (Exception batchError) when (batch.Count > 1)
            {
                // One bad operation must not fail its neighbours: retry each on its own.
                _log.LogWarning(batchError, "Envelope batch of {Count} failed; retrying operations one by one", batch.Count);
                foreach (var operation in batch)
                {
                    try
                    {
                        await WriteAsync([operation]);
                    }
                    catch (Exception error)
                    {
                        operation.Fail(error);
                    }
                }
            }
            catch (Exception error)
            {
                batch[0].Fail(error);
            }
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<WriteOperation> batch)
    {
        try
        {
            var statements = _statements ??= EnvelopeStatements.For(await _database.OpenAsync());
            await using var transaction = await statements.Connection.BeginTransactionAsync();
            statements.Enlist(transaction);
            foreach (var operation in batch)
            {
                await operation.ExecuteAsync(statements);
            }
            await transaction.CommitAsync();
        }
        catch
        {
            // The connection may be what failed (PostgreSQL restarted, a statement left mid-step):
            // the next batch starts on a fresh one.
            await CloseConnectionAsync();
            throw;
        }
        foreach (var operation in batch)
        {
            // Copies of one group log row (same id) go to every member device as the same frame: made once.
            var (frameId, frame) = (0L, Array.Empty<byte>());
            foreach (var envelope in operation.Inserted)
            {
                if (envelope.Id != frameId)
                {
                    (frameId, frame) = (envelope.Id, envelope.ToFrameBytes());
                }
                _notifier.Notify(envelope.Destination, envelope.Id, frame);
            }
            operation.Succeed();
        }
    }

    private async ValueTask CloseConnectionAsync()
    {
        if (_statements is { } statements)
        {
            _statements = null;
            await statements.DisposeAsync();
            await statements.Connection.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await CloseConnectionAsync();
    }

    private abstract class WriteOperation
    {
        public abstract IReadOnlyList<StoredEnvelope> Inserted { get; }

        public abstract Task ExecuteAsync(EnvelopeStatements statements);

        public abstract void Succeed();

        public abstract void Fail(Exception error);
    }

    private sealed class WriteOperation<T>(Func<EnvelopeStatements, Task<(T Result, IReadOnlyList<StoredEnvelope> Inserted)>> work)
        : WriteOperation
    {
        private (T Result, IReadOnlyList<StoredEnvelope> Inserted) _outcome;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override IReadOnlyList<StoredEnvelope> Inserted => _outcome.Inserted ?? [];

        public override async Task ExecuteAsync(EnvelopeStatements statements) => _outcome = await work(statements);

        public override void Succeed() => Completion.TrySetResult(_outcome.Result);

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }
}

/// <summary>A group message that has now reached every member it was sent to.</summary>
public sealed record GroupDelivery(string GroupId, byte[] MessageId, string Sender);

/// <summary>What an ack removed, and the receipts it queued for the senders.</summary>
public sealed record AckOutcome(IReadOnlyList<AckedEnvelope> Acked, IReadOnlyList<StoredEnvelope> Receipts)
{
    public static readonly AckOutcome None = new([], []);
}
