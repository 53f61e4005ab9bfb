using Parley.Client.Tests.Cli;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Groups;

/// <summary>The `parley group ...` commands, run as separate processes against a real server.</summary>
public sealed class GroupCliTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly CliProfiles _cli = new(fixture.Server, "group");

    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task GroupCreateSendReceiveAndInfo_ThroughTheCli()
    {
        var (alice, aliceNumber) = await _cli.RegisterAsync("alice");
        var (bob, bobNumber) = await _cli.RegisterAsync("bob");
        var (carol, carolNumber) = await _cli.RegisterAsync("carol");

        var created = CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "create", "Family", bobNumber, carolNumber)).Stdout;
        Assert.Matches("^created [0-9a-f-]{36} \"Family\" with 3 members$", created);
        var groupId = created.Split(' ')[1];

        var sent = CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "send", "Family", "hello family")).Stdout;
        Assert.Matches("^sent [0-9a-f]{32}$", sent);
        var messageId = sent["sent ".Length..];

        var bobSees = CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "receive", "--timeout", "1")).Stdout);
        Assert.Contains($"[Family] {aliceNumber}: hello family", bobSees);
        Assert.Contains(bobSees, line => line.StartsWith("[Family] ", StringComparison.Ordinal) && line.EndsWith(" created the group \"Family\"", StringComparison.Ordinal));

        CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "group", "send", groupId, "hi from bob")); // by id as well as by name
        Assert.Contains($"[Family] {bobNumber}: hi from bob", CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "receive", "--timeout", "1")).Stdout));
        var carolSees = CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(carol, "receive", "--timeout", "1")).Stdout).Where(l => l.Contains(": ", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"[Family] {aliceNumber}: hello family", $"[Family] {bobNumber}: hi from bob"], carolSees);

        var info = CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "info", "Family", messageId)).Stdout);
        Assert.Equal(2, info.Count);
        Assert.All(info, line => Assert.Matches(@"^\+\d+\tdelivered \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\tread -$", line));
        Assert.Equal(new[] { bobNumber, carolNumber }.Order(), info.Select(l => l.Split('\t')[0]).Order());

        Assert.Equal($"{groupId}\tFamily\t3 members", CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "groups")).Stdout);
        CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "promote", "Family", bobNumber));
        Assert.Equal($"{groupId}\tFamily\t3 members\tadmin", CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "groups")).Stdout);

        var unknown = await CliProfiles.RunAsync(alice, "group", "send", "No such group", "hello?");
        Assert.Equal((1, "error: No group \"No such group\" on this device (use the group id or its unique name)."), (unknown.ExitCode, unknown.Stderr));
    }

    [Fact]
    public async Task GroupPhoto_SetSavedAndRemoved_ThroughTheCli()
    {
        var (alice, _) = await _cli.RegisterAsync("alice");
        var (bob, bobNumber) = await _cli.RegisterAsync("bob");
        CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "create", "Photos", bobNumber));
        var photo = _cli.PathOf("group.png");
        await File.WriteAllBytesAsync(photo, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. Guid.NewGuid().ToByteArray()]);
        Assert.Equal("group photo of \"Photos\" set", CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "photo", "Photos", "--set", photo)).Stdout);

        // The key comes inside the group's encrypted messages: Bob has it once he has received them.
        var saved = _cli.PathOf("saved.png");
        CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "groups"));
        Assert.Equal("no key for the group photo yet: run `receive` first", CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "group", "photo", "Photos", "--save", saved)).Stdout);
        CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "receive", "--timeout", "1"));
        Assert.Equal($"group photo saved to {saved}", CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "group", "photo", "Photos", "--save", saved)).Stdout);
        Assert.Equal(await File.ReadAllBytesAsync(photo), await File.ReadAllBytesAsync(saved));

        var text = _cli.PathOf("notes.txt");
        await File.WriteAllTextAsync(text, "not a picture");
        var refused = await CliProfiles.RunAsync(alice, "group", "photo", "Photos", "--set", text);
        Assert.Equal((1, "error: --set: a group photo must be a JPEG, PNG or WebP image."), (refused.ExitCode, refused.Stderr));
        Assert.Equal("group photo of \"Photos\" removed", CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "photo", "Photos", "--remove")).Stdout);
        Assert.Equal("the group has no photo", CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "group", "photo", "Photos", "--save", saved)).Stdout);
    }

    [Fact]
    public async Task RemovedMember_ReceivesTheRemovalButNoLaterMessage_ThroughTheCli()
    {
        var (alice, _) = await _cli.RegisterAsync("alice");
        var (bob, bobNumber) = await _cli.RegisterAsync("bob");
        var (carol, carolNumber) = await _cli.RegisterAsync("carol");
        CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "create", "Team", bobNumber, carolNumber));
        CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "send", "Team", "before"));
        Assert.StartsWith($"removed {bobNumber} from \"Team\"", CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "remove", "Team", bobNumber)).Stdout, StringComparison.Ordinal);
        CliProfiles.Expect(0, await CliProfiles.RunAsync(alice, "group", "send", "Team", "after"));

        var bobSees = CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(bob, "receive", "--timeout", "1")).Stdout);
        Assert.Contains(bobSees, line => line.EndsWith(": before", StringComparison.Ordinal));
        Assert.Contains(bobSees, line => line.EndsWith(" removed you", StringComparison.Ordinal));
        Assert.DoesNotContain(bobSees, line => line.EndsWith(": after", StringComparison.Ordinal));
        Assert.Contains(CliProfiles.Lines(CliProfiles.Expect(0, await CliProfiles.RunAsync(carol, "receive", "--timeout", "1")).Stdout), line => line.EndsWith(": after", StringComparison.Ordinal));
        var refused = await CliProfiles.RunAsync(bob, "group", "send", "Team", "still here?");
        Assert.Equal((1, "error: You are not a member of the group \"Team\" (any more)."), (refused.ExitCode, refused.Stderr));
    }

    public void Dispose() => _cli.Dispose();
}
