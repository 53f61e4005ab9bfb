using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Parley.Client.Transport;
using Parley.Protocol.Wire;

namespace Parley.Bench;

/// <summary>The parts pairs and group share: connecting, the open-loop schedule, and draining + acking envelopes.</summary>
public static class Traffic
{
    public static async Task ConnectAllAsync(IEnumerable<BenchUser> users, Uri server)
    {
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(users.Select(async user =>
        {
            await gate.WaitAsync();
            try
            {
                user.Connection = new ParleyConnection(server, user.Credentials);
                await user.Connection.ConnectAsync();
                await user.Connection.WaitUntilDrainedAsync();
                await AckBacklogAsync(user.Connection);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>
    /// Acks what was queued for the device before this run (an earlier run's receipts, say), so
    /// working it off does not land inside the measurement.
    /// </summary>
    private static async Task AckBacklogAsync(ParleyConnection connection)
    {
        var ids = new List<ulong>();
        while (connection.Envelopes.TryRead(out var envelope))
        {
            ids.Add(envelope.Id);
        }
        foreach (var chunk in ids.Chunk(500))
        {
            await connection.AckAsync(chunk);
        }
    }

    /// <summary>
    /// Calls <paramref name="send"/> for message k at start + k/rate, whatever happened to earlier
    /// sends (open loop). The timestamp handed over is the scheduled time, not the actual one, so a
    /// generator or server that falls behind shows up as latency (no coordinated omission). Runs on a
    /// thread of its own that sleeps precisely until each send (<see cref="Pacer"/>); returns how late
    /// the sends went out, which validates the generator.
    /// </summary>
    public static Task<LatencySummary> ScheduleAsync(long total, double rate, Action<long, long> send) =>
        Task.Factory.StartNew(() =>
        {
            Pacer.TightenTimerSlack();
            Parley.Server.Hosting.BatchScheduling.ExemptCallingThread();
            var lag = new LatencyRecorder();
            var start = Stopwatch.GetTimestamp();
            var interval = Stopwatch.Frequency / rate;
            for (long k = 0; k < total; k++)
            {
                var scheduled = start + (long)(k * interval);
                Pacer.SleepUntil(scheduled);
                send(k, scheduled);
                lag.Record(scheduled, (long)Stopwatch.GetElapsedTime(scheduled).TotalMicroseconds);
            }
            return lag.Summarize();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Bytes at the start of every payload: run id, scheduled send time, message number.</summary>
    public const int StampBytes = 24;

    /// <summary>
    /// Tells this process's messages from leftovers of an earlier run against the same accounts (a
    /// run cut short leaves envelopes queued; counting them would inflate "received" and skew latency).
    /// </summary>
    private static readonly long RunId = BinaryPrimitives.ReadInt64LittleEndian(RandomNumberGenerator.GetBytes(8));

    /// <summary>A payload carrying this run's id, the scheduled send time and the message number.</summary>
    public static byte[] Stamp(byte[] template, long scheduledTimestamp, long sequence)
    {
        var content = (byte[])template.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(content, RunId);
        BinaryPrimitives.WriteInt64LittleEndian(content.AsSpan(8), scheduledTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(content.AsSpan(16), sequence);
        return content;
    }

    /// <summary>The stamp of one of this run's messages, or null for anything else.</summary>
    public static (long Scheduled, long Sequence)? ReadStamp(ReadOnlySpan<byte> content) =>
        content.Length >= StampBytes && BinaryPrimitives.ReadInt64LittleEndian(content) == RunId
            ? (BinaryPrimitives.ReadInt64LittleEndian(content[8..]), BinaryPrimitives.ReadInt64LittleEndian(content[16..]))
            : null;

    /// <summary>
    /// Reads envelopes as they come and acks everything read so far in one frame, asking for no
    /// answer (like the SDK). The ack frames are written before this returns; the next run acks
    /// whatever is still queued before it starts.
    /// </summary>
    public static async Task DrainAsync(ParleyConnection connection, Action<Envelope> onEnvelope, CancellationToken stop)
    {
        var reader = connection.Envelopes;
        var toAck = new List<ulong>();
        var acks = new List<Task>();
        try
        {
            while (await reader.WaitToReadAsync(stop))
            {
                while (toAck.Count < 500 && reader.TryRead(out var envelope))
                {
                    onEnvelope(envelope);
                    toAck.Add(envelope.Id);
                }
                // Only acks still being written are kept. Holding on to each connection's last
                // finished ack (its task, frame and buffer) made every generator GC promote ~0.6 MB.
                var ack = connection.AcknowledgeAsync(toAck.ToArray(), CancellationToken.None);
                toAck.Clear();
                if (!ack.IsCompletedSuccessfully)
                {
                    acks.RemoveAll(pending => pending.IsCompletedSuccessfully);
                    acks.Add(ack);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Run is over.
        }
        try
        {
            await Task.WhenAll(acks);
        }
        catch (Exception)
        {
            // A connection closing under its last ack is the server's business now (the envelope comes again).
        }
    }

    /// <summary>
    /// How long a run waits after its last send for the rest to arrive. Long enough that an overloaded
    /// server works off its backlog inside the run: "lost" then means lost, the tail shows in the
    /// latency, and no backlog spills into the next run's measurement.
    /// </summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Waits until <paramref name="done"/> holds, or gives up after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!done() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
    }
}
