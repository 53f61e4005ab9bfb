using Parley.Client.Tests.Cli;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Privacy;

/// <summary>`parley profile|presence|privacy|block|contacts|pin` and `register` with a PIN, as separate processes.</summary>
public sealed class PrivacyCliTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly string _profiles = Path.Combine(Path.GetTempPath(), "parley-privacy-cli-tests", Guid.NewGuid().ToString("N"));

    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Profile_privacy_presence_blocking_and_contacts_through_the_cli()
    {
        var (alice, aliceNumber) = await RegisterAsync("alice");
        var (bob, bobNumber) = await RegisterAsync("bob");
        var photo = Path.Combine(_profiles, "me.png");
        await File.WriteAllBytesAsync(photo, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);
        Assert.Equal("profile updated", Expect(0, await Cli(alice, "profile", "set", "--name", "Alice", "--about", "Hello!", "--photo", photo)).Stdout);

        var saved = Path.Combine(_profiles, "alice-photo.png");
        Assert.Equal(["name: Alice", "about: Hello!", "photo: yes", $"photo saved to {saved}"],
            Lines(Expect(0, await Cli(bob, "profile", "show", aliceNumber, "--save-photo", saved)).Stdout));
        Assert.Equal(await File.ReadAllBytesAsync(photo), await File.ReadAllBytesAsync(saved));
        Expect(0, await Cli(alice, "receive", "--timeout", "0")); // Alice's app was open a moment ago
        Assert.Matches("^last seen \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$", Expect(0, await Cli(bob, "presence", aliceNumber)).Stdout);

        var book = Path.Combine(_profiles, "book.txt");
        await File.WriteAllLinesAsync(book, [bobNumber.Insert(4, " ").Insert(8, "-"), TestDevice.NewNumber(), ""]);
        Assert.Equal(bobNumber, Expect(0, await Cli(alice, "contacts", "sync", book)).Stdout);

        var settings = Lines(Expect(0, await Cli(alice, "privacy", "set", "about", "contacts-except", "--except", bobNumber)).Stdout);
        Assert.Contains($"about: contacts-except {bobNumber}", settings);
        Expect(0, await Cli(alice, "privacy", "set", "last-seen", "nobody"));
        Assert.Contains("read-receipts: off", Lines(Expect(0, await Cli(alice, "privacy", "set", "read-receipts", "off")).Stdout));
        Assert.Equal("last seen hidden", Expect(0, await Cli(bob, "presence", aliceNumber)).Stdout);
        Assert.Contains("about: (hidden or not set)", Lines(Expect(0, await Cli(bob, "profile", "show", aliceNumber)).Stdout));
        var badValue = await Cli(alice, "privacy", "set", "photo", "friends");
        Assert.Equal((1, "error: \"friends\" is not a value for photo: use everyone, contacts, contacts-except or nobody."), (badValue.ExitCode, badValue.Stderr));

        Assert.Equal($"blocked {bobNumber}", Expect(0, await Cli(alice, "block", bobNumber)).Stdout);
        Assert.Equal(bobNumber, Expect(0, await Cli(alice, "blocked")).Stdout);
        Assert.Equal("sent", Expect(0, await Cli(bob, "send", aliceNumber, "are you there?")).Stdout); // one tick, nothing more
        Assert.Equal("", Expect(0, await Cli(alice, "receive", "--timeout", "1")).Stdout);
        Expect(0, await Cli(alice, "unblock", bobNumber));
        Expect(0, await Cli(bob, "send", aliceNumber, "now?"));
        Assert.Equal([$"{bobNumber}: now?"], Lines(Expect(0, await Cli(alice, "receive", "--timeout", "1")).Stdout));
    }

    [Fact]
    public async Task Registering_a_number_with_a_pin_needs_the_pin()
    {
        var (phone, number) = await RegisterAsync("phone");
        Assert.StartsWith("two-step verification is on", Expect(0, await Cli(phone, "pin", "set", "--pin", "314159")).Stdout, StringComparison.Ordinal);
        var changeWithoutCurrent = await CliRunner.RunAsync(["--profile", phone, "pin", "set", "--pin", "271828"], stdin: "");
        Assert.Equal((1, "error: nothing on stdin; pass --current."), (changeWithoutCurrent.ExitCode, changeWithoutCurrent.Stderr.Split('\n')[^1].Trim()));

        var thief = Path.Combine(_profiles, "thief");
        Assert.Equal(1, (await Cli(thief, "register", number, "--server", Server.BaseAddress.ToString())).ExitCode);
        var code = await Server.ReadCodeAsync(number);
        var noPin = await CliRunner.RunAsync(["--profile", thief, "register", number, "--server", Server.BaseAddress.ToString(), "--code", code], stdin: "");
        Assert.Equal(1, noPin.ExitCode);
        Assert.Contains("has two-step verification. Enter its PIN:", noPin.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("error: nothing on stdin; pass --pin.", noPin.Stderr, StringComparison.Ordinal);
        var wrong = await Cli(thief, "register", number, "--server", Server.BaseAddress.ToString(), "--code", code, "--pin", "000000");
        Assert.Equal((1, "error: wrong PIN (9 attempts left)."), (wrong.ExitCode, wrong.Stderr));

        // The owner, on a new phone, types the PIN when asked.
        var newPhone = Path.Combine(_profiles, "new-phone");
        Assert.Equal(1, (await Cli(newPhone, "register", number, "--server", Server.BaseAddress.ToString())).ExitCode);
        var owner = await CliRunner.RunAsync(["--profile", newPhone, "register", number, "--server", Server.BaseAddress.ToString(),
            "--code", await Server.ReadCodeAsync(number)], stdin: "314159\n");
        Assert.True(owner.ExitCode == 0, owner.ToString());
        Assert.StartsWith($"registered {number}", owner.Stdout, StringComparison.Ordinal);
        Assert.Equal("two-step verification is off", Expect(0, await Cli(newPhone, "pin", "remove", "--current", "314159")).Stdout);
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
