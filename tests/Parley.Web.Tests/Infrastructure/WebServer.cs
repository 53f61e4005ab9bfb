using Parley.Server.Tests.Infrastructure;

namespace Parley.Web.Tests.Infrastructure;

/// <summary>A real Parley server process (embedded SQLite, dev SMS outbox) serving the web client at "/".</summary>
public sealed class WebServer : IAsyncDisposable
{
    private static int _nextNumber;

    private WebServer(ServerProcess process) => Process = process;

    public ServerProcess Process { get; }

    public Uri BaseAddress => Process.BaseAddress;

    public static async Task<WebServer> StartAsync() => await StartAsync(settings: null);

    /// <summary>A server with extra configuration (e.g. Parley:Turn:Urls for calls through coturn).</summary>
    /// <param name="serverDirectory">A published server (its wwwroot holds the brotli files); the build output when null.</param>
    public static async Task<WebServer> StartAsync(IDictionary<string, string>? settings, string? serverDirectory = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "parley-web-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var process = new ServerProcess(dataDirectory, postgresConnectionString: null, settings, serverDirectory);
        await process.StartAsync();
        return new WebServer(process);
    }

    /// <summary>A phone number no other test of this run uses.</summary>
    public static string NewNumber() =>
        $"+1555{Environment.ProcessId % 10000:D4}{Interlocked.Increment(ref _nextNumber) % 1000:D3}";

    /// <summary>The newest code the development SMS outbox holds for a number (as the server tests read it).</summary>
    public async Task<string> ReadCodeAsync(string number)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (File.Exists(Process.SmsOutboxPath))
            {
                var line = (await File.ReadAllLinesAsync(Process.SmsOutboxPath)).LastOrDefault(l => l.StartsWith(number + " ", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(number.Length + 1)..];
                }
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"No code for {number} in {Process.SmsOutboxPath}.");
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
