using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Parley.Interop.Tests.Harness;

/// <summary>
/// The official libsignal (through tests/interop-harness/harness.js) as a child process that
/// answers one JSON line per command. Started once per test collection; commands are serialized,
/// so tests sharing a harness must use distinct party names.
/// </summary>
public sealed class LibsignalHarness : IAsyncLifetime
{
    /// <summary>How long one command may take before the test fails naming that command.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StringBuilder _stderr = new();
    private Process? _node;
    private long _nextId;

    public string LibsignalVersion { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var root = FindRepositoryRoot();
        var harnessDir = Path.Combine(root, "tests", "interop-harness");
        var libsignal = Path.Combine(harnessDir, "node_modules", "@signalapp", "libsignal-client");
        if (!Directory.Exists(libsignal))
        {
            throw new InvalidOperationException(
                $"libsignal-client is not installed in {harnessDir}: run npm ci in tests/interop-harness (./test.sh does it).");
        }

        var start = new ProcessStartInfo("node", "harness.js")
        {
            WorkingDirectory = harnessDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        _node = Process.Start(start) ?? throw new InvalidOperationException("could not start node for the libsignal harness");
        _node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.AppendLine(e.Data);
        };
        _node.BeginErrorReadLine();

        var pong = await SendAsync(new JsonObject { ["cmd"] = "ping" });
        LibsignalVersion = pong["libsignalVersion"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        if (_node is null) return;
        try
        {
            _node.StandardInput.Close();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _node.WaitForExitAsync(exit.Token);
        }
        catch (OperationCanceledException)
        {
            _node.Kill(entireProcessTree: true);
        }
        finally
        {
            _node.Dispose();
        }
    }

    /// <summary>Sends a command and returns its answer; throws <see cref="LibsignalException"/> on an error answer.</summary>
    public async Task<JsonObject> SendAsync(JsonObject command)
    {
        var answer = await TrySendAsync(command);
        if (answer["error"] is JsonNode error)
        {
            throw new LibsignalException((string)command["cmd"]!, error.GetValue<string>());
        }
        return answer;
    }

    /// <summary>Sends a command and returns its answer as is, an <c>error</c> member included.</summary>
    public async Task<JsonObject> TrySendAsync(JsonObject command)
    {
        var node = _node ?? throw new InvalidOperationException("the libsignal harness was not started");
        var name = (string?)command["cmd"] ?? "?";
        await _gate.WaitAsync();
        try
        {
            var id = ++_nextId;
            command["id"] = id;
            await node.StandardInput.WriteLineAsync(command.ToJsonString());
            await node.StandardInput.FlushAsync();

            using var timeout = new CancellationTokenSource(CommandTimeout);
            string? line;
            try
            {
                line = await node.StandardOutput.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"libsignal harness did not answer command '{name}' (id {id}) within {CommandTimeout.TotalSeconds} s. stderr: {Stderr()}");
            }
            if (line is null)
            {
                throw new InvalidOperationException(
                    $"libsignal harness exited while answering command '{name}' (id {id}). stderr: {Stderr()}");
            }
            var answer = JsonNode.Parse(line)?.AsObject()
                ?? throw new InvalidOperationException($"libsignal harness answered '{line}' to '{name}'");
            if (answer["id"]?.GetValue<long>() != id)
            {
                throw new InvalidOperationException($"libsignal harness answered '{line}' to '{name}' (id {id}): out of step");
            }
            return answer;
        }
        finally
        {
            _gate.Release();
        }
    }

    private string Stderr()
    {
        lock (_stderr) return _stderr.Length == 0 ? "(empty)" : _stderr.ToString();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Parley.slnx above {AppContext.BaseDirectory}: cannot find tests/interop-harness");
    }

}

/// <summary>libsignal refused a command; <see cref="LibsignalError"/> is its error code, operation and message.</summary>
public sealed class LibsignalException(string command, string libsignalError)
    : Exception($"libsignal failed '{command}': {libsignalError}")
{
    public string Command { get; } = command;

    public string LibsignalError { get; } = libsignalError;
}
