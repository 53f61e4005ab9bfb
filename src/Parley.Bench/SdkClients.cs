using Parley.Client.Api;
using Parley.Client.Messaging;
using Parley.Client.Storage;

namespace Parley.Bench;

/// <summary>
/// Full SDK clients for the --e2e workloads: each registers through the real API with its own
/// Signal keys, keeps an in-memory store and stays connected.
/// </summary>
public static class SdkClients
{
    /// <summary>Few one-time keys per user: each pair of users needs one session, and Kyber key generation dominates registration.</summary>
    private static readonly ClientOptions ClientOptions = new() { PreKeyBatchSize = 2, PreKeyLowWatermark = 1 };

    public static async Task<List<ParleyClient>> RegisterAsync(BenchOptions options, int count)
    {
        Console.WriteLine($"registering {count} SDK clients (Signal keys on each)");
        var api = ParleyApi.ForServer(options.Server);
        var outbox = new SmsOutbox(options.SmsOutbox);
        using var gate = new SemaphoreSlim(options.RegistrationConcurrency);
        var clients = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
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

    /// <summary>Disposes every client, concurrently.</summary>
    public static async ValueTask DisposeAllAsync(IEnumerable<ParleyClient> clients) =>
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
}
