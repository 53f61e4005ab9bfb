using Parley.Client.Api;

namespace Parley.Bench;

/// <summary>
/// Gets N accounts: from the accounts file when an earlier run registered them (against the same
/// server data), otherwise through the real registration API, appending the new ones to the file.
/// </summary>
public static class Provisioning
{
    public static async Task<List<BenchUser>> AccountsAsync(BenchOptions options, int count)
    {
        var users = new List<BenchUser>(count);
        if (options.AccountsFile is { } file && File.Exists(file))
        {
            users.AddRange(File.ReadLines(file).Where(line => line.Length > 0).Take(count).Select(BenchUser.FromJsonLine));
        }
        var missing = count - users.Count;
        if (missing <= 0)
        {
            return users;
        }
        Console.WriteLine($"registering {missing} users through the API");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var api = ParleyApi.ForServer(options.Server);
        var outbox = new SmsOutbox(options.SmsOutbox);
        using var gate = new SemaphoreSlim(options.RegistrationConcurrency);
        // Consecutive numbers from a random start: random numbers per user collide (birthday problem) at
        // thousands of users, and registering a number twice logs the first account out.
        var first = System.Security.Cryptography.RandomNumberGenerator.GetInt32(0, 100_000_000);
        var registered = await Task.WhenAll(Enumerable.Range(0, missing).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                return await BenchUser.RegisterAsync(api, outbox, BenchUser.TestNumber((first + i) % 100_000_000));
            }
            finally
            {
                gate.Release();
            }
        }));
        Console.WriteLine($"registered {missing} users in {started.Elapsed.TotalSeconds:F1} s ({missing / started.Elapsed.TotalSeconds:F0}/s)");
        if (options.AccountsFile is { } target)
        {
            await File.AppendAllLinesAsync(target, registered.Select(u => u.ToJsonLine()));
        }
        users.AddRange(registered);
        return users;
    }
}
