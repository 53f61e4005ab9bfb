using System.Globalization;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Bench.Tests;

/// <summary>One real server process (SQLite, raised registration limits) shared by the smoke runs.</summary>
public sealed class BenchServer : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "parley-bench-tests-" + Guid.NewGuid().ToString("N"));

    public ServerProcess Server { get; private set; } = null!;

    /// <summary>The options every run shares: this server, its SMS outbox and its process for CPU/RSS.</summary>
    public string[] Args(string workload, params string[] more) =>
    [
        workload, "--server", Server.BaseAddress.ToString(), "--sms-outbox", Server.SmsOutboxPath,
        "--server-pid", (Server.ProcessId ?? throw new InvalidOperationException("The server is not running.")).ToString(CultureInfo.InvariantCulture),
        "--registration-concurrency", "4", .. more,
    ];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        Server = new ServerProcess(_data, postgresConnectionString: null);
        await Server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
