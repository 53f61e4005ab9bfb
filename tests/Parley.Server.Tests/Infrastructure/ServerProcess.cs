using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>
/// A real Parley server in its own OS process on loopback: real Kestrel, real Orleans silo,
/// real database. It can be killed like a crashing machine (SIGKILL, no shutdown) and restarted on
/// the same data.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Dictionary<string, string> _settings;
    private readonly string _serverDirectory;
    private Process? _process;

    /// <param name="serverDirectory">Where Parley.Server.dll is; the build output next to the tests unless given (e.g. a published server).</param>
    public ServerProcess(string dataDirectory, string? postgresConnectionString, IDictionary<string, string>? settings = null, string? serverDirectory = null)
    {
        DataDirectory = dataDirectory;
        _serverDirectory = serverDirectory ?? AppContext.BaseDirectory;
        Port = LoopbackPorts.Free();
        _settings = new Dictionary<string, string>
        {
            ["Parley:Orleans:SiloPort"] = LoopbackPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Parley:Orleans:GatewayPort"] = LoopbackPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Tests register hundreds of users from one IP; the dedicated limit tests lower these again.
            ["Parley:Limits:RegistrationRequestsPerIpPerMinute"] = "100000",
            ["Parley:Limits:VerificationAttemptsPerIpPerMinute"] = "100000",
            ["Parley:Limits:KeyFetchesPerAccountPerMinute"] = "100000",
        };
        if (postgresConnectionString is not null)
        {
            _settings["Parley:PostgresConnectionString"] = postgresConnectionString;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    public int Port { get; }

    /// <summary>The server's OS process id while it runs (the bench reads its CPU and RSS from /proc).</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string SmsOutboxPath => Path.Combine(DataDirectory, "sms-outbox.log");

    /// <summary>What the server printed so far; attached to failures that involve it.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task StartAsync()
    {
        var serverDll = Path.Combine(_serverDirectory, "Parley.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _serverDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(serverDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseAddress.ToString().TrimEnd('/'));
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(DataDirectory);
        foreach (var (key, value) in _settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server process.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Kills the process at once (SIGKILL): no graceful shutdown, like a power cut of the process.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Asks the process to stop (SIGTERM, as systemd or docker stop do) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await _process.WaitForExitAsync();
        }
    }

    public async Task RestartAsync()
    {
        await KillAsync();
        await StartAsync();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                await _process.WaitForExitAsync(); // drains the redirected output
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} while starting:\n{Output}");
            }
            try
            {
                using var response = await http.GetAsync("healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server did not answer /healthz within {timeout.TotalSeconds} s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
