using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Cli;

/// <summary>The `parley` command-line contract, run as separate processes against a real server.</summary>
public sealed class CliEndToEndTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly string _profiles = Path.Combine(Path.GetTempPath(), "parley-cli-tests", Guid.NewGuid().ToString("N"));

    private ParleyServer Server => fixture.Server;

    private string Url => Server.BaseAddress.ToString();

    [Fact]
    public async Task TwoProfilesExchangeMessagesBothWays_AndTheServerNeverSeesTheText()
    {
        var (alice, bob) = (Profile("alice"), Profile("bob"));
        var (aliceNumber, bobNumber) = (TestDevice.NewNumber(), TestDevice.NewNumber());
        var marker = "marker-" + Guid.NewGuid().ToString("N");

        // Alice: the first run sends the code and stops (no stdin); the second answers with --code.
        var asked = await CliRunner.RunAsync(["--profile", alice, "register", aliceNumber, "--server", Url]);
        Assert.Equal(1, asked.ExitCode);
        Assert.Contains("--code", asked.Stderr, StringComparison.Ordinal);
        Expect(0, await CliRunner.RunAsync(["--profile", alice, "register", aliceNumber, "--server", Url, "--code", await Server.ReadCodeAsync(aliceNumber)]));
        // Bob types the code when asked.
        using (var registering = CliRunner.Start("--profile", bob, "register", bobNumber, "--server", Url, "--name", "laptop"))
        {
            Expect(0, await CliRunner.FinishAsync(registering, await CodeFromOutboxAsync(bobNumber)));
        }

        Assert.Equal("sent", Expect(0, await CliRunner.RunAsync(["--profile", alice, "send", bobNumber, $"hello bob {marker}"])).Stdout);
        Assert.Equal($"{aliceNumber}: hello bob {marker}", Expect(0, await CliRunner.RunAsync(["--profile", bob, "receive", "--timeout", "1"])).Stdout);
        Expect(0, await CliRunner.RunAsync(["--profile", bob, "send", aliceNumber, $"hi alice {marker}"]));
        var json = JsonDocument.Parse(Expect(0, await CliRunner.RunAsync(["--profile", alice, "receive", "--timeout", "1", "--json"])).Stdout).RootElement;
        Assert.Equal((bobNumber, $"hi alice {marker}"), (json.GetProperty("from").GetString(), json.GetProperty("text").GetString()));
        Assert.Equal("", Expect(0, await CliRunner.RunAsync(["--profile", bob, "receive", "--timeout", "1"])).Stdout); // nothing twice

        var history = Expect(0, await CliRunner.RunAsync(["--profile", alice, "history", bobNumber])).Stdout.Split('\n');
        Assert.Equal(2, history.Length);
        Assert.EndsWith($"me: hello bob {marker} [delivered]", history[0], StringComparison.Ordinal);
        Assert.EndsWith($"{bobNumber}: hi alice {marker}", history[1], StringComparison.Ordinal);
        Assert.StartsWith(aliceNumber + "\t2 messages", Expect(0, await CliRunner.RunAsync(["--profile", bob, "chats"])).Stdout, StringComparison.Ordinal);

        var aliceSees = Expect(0, await CliRunner.RunAsync(["--profile", alice, "safety-number", bobNumber])).Stdout;
        var bobSees = Expect(0, await CliRunner.RunAsync(["--profile", bob, "safety-number", aliceNumber])).Stdout;
        Assert.Matches(@"^(\d{5} ){11}\d{5}$", aliceSees);
        Assert.Equal(aliceSees, bobSees);

        // The positive control proves the search works: the text is in Alice's own profile.
        Assert.True(ContainsBytes(Path.Combine(alice, "parley.db"), marker) || ContainsBytes(Path.Combine(alice, "parley.db-wal"), marker),
            "the marker should be in the sender's local history");
        var leaks = Directory.EnumerateFiles(Server.DataDirectory, "*", SearchOption.AllDirectories).Where(f => ContainsBytes(f, marker)).ToList();
        Assert.True(leaks.Count == 0, "message text found on the server in: " + string.Join(", ", leaks));
    }

    [Fact]
    public async Task ClearErrors_ForUnknownNumber_ServerDown_AndWrongCode()
    {
        var carol = Profile("carol");
        var number = TestDevice.NewNumber();
        await CliRunner.RunAsync(["--profile", carol, "register", number, "--server", Url]);
        var code = await Server.ReadCodeAsync(number);
        var wrongCode = code == "000000" ? "111111" : "000000";

        var wrong = await CliRunner.RunAsync(["--profile", carol, "register", number, "--server", Url, "--code", wrongCode]);
        Assert.Equal((1, "error: wrong verification code (4 attempts left)."), (wrong.ExitCode, wrong.Stderr));
        Expect(0, await CliRunner.RunAsync(["--profile", carol, "register", number, "--server", Url, "--code", code]));

        var nobody = TestDevice.NewNumber();
        var unknown = await CliRunner.RunAsync(["--profile", carol, "send", nobody, "hello?"]);
        Assert.Equal((1, $"error: {nobody} is not registered on this Parley server."), (unknown.ExitCode, unknown.Stderr));

        var downUrl = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        var down = await CliRunner.RunAsync(["--profile", Profile("dave"), "register", TestDevice.NewNumber(), "--server", downUrl]);
        Assert.Equal(1, down.ExitCode);
        Assert.StartsWith($"error: cannot reach the Parley server at {downUrl}/", down.Stderr, StringComparison.Ordinal);

        var notRegistered = await CliRunner.RunAsync(["--profile", Profile("erin"), "chats"]);
        Assert.Equal(1, notRegistered.ExitCode);
        Assert.Contains("has no account yet", notRegistered.Stderr, StringComparison.Ordinal);
    }

    private string Profile(string name) => Path.Combine(_profiles, name);

    private static CliRunner.Result Expect(int exitCode, CliRunner.Result result)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}, got {result}");
        return result;
    }

    private async Task<string> CodeFromOutboxAsync(string number)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                return await Server.ReadCodeAsync(number);
            }
            catch (InvalidOperationException)
            {
                // The CLI process is still starting up.
            }
        }
        throw new TimeoutException($"No code for {number} appeared in the SMS outbox within 30 s.");
    }

    private static bool ContainsBytes(string path, string text)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }
        return bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0 || bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text)) >= 0;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_profiles, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was created.
        }
    }
}
