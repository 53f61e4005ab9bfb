using System.Diagnostics;

namespace Parley.Client.Tests.Cli;

/// <summary>Runs the built `parley` CLI (its parley.dll, as `dotnet parley.dll ...`) like a script would.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    /// <summary>The CLI's own build output: src/Parley.Cli/bin/&lt;configuration&gt;/&lt;tfm&gt;/parley.dll.</summary>
    public static string CliDll { get; } = FindCliDll();

    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the CLI.");
    }

    /// <summary>Runs to completion with stdin closed (or fed <paramref name="stdin"/>).</summary>
    public static async Task<Result> RunAsync(string[] args, string? stdin = null)
    {
        using var process = Start(args);
        return await FinishAsync(process, stdin);
    }

    public static async Task<Result> FinishAsync(Process process, string? stdin = null)
    {
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"parley {string.Join(' ', process.StartInfo.ArgumentList.Skip(1))} did not exit within 60 s.");
        }
        return new Result(process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    private static string FindCliDll()
    {
        // tests/Parley.Client.Tests/bin/<configuration>/<tfm>/ -> the same configuration and tfm of src/Parley.Cli.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Parley.slnx")))
        {
            root = root.Parent;
        }
        var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Parley.slnx not found above the test output."),
            "src", "Parley.Cli", "bin", configuration, tfm, "parley.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build src/Parley.Cli first: {dll} is missing.", dll);
    }
}
