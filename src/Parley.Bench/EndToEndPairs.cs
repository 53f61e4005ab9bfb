using System.Diagnostics;
using System.Globalization;
using Parley.Client.Messaging;
using Parley.Client.Storage;

namespace Parley.Bench;

/// <summary>
/// pairs --e2e: the same open-loop schedule, but every user is a full SDK client (in-memory store)
/// that encrypts with the Signal protocol, and every recipient decrypts and stores before the
/// latency is taken. This measures the clients as much as the server.
/// </summary>
public sealed class EndToEndPairs(BenchOptions options)
{
    private readonly LatencyRecorder _latency = new();
    private readonly SendTracker _sends = new();
    private long _received;

    public async Task<RunSummary> RunAsync()
    {
        var clients = await SdkClients.RegisterAsync(options, options.Users);
        try
        {
            return await MeasureAsync(clients);
        }
        finally
        {
            await SdkClients.DisposeAllAsync(clients);
        }
    }

    private async Task<RunSummary> MeasureAsync(List<ParleyClient> clients)
    {
        foreach (var client in clients)
        {
            client.MessageReceived += OnMessage;
        }
        // Warm-up: one message per pair establishes its session (prekey fetch, PQXDH) outside the measurement.
        var pairs = clients.Count;
        await Task.WhenAll(Enumerable.Range(0, pairs).Select(i => clients[i].SendTextAsync(clients[(i + (pairs / 2)) % pairs].Number, "warm-up")));
        await Traffic.WaitUntilAsync(() => Interlocked.Read(ref _received) >= pairs, TimeSpan.FromSeconds(30));
        Interlocked.Exchange(ref _received, 0);
        _latency.Clear();

        var measurement = Measurement.Start(options.ServerPid);
        var total = (long)(options.Rate * options.Seconds);
        var padding = new string('x', Math.Max(0, options.Payload - 40));
        Console.WriteLine($"sending {total} encrypted messages of ~{options.Payload} bytes at {options.Rate}/s for {options.Seconds} s");
        var sendLag = await Traffic.ScheduleAsync(total, options.Rate, (k, scheduled) =>
        {
            var sender = clients[(int)(k % pairs)];
            var recipient = clients[(int)((k % pairs + (pairs / 2)) % pairs)];
            _ = SendAsync(sender, recipient.Number, string.Create(CultureInfo.InvariantCulture, $"{scheduled} {k} {padding}"));
        });
        await Traffic.WaitUntilAsync(() => _sends.Outstanding == 0 && Interlocked.Read(ref _received) >= _sends.Sent,
            Traffic.DrainTimeout);
        var resources = measurement.Stop();
        var summary = RunSummary.Create("pairs", options, total, _sends.Sent, _sends.Errors,
            Interlocked.Read(ref _received), _sends.Sent, _latency.Summarize(), null, resources, sendLag);
        _latency.PrintTimeline(options.TimelineMs);
        summary.Print();
        return summary;
    }

    private void OnMessage(StoredMessage message)
    {
        if (message.Direction != MessageDirection.Incoming)
        {
            return;
        }
        var space = message.Text.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && long.TryParse(message.Text.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var scheduled))
        {
            _latency.Record(scheduled, (long)Stopwatch.GetElapsedTime(scheduled).TotalMicroseconds);
        }
        Interlocked.Increment(ref _received);
    }

    private Task SendAsync(ParleyClient sender, string recipientNumber, string text) =>
        _sends.TrackAsync(() => sender.SendTextAsync(recipientNumber, text));
}
