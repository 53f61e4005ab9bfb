using System.Buffers.Binary;
using System.Diagnostics;
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
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>
    /// Calls <paramref name="send"/> for message k at start + k/rate, whatever happened to earlier
    /// sends (open loop). The timestamp handed over is the scheduled time, not the actual one, so a
    /// generator or server that falls behind shows up as latency (no coordinated omission).
    /// </summary>
    public static async Task ScheduleAsync(long total, double rate, Action<long, long> send)
    {
        var start = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / rate;
        for (long k = 0; k < total;)
        {
            var now = Stopwatch.GetTimestamp();
            for (; k < total && start + (long)(k * interval) <= now; k++)
            {
                send(k, start + (long)(k * interval));
            }
            await Task.Delay(1);
        }
    }

    /// <summary>A payload whose first 8 bytes carry the scheduled send time and the next 8 the message number.</summary>
    public static byte[] Stamp(byte[] template, long scheduledTimestamp, long sequence)
    {
        var content = (byte[])template.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(content, scheduledTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(content.AsSpan(8), sequence);
        return content;
    }

    public static (long Scheduled, long Sequence) ReadStamp(ReadOnlySpan<byte> content) =>
        (BinaryPrimitives.ReadInt64LittleEndian(content), BinaryPrimitives.ReadInt64LittleEndian(content[8..]));

    /// <summary>Reads envelopes as they come and acks everything read so far in one frame (like a real client).</summary>
    public static async Task DrainAsync(ParleyConnection connection, Action<Envelope> onEnvelope, CancellationToken stop)
    {
        var reader = connection.Envelopes;
        var toAck = new List<ulong>();
        try
        {
            while (await reader.WaitToReadAsync(stop))
            {
                while (toAck.Count < 500 && reader.TryRead(out var envelope))
                {
                    onEnvelope(envelope);
                    toAck.Add(envelope.Id);
                }
                var batch = toAck.ToArray();
                toAck.Clear();
                _ = connection.AckAsync(batch, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // Run is over.
        }
    }

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
