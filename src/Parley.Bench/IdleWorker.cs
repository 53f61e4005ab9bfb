using System.Diagnostics;
using System.Globalization;

namespace Parley.Bench;

/// <summary>
/// Holds one slice of the idle connections, in this process or in a child process
/// ("idle-worker", driven over stdin/stdout lines) when one process cannot open enough files.
/// </summary>
public sealed class IdleWorker(BenchOptions options, IReadOnlyList<BenchUser> users, int sourceOffset) : IAsyncDisposable
{
    private readonly List<IdleClient> _clients = new(users.Count);
    private readonly SourceAddresses _sources = new(options.SourceAddresses, sourceOffset);

    public int Failed { get; private set; }

    public string? FirstError { get; private set; }

    /// <summary>Opens every connection (a bounded number at a time) and waits until each has drained its queue.</summary>
    public async Task<TimeSpan> ConnectAllAsync(CancellationToken cancellationToken)
    {
        var endpoint = new UriBuilder(new Uri(options.Server, "v1/websocket")) { Scheme = options.Server.Scheme == "https" ? "wss" : "ws" }.Uri;
        var keepAlive = TimeSpan.FromSeconds(options.KeepAlive);
        var started = Stopwatch.StartNew();
        var next = -1;
        var lanes = Enumerable.Range(0, Math.Min(options.ConnectConcurrency, users.Count)).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < users.Count)
            {
                var client = new IdleClient(users[index].Credentials);
                try
                {
                    await client.ConnectAsync(endpoint, _sources.For(index), keepAlive, cancellationToken);
                    lock (_clients)
                    {
                        _clients.Add(client);
                    }
                }
                catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    lock (_clients)
                    {
                        Failed++;
                        FirstError ??= error.GetBaseException().Message;
                    }
                    await client.DisposeAsync();
                }
            }
        });
        await Task.WhenAll(lanes);
        return started.Elapsed;
    }

    public int CountOpen()
    {
        lock (_clients)
        {
            return _clients.Count(c => c.IsOpen);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask()));
        _clients.Clear();
        _sources.Dispose();
    }

    /// <summary>
    /// Child-process entry: connects accounts [from, from + users) of the accounts file, prints
    /// "connected &lt;ok&gt; &lt;failed&gt; &lt;ms&gt;", answers "check" with "open &lt;n&gt;", and closes all on "stop" or end of input.
    /// </summary>
    public static async Task<int> RunChildAsync(BenchOptions options)
    {
        var users = File.ReadLines(options.AccountsFile ?? throw new ArgumentException("idle-worker needs --accounts."))
            .Skip(options.From).Take(options.Users).Select(BenchUser.FromJsonLine).ToList();
        await using var worker = new IdleWorker(options, users, options.From);
        var elapsed = await worker.ConnectAllAsync(CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"connected {users.Count - worker.Failed} {worker.Failed} {elapsed.TotalMilliseconds:F0} {worker.FirstError}"));
        while (await Console.In.ReadLineAsync() is { } command && command != "stop")
        {
            if (command == "check")
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"open {worker.CountOpen()}"));
            }
        }
        return 0;
    }
}
