using Parley.Client.Tests.Cli;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Groups;

/// <summary>The `parley group ...` commands, run as separate processes against a real server.</summary>
public sealed class GroupCliTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly string _profiles = Path.Combine(Path.GetTempPath(), "parley-group-cli-tests", Guid.NewGuid().ToString("N"));

    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task GroupCreateSendReceiveAndInfo_ThroughTheCli()
    {
        var (alice, aliceNumber) = await RegisterAsync("alice");
        var (bob, bobNumber) = await RegisterAsync("bob");
        var (carol, carolNumber) = await RegisterAsync("carol");

        var created = Expect(0, await Cli(alice, "group", "create", "Family", bobNumber, carolNumber)).Stdout;
        Assert.Matches("^created [0-9a-f-]{36} \"Family\" with 3 members$", created);
        var groupId = created.Split(' ')[1];

        var sent = Expect(0, await Cli(alice, "group", "send", "Family", "hello family")).Stdout;
        Assert.Matches("^sent [0-9a-f]{32}$", sent);
        var messageId = sent["sent ".Length..];

        var bobSees = Lines(Expect(0, await Cli(bob, "receive", "--timeout", "1")).Stdout);
        Assert.Contains($"[Family] {aliceNumber}: hello family", bobSees);
        Assert.Contains(bobSees, line => line.StartsWith("[Family] ", StringComparison.Ordinal) && line.EndsWith(" created the group \"Family\"", StringComparison.Ordinal));

        Expect(0, await Cli(bob, "group", "send", groupId, "hi from bob")); // by id as well as by name
        Assert.Contains($"[Family] {bobNumber}: hi from bob", Lines(Expect(0, await Cli(alice, "receive", "--timeout", "1")).Stdout));
        var carolSees = Lines(Expect(0, await Cli(carol, "receive", "--timeout", "1")).Stdout).Where(l => l.Contains(": ", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"[Family] {aliceNumber}: hello family", $"[Family] {bobNumber}: hi from bob"], carolSees);

        var info = Lines(Expect(0, await Cli(alice, "group", "info", "Family", messageId)).Stdout);
        Assert.Equal(2, info.Count);
        Assert.All(info, line => Assert.Matches(@"^\+\d+\tdelivered \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\tread -$", line));
        Assert.Equal(new[] { bobNumber, carolNumber }.Order(), info.Select(l => l.Split('\t')[0]).Order());

        Assert.Equal($"{groupId}\tFamily\t3 members", Expect(0, await Cli(bob, "groups")).Stdout);
        Expect(0, await Cli(alice, "group", "promote", "Family", bobNumber));
        Assert.Equal($"{groupId}\tFamily\t3 members\tadmin", Expect(0, await Cli(bob, "groups")).Stdout);

        var unknown = await Cli(alice, "group", "send", "No such group", "hello?");
        Assert.Equal((1, "error: No group \"No such group\" on this device (use the group id or its unique name)."), (unknown.ExitCode, unknown.Stderr));
    }

    [Fact]
    public async Task RemovedMember_ReceivesTheRemovalButNoLaterMessage_ThroughTheCli()
    {
        var (alice, _) = await RegisterAsync("alice");
        var (bob, bobNumber) = await RegisterAsync("bob");
        var (carol, carolNumber) = await RegisterAsync("carol");
        Expect(0, await Cli(alice, "group", "create", "Team", bobNumber, carolNumber));
        Expect(0, await Cli(alice, "group", "send", "Team", "before"));
        Assert.StartsWith($"removed {bobNumber} from \"Team\"", Expect(0, await Cli(alice, "group", "remove", "Team", bobNumber)).Stdout, StringComparison.Ordinal);
        Expect(0, await Cli(alice, "group", "send", "Team", "after"));

        var bobSees = Lines(Expect(0, await Cli(bob, "receive", "--timeout", "1")).Stdout);
        Assert.Contains(bobSees, line => line.EndsWith(": before", StringComparison.Ordinal));
        Assert.Contains(bobSees, line => line.EndsWith(" removed you", StringComparison.Ordinal));
        Assert.DoesNotContain(bobSees, line => line.EndsWith(": after", StringComparison.Ordinal));
        Assert.Contains(Lines(Expect(0, await Cli(carol, "receive", "--timeout", "1")).Stdout), line => line.EndsWith(": after", StringComparison.Ordinal));
        var refused = await Cli(bob, "group", "send", "Team", "still here?");
        Assert.Equal((1, "error: You are not a member of the group \"Team\" (any more)."), (refused.ExitCode, refused.Stderr));
    }

    private async Task<(string Profile, string Number)> RegisterAsync(string name)
    {
        var profile = Path.Combine(_profiles, name);
        var number = TestDevice.NewNumber();
        Assert.Equal(1, (await Cli(profile, "register", number, "--server", Server.BaseAddress.ToString())).ExitCode); // sends the code, asks for it
        Expect(0, await Cli(profile, "register", number, "--server", Server.BaseAddress.ToString(), "--code", await Server.ReadCodeAsync(number)));
        return (profile, number);
    }

    private static Task<CliRunner.Result> Cli(string profile, params string[] args) => CliRunner.RunAsync(["--profile", profile, .. args]);

    private static List<string> Lines(string stdout) => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static CliRunner.Result Expect(int exitCode, CliRunner.Result result)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}, got {result}");
        return result;
    }

    public void Dispose()
    {
        if (Directory.Exists(_profiles))
        {
            Directory.Delete(_profiles, recursive: true);
        }
    }
}
