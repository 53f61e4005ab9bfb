using System.Diagnostics;
using System.Globalization;
using Parley.Client.Api;
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
    /// <summary>Few one-time keys per user: each pair uses one session, and Kyber key generation dominates registration.</summary>
    private static readonly ClientOptions ClientOptions = new() { PreKeyBatchSize = 2, PreKeyLowWatermark = 1 };

    private readonly LatencyRecorder _latency = new();
    private long _sent;
    private long _sendErrors;
    private long _outstanding;
    private long _received;

    public async Task<RunSummary> RunAsync()
    {
        Console.WriteLine($"registering {options.Users} SDK clients (Signal keys on each)");
        var clients = await RegisterAsync();
        await using var disposeClients = new AsyncDisposables(clients);
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
        await Traffic.WaitUntilAsync(() => Interlocked.Read(ref _outstanding) == 0 && Interlocked.Read(ref _received) >= Interlocked.Read(ref _sent),
            Traffic.DrainTimeout);
        var resources = measurement.Stop();
        var summary = RunSummary.Create("pairs", options, total, Interlocked.Read(ref _sent), Interlocked.Read(ref _sendErrors),
            Interlocked.Read(ref _received), Interlocked.Read(ref _sent), _latency.Summarize(), null, resources, sendLag);
        summary.Print();
        return summary;
    }

    private async Task<List<ParleyClient>> RegisterAsync()
    {
        var api = ParleyApi.ForServer(options.Server);
        var outbox = new SmsOutbox(options.SmsOutbox);
        using var gate = new SemaphoreSlim(options.RegistrationConcurrency);
        var clients = await Task.WhenAll(Enumerable.Range(0, options.Users).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var number = BenchUser.RandomNumber();
                var registration = await AccountRegistration.StartAsync(api, number);
                await registration.VerifyAsync(await outbox.CodeForAsync(number));
                var store = new InMemoryClientStore();
                await registration.CreateAccountAsync(store, "bench", ClientOptions);
                var client = await ParleyClient.OpenAsync(store, ClientOptions);
                await client.ConnectAsync();
                return client;
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. clients];
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

    private async Task SendAsync(ParleyClient sender, string recipientNumber, string text)
    {
        Interlocked.Increment(ref _outstanding);
        try
        {
            await sender.SendTextAsync(recipientNumber, text);
            Interlocked.Increment(ref _sent);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _sendErrors);
        }
        finally
        {
            Interlocked.Decrement(ref _outstanding);
        }
    }

    private sealed class AsyncDisposables(IEnumerable<IAsyncDisposable> items) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Task.WhenAll(items.Select(i => i.DisposeAsync().AsTask()));
    }
}
