using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Parley.Protocol.Wire;

namespace Parley.Bench;

/// <summary>
/// Client i sends to client (i + N/2) % N at a constant total rate, open loop. Latency is measured
/// from the *scheduled* send time to the recipient's receipt of the envelope, so a server that
/// falls behind cannot hide it by slowing the generator down (coordinated omission).
/// </summary>
public sealed class PairsWorkload(BenchOptions options)
{
    private readonly LatencyRecorder _latency = new();
    private readonly SendTracker _sends = new();
    private long _received;
    private long _receipted;

    /// <summary>Sequence number of the first measured message: the ones before it were the warm-up.</summary>
    private long _measuredFrom;

    public async Task<RunSummary> RunAsync()
    {
        if (options.EndToEnd)
        {
            return await new EndToEndPairs(options).RunAsync();
        }
        var users = await Provisioning.AccountsAsync(options, options.Users);
        Console.WriteLine($"connecting {users.Count} clients");
        await Traffic.ConnectAllAsync(users, options.Server);
        using var stop = new CancellationTokenSource();
        var receivers = users.Select(u => Traffic.DrainAsync(u.Connection!, OnEnvelope, stop.Token)).ToList();

        var payload = RandomNumberGenerator.GetBytes(options.Payload);
        var warmup = (long)(options.Rate * options.WarmupSeconds);
        if (warmup > 0)
        {
            Console.WriteLine($"warming up: {warmup} messages at {options.Rate}/s for {options.WarmupSeconds} s, not measured");
            await RunScheduleAsync(users, payload, firstSequence: 0, warmup);
            Volatile.Write(ref _measuredFrom, warmup);
            ResetCounters();
        }

        var measurement = Measurement.Start(options.ServerPid);
        var total = (long)(options.Rate * options.Seconds);
        Console.WriteLine($"sending {total} messages of {options.Payload} bytes at {options.Rate}/s for {options.Seconds} s");
        var sendLag = await RunScheduleAsync(users, payload, firstSequence: warmup, total);
        var result = measurement.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(receivers);
        var summary = RunSummary.Create("pairs", options, total, _sends.Sent, _sends.Errors,
            Interlocked.Read(ref _received), _sends.Sent, _latency.Summarize(), null, result, sendLag);
        _latency.PrintTimeline(options.TimelineMs);
        summary.Print();
        await Task.WhenAll(users.Select(u => u.Connection!.DisposeAsync().AsTask()));
        return summary;
    }

    /// <summary>Sends <paramref name="count"/> messages on the open-loop schedule and waits until they, and their receipts, are in.</summary>
    private async Task<LatencySummary> RunScheduleAsync(List<BenchUser> users, byte[] payload, long firstSequence, long count)
    {
        var sendLag = await Traffic.ScheduleAsync(count, options.Rate, (k, scheduled) =>
        {
            var sender = users[(int)(k % users.Count)];
            var recipient = users[(int)((k % users.Count + users.Count / 2) % users.Count)];
            _ = SendAsync(sender, recipient, Traffic.Stamp(payload, scheduled, firstSequence + k));
        });
        await Traffic.WaitUntilAsync(() => _sends.Outstanding == 0 && Interlocked.Read(ref _received) >= _sends.Sent
            // The senders' delivery receipts are part of the work a delivery costs.
            && Interlocked.Read(ref _receipted) >= _sends.Sent,
            Traffic.DrainTimeout);
        return sendLag;
    }

    private void ResetCounters()
    {
        _sends.Reset();
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _receipted, 0);
        _latency.Clear();
    }

    private void OnEnvelope(Envelope envelope)
    {
        // A warm-up message that arrives late (the drain wait gave up) is neither timed nor counted.
        if (envelope.Type == EnvelopeType.Ciphertext && Traffic.ReadStamp(envelope.Content.Span) is (var scheduled, var sequence) && sequence >= Volatile.Read(ref _measuredFrom))
        {
            _latency.Record(scheduled, (long)Stopwatch.GetElapsedTime(scheduled).TotalMicroseconds);
            Interlocked.Increment(ref _received);
        }
        else if (envelope.Type == EnvelopeType.DeliveryReceipt)
        {
            Interlocked.Add(ref _receipted, envelope.ReceiptedMessageIds.Count);
        }
    }

    private Task SendAsync(BenchUser sender, BenchUser recipient, byte[] content) =>
        _sends.TrackAsync(() => sender.Connection!.SendAsync(new SendMessage
        {
            DestinationAccount = recipient.Credentials.AccountId,
            MessageId = UnsafeByteOperations.UnsafeWrap(RandomNumberGenerator.GetBytes(16)),
            ClientTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Ciphertexts = { new DeviceCiphertext { DeviceId = 1, RegistrationId = (uint)recipient.RegistrationId, Type = EnvelopeType.Ciphertext, Content = UnsafeByteOperations.UnsafeWrap(content) } },
        }));
}
