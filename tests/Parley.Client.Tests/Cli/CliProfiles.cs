using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Cli;

/// <summary>A test's CLI users: one profile folder each (deleted afterwards), registered on a real server through the CLI itself.</summary>
public sealed class CliProfiles(ParleyServer server, string kind) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"parley-{kind}-cli-tests", Guid.NewGuid().ToString("N"));

    public string PathOf(string name) => Path.Combine(_root, name);

    /// <summary>Registers a fresh number for a new profile: the first run sends the code and stops at the prompt, the second passes it.</summary>
    public async Task<(string Profile, string Number)> RegisterAsync(string name)
    {
        var profile = PathOf(name);
        var number = TestDevice.NewNumber();
        Assert.Equal(1, (await RunAsync(profile, "register", number, "--server", server.BaseAddress.ToString())).ExitCode);
        Expect(0, await RunAsync(profile, "register", number, "--server", server.BaseAddress.ToString(), "--code", await server.ReadCodeAsync(number)));
        return (profile, number);
    }

    public static Task<CliRunner.Result> RunAsync(string profile, params string[] args) => CliRunner.RunAsync(["--profile", profile, .. args]);

    public static List<string> Lines(string stdout) => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    public static CliRunner.Result Expect(int exitCode, CliRunner.Result result)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}, got {result}");
        return result;
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
