using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>
/// N authenticated connections held open with keep-alives. Reports the connection rate and the
/// server's RSS per connection: (RSS after holding − RSS before connecting) / N.
/// </summary>
public sealed class IdleWorkload(BenchOptions options)
{
    /// <summary>Sockets one client process opens at most: the hard open-files limit is 20,000 here, minus headroom.</summary>
    public const int MaxConnectionsPerProcess = 15_000;

    public async Task<IdleSummary> RunAsync()
    {
        var all = await Provisioning.AccountsAsync(options, options.Users + options.Warmup);
        var users = all.Skip(options.Warmup).ToList();
        // Warm-up connections stay open through the run: the baseline then already includes the
        // server's one-time costs (JIT, pools, caches), and the delta is what N more connections cost.
        await using var warmup = new IdleWorker(options, all.Take(options.Warmup).ToList(), 0);
        if (options.Warmup > 0)
        {
            Console.WriteLine($"warm-up: opening {options.Warmup} connections that stay open");
            await warmup.ConnectAllAsync(CancellationToken.None);
        }
        var processes = Math.Max(1, options.Processes ?? (int)Math.Ceiling(users.Count / (double)MaxConnectionsPerProcess));
        var accountsFile = options.AccountsFile;
        if (processes > 1 && accountsFile is null)
        {
            accountsFile = Path.GetTempFileName();
            await File.WriteAllLinesAsync(accountsFile, all.Select(u => u.ToJsonLine()));
        }
        // Let the server settle after registration before the baseline.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = ProcessStats.Read(options.ServerPid);
        var selfBefore = ProcessStats.Self();
        Console.WriteLine($"opening {users.Count} connections from {processes} process(es) over {options.SourceAddresses} source address(es)");
        var clock = Stopwatch.StartNew();
        await using var slices = processes == 1 ? (ISlices)new InProcessSlices(options, users) : new ChildSlices(options, accountsFile!, options.Warmup, users.Count, processes);
        var (connected, failed, firstError) = await slices.ConnectAsync();
        var connectSeconds = clock.Elapsed.TotalSeconds;
        var afterConnect = ProcessStats.Read(options.ServerPid);
        Console.WriteLine($"connected {connected}, failed {failed} in {connectSeconds:F1} s{(firstError is null ? "" : $" (first error: {firstError})")}; holding {options.Hold} s");
        await Task.Delay(TimeSpan.FromSeconds(options.Hold));
        var open = await slices.CountOpenAsync();
        var afterHold = ProcessStats.Read(options.ServerPid);
        var selfAfter = ProcessStats.Self();
        var elapsed = clock.Elapsed.TotalSeconds;

        var perConnection = before is null || afterHold is null || connected == 0 ? (double?)null : (afterHold.RssBytes - before.RssBytes) / (double)connected;
        var summary = new IdleSummary("idle", users.Count, options.Warmup, processes, options.SourceAddresses, connected, failed, open,
            connected / connectSeconds, options.Hold, before?.RssBytes, afterConnect?.RssBytes, afterHold?.RssBytes, perConnection,
            before is null || afterHold is null ? null : (afterHold.CpuTime - before.CpuTime).TotalSeconds / elapsed,
            (selfAfter.CpuTime - selfBefore.CpuTime).TotalSeconds / elapsed, ProcessStats.LoadAverage());
        Console.WriteLine($"still open after {options.Hold} s: {open} of {connected}");
        Console.WriteLine($"connection rate {summary.ConnectionsPerSecond:F0}/s");
        Console.WriteLine(perConnection is null
            ? "server rss n/a (pass --server-pid)"
            : $"server rss {Mib(before!.RssBytes)} -> {Mib(afterConnect!.RssBytes)} (connected) -> {Mib(afterHold!.RssBytes)} (after hold): {perConnection / 1024:F2} KiB per connection");
        Console.WriteLine($"bench cpu (this process) {summary.BenchCpu * 100:F0}%; load average {summary.LoadAverage:F2}");
        Console.WriteLine(JsonSerializer.Serialize(summary));
        return summary;
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB";

    private interface ISlices : IAsyncDisposable
    {
        Task<(int Connected, int Failed, string? FirstError)> ConnectAsync();

        Task<int> CountOpenAsync();
    }

    private sealed class InProcessSlices(BenchOptions options, IReadOnlyList<BenchUser> users) : ISlices
    {
        private readonly IdleWorker _worker = new(options, users, 0);

        public async Task<(int, int, string?)> ConnectAsync()
        {
            await _worker.ConnectAllAsync(CancellationToken.None);
            return (users.Count - _worker.Failed, _worker.Failed, _worker.FirstError);
        }

        public Task<int> CountOpenAsync() => Task.FromResult(_worker.CountOpen());

        public ValueTask DisposeAsync() => _worker.DisposeAsync();
    }

    /// <summary>Child processes of this same program, each holding a slice ("idle-worker").</summary>
    private sealed class ChildSlices : ISlices
    {
        private readonly List<Process> _children = [];

        public ChildSlices(BenchOptions options, string accountsFile, int skip, int users, int processes)
        {
            var per = (int)Math.Ceiling(users / (double)processes);
            for (var from = skip; from < skip + users; from += per)
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var arg in new[]
                {
                    typeof(IdleWorkload).Assembly.Location, "idle-worker", "--server", options.Server.ToString(), "--accounts", accountsFile,
                    "--from", from.ToString(CultureInfo.InvariantCulture), "--users", Math.Min(per, skip + users - from).ToString(CultureInfo.InvariantCulture),
                    "--source-addresses", options.SourceAddresses.ToString(CultureInfo.InvariantCulture),
                    "--connect-concurrency", options.ConnectConcurrency.ToString(CultureInfo.InvariantCulture),
                    "--keepalive", options.KeepAlive.ToString(CultureInfo.InvariantCulture),
                })
                {
                    start.ArgumentList.Add(arg);
                }
                _children.Add(Process.Start(start) ?? throw new InvalidOperationException("Could not start an idle-worker process."));
            }
        }

