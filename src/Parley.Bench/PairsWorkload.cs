using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Parley.Client.Api;
using Parley.Client.Transport;
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
    private long _sent;
    private long _sendErrors;
    private long _received;

    public async Task<int> RunAsync()
    {
        var users = await RegisterUsersAsync();
        Console.WriteLine($"connecting {users.Count} clients");
        await Task.WhenAll(users.Select(async user =>
        {
            user.Connection = new ParleyConnection(options.Server, user.Credentials);
            await user.Connection.ConnectAsync();
            await user.Connection.WaitUntilDrainedAsync();
        }));
        using var stop = new CancellationTokenSource();
        var receivers = users.Select(u => ReceiveAsync(u.Connection!, stop.Token)).ToList();

        var serverBefore = ProcessStats.Read(options.ServerPid);
        var selfBefore = ProcessStats.Self();
        var total = (long)(options.Rate * options.Seconds);
        Console.WriteLine($"sending {total} messages of {options.Payload} bytes at {options.Rate}/s for {options.Seconds} s");
        var clock = Stopwatch.StartNew();
        await ScheduleSendsAsync(users, total, clock);
        var sendingDone = clock.Elapsed;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Interlocked.Read(ref _received) < Interlocked.Read(ref _sent) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        var elapsed = clock.Elapsed;
        var serverAfter = ProcessStats.Read(options.ServerPid);
        var selfAfter = ProcessStats.Self();
        await stop.CancelAsync();
        await Task.WhenAll(receivers);

        Report(total, sendingDone, elapsed, serverBefore, serverAfter, selfBefore, selfAfter);
        await Task.WhenAll(users.Select(u => u.Connection!.DisposeAsync().AsTask()));
        return 0;
    }

    private async Task<List<BenchUser>> RegisterUsersAsync()
    {
        Console.WriteLine($"registering {options.Users} users");
        var api = ParleyApi.ForServer(options.Server);
        using var gate = new SemaphoreSlim(options.RegistrationConcurrency);
        var tasks = Enumerable.Range(0, options.Users).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                return await BenchUser.RegisterAsync(api, options.SmsOutbox, BenchUser.RandomNumber());
            }
            finally
            {
                gate.Release();
            }
        });
        return [.. await Task.WhenAll(tasks)];
    }

    private async Task ScheduleSendsAsync(IReadOnlyList<BenchUser> users, long total, Stopwatch clock)
    {
        var interval = Stopwatch.Frequency / options.Rate;
        var payload = RandomNumberGenerator.GetBytes(Math.Max(options.Payload, 8));
        for (long k = 0; k < total;)
        {
            var now = clock.ElapsedTicks;
            for (; k < total && (long)(k * interval) <= now; k++)
            {
                var sender = users[(int)(k % users.Count)];
                var recipient = users[(int)((k % users.Count + users.Count / 2) % users.Count)];
                var scheduled = Stopwatch.GetTimestamp() - (now - (long)(k * interval));
                _ = SendAsync(sender, recipient, payload, scheduled);
            }
            await Task.Delay(1);
        }
    }

    private async Task SendAsync(BenchUser sender, BenchUser recipient, byte[] template, long scheduledTimestamp)
    {
        var content = (byte[])template.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(content, scheduledTimestamp);
        var message = new SendMessage
        {
            DestinationAccount = recipient.Credentials.AccountId,
            MessageId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
            ClientTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Ciphertexts = { new DeviceCiphertext { DeviceId = 1, RegistrationId = (uint)recipient.RegistrationId, Type = EnvelopeType.Ciphertext, Content = UnsafeByteOperations.UnsafeWrap(content) } },
        };
        try
        {
            await sender.Connection!.SendAsync(message);
            Interlocked.Increment(ref _sent);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _sendErrors);
        }
    }

    private async Task ReceiveAsync(ParleyConnection connection, CancellationToken stop)
    {
        var toAck = new List<ulong>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var envelope = await connection.NextEnvelopeAsync(TimeSpan.FromMilliseconds(20), stop);
                if (envelope is not null)
                {
                    if (envelope.Type == EnvelopeType.Ciphertext)
                    {
                        var scheduled = BinaryPrimitives.ReadInt64LittleEndian(envelope.Content.Span);
                        _latency.Record((long)Stopwatch.GetElapsedTime(scheduled).TotalMicroseconds);
                        Interlocked.Increment(ref _received);
                    }
                    toAck.Add(envelope.Id);
                }
                if (toAck.Count >= 64 || (envelope is null && toAck.Count > 0))
                {
                    var batch = toAck.ToArray();
                    toAck.Clear();
                    _ = connection.AckAsync(batch, stop);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Run is over.
        }
    }

    private void Report(long total, TimeSpan sending, TimeSpan elapsed, ProcessStats? serverBefore, ProcessStats? serverAfter,
        ProcessStats selfBefore, ProcessStats selfAfter)
    {
        var latency = _latency.Summarize();
        var received = Interlocked.Read(ref _received);
        var sent = Interlocked.Read(ref _sent);
        var serverCpu = serverBefore is not null && serverAfter is not null
            ? (serverAfter.CpuTime - serverBefore.CpuTime).TotalSeconds / elapsed.TotalSeconds : (double?)null;
        var benchCpu = (selfAfter.CpuTime - selfBefore.CpuTime).TotalSeconds / elapsed.TotalSeconds;
        Console.WriteLine($"offered {total} in {sending.TotalSeconds:F1} s; sent (acked) {sent}, send errors {Interlocked.Read(ref _sendErrors)}, received {received}, lost {sent - received}");
        Console.WriteLine($"delivered/s {received / sending.TotalSeconds:F0}");
        Console.WriteLine($"latency ms  p50 {latency.P50:F2}  p90 {latency.P90:F2}  p99 {latency.P99:F2}  p99.9 {latency.P999:F2}  max {latency.Max:F2}");
        Console.WriteLine($"server cpu {(serverCpu is null ? "n/a" : $"{serverCpu * 100:F0}%")}  rss {(serverAfter is null ? "n/a" : $"{serverAfter.RssBytes / 1048576.0:F0} MiB")}; bench cpu {benchCpu * 100:F0}%");
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            workload = "pairs",
            users = options.Users,
            rate = options.Rate,
            seconds = options.Seconds,
            payload = options.Payload,
            offered = total,
            sent,
            received,
            lost = sent - received,
            deliveredPerSecond = received / sending.TotalSeconds,
            latencyMs = latency,
            serverCpu,
            serverRssBytes = serverAfter?.RssBytes,
            benchCpu,
        }));
    }
}
