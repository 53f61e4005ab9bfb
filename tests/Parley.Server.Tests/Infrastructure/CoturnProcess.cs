using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>A real coturn (Debian's turnserver) on loopback with the shared-secret ("TURN REST") scheme, owned by one test.</summary>
public sealed class CoturnProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private CoturnProcess(Process process, string directory, int port, string secret) =>
        (_process, _directory, Port, Secret) = (process, directory, port, secret);

    public int Port { get; }

    private System.Text.StringBuilder _output = new();

    /// <summary>What turnserver logged so far (attached to failures that involve the relay).</summary>
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

    public string Secret { get; }

    public string UdpUrl => $"turn:127.0.0.1:{Port}?transport=udp";

    public string TcpUrl => $"turn:127.0.0.1:{Port}?transport=tcp";

    /// <param name="allowLoopbackPeers">Relay between peers on 127.0.0.1 (browsers in one test talking through coturn); never in production.</param>
    public static async Task<CoturnProcess> StartAsync(bool allowLoopbackPeers = false)
    {
        const string binary = "/usr/bin/turnserver";
        Assert.True(File.Exists(binary), "coturn is not installed (apt-get install coturn; ./test.sh does it).");
        var directory = Path.Combine(Path.GetTempPath(), "parley-coturn", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var port = LoopbackPorts.Free();
        var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var relayBase = 50_000 + (port % 100) * 100;
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-n", "--no-cli", "--simple-log", "--log-file=stdout", "--no-tls", "--no-dtls",
            "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", $"--listening-port={port}", $"--alt-listening-port={LoopbackPorts.Free()}",
            "--use-auth-secret", $"--static-auth-secret={secret}", "--realm=parley.test",
            $"--min-port={relayBase}", $"--max-port={relayBase + 99}",
            $"--db={Path.Combine(directory, "turndb")}", $"--pidfile={Path.Combine(directory, "turnserver.pid")}",
        })
        {
            start.ArgumentList.Add(argument);
        }
        if (allowLoopbackPeers)
        {
            start.ArgumentList.Add("--allow-loopback-peers");
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("turnserver did not start.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var coturn = new CoturnProcess(process, directory, port, secret) { _output = output };
        for (var waited = 0; ; waited += 100)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return coturn;
            }
            catch (SocketException) when (waited < 10_000 && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it lives under the temp directory.
        }
    }
}