        public async Task<(int, int, string?)> ConnectAsync()
        {
            var lines = await Task.WhenAll(_children.Select(c => ExpectAsync(c, "connected")));
            var fields = lines.Select(l => l.Split(' ', 5)).ToList();
            return (fields.Sum(f => int.Parse(f[1], CultureInfo.InvariantCulture)), fields.Sum(f => int.Parse(f[2], CultureInfo.InvariantCulture)),
                fields.Select(f => f.Length > 4 && f[4].Length > 0 ? f[4] : null).FirstOrDefault(e => e is not null));
        }

        public async Task<int> CountOpenAsync()
        {
            foreach (var child in _children)
            {
                await child.StandardInput.WriteLineAsync("check");
                await child.StandardInput.FlushAsync();
            }
            var lines = await Task.WhenAll(_children.Select(c => ExpectAsync(c, "open")));
            return lines.Sum(l => int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
        }

        private static async Task<string> ExpectAsync(Process child, string prefix)
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith(prefix + " ", StringComparison.Ordinal))
                {
                    return line;
                }
            }
            throw new InvalidOperationException($"An idle-worker process exited before printing '{prefix}'.");
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var child in _children)
            {
                try
                {
                    await child.StandardInput.WriteLineAsync("stop");
                    child.StandardInput.Close();
                }
                catch (IOException)
                {
                    // Already gone.
                }
            }
            foreach (var child in _children)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                try
                {
                    await child.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    child.Kill();
                }
                child.Dispose();
            }
        }
    }
}

/// <summary>The idle workload's result (also printed as the JSON summary line).</summary>
public sealed record IdleSummary(string Workload, int Users, int Warmup, int Processes, int SourceAddresses, int Connected, int Failed, int OpenAfterHold,
    double ConnectionsPerSecond, double HoldSeconds, long? ServerRssBefore, long? ServerRssConnected, long? ServerRssAfterHold,
    double? ServerRssBytesPerConnection, double? ServerCpu, double BenchCpu, double LoadAverage);
